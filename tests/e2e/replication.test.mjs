// Brokers and storage in the browser: kill a leader and watch a new one take over without loss;
// replay a group by resetting its offsets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });


const auditValue = async (page, group, name) => {
  const audit = page.getByLabel(`Delivery audit of ${group}`);
  const text = await audit.locator('div', { has: page.getByText(name, { exact: true }) }).locator('dd').textContent();
  return Number(text.replace(/,/g, ''));
};

const leaderOf = async (page, p) => {
  const label = await page.getByRole('table', { name: 'Partitions of orders' })
    .getByLabel(new RegExp(`^(Leader of partition ${p} is broker \\d|Partition ${p} is offline)$`)).getAttribute('aria-label');
  const m = label.match(/broker (\d)$/);
  return m ? Number(m[1]) : null;
};

test('killing the leader of a replicated partition: a new leader from the ISR, nothing lost', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  // The demo topic is replicated three ways with min.insync.replicas=2.
  await page.getByText(/replication factor 3 · min.insync.replicas 2/).waitFor();
  await page.getByLabel('Speed').selectOption('8');
  await until('the group consumes', async () => (await auditValue(page, 'billing', 'Consumed')) > 50);

  const old = await leaderOf(page, 0);
  assert.ok(old >= 1 && old <= 3, `partition 0 has a leader: ${old}`);
  await page.getByRole('button', { name: `Kill broker ${old}` }).click();
  await page.getByLabel(new RegExp(`^Broker ${old} is down`)).waitFor();
  // The controller notices after broker.session.timeout.ms and elects an in-sync follower.
  const next = await until('a new leader', async () => {
    const l = await leaderOf(page, 0);
    return l !== null && l !== old ? l : false;
  });
  assert.notEqual(next, old);
  await page.getByLabel(`Broker ${old} is down · fenced`).waitFor();
  const replicas = await page.getByLabel(/^Replicas of partition 0:/).getAttribute('aria-label');
  assert.match(replicas, new RegExp(`broker ${next}: leader`));
  assert.match(replicas, new RegExp(`broker ${old}: out-of-sync follower, broker down`));
  // Each consumer sees the new leader epoch and validates its position there before fetching
  // again (KIP-320): after a clean election nothing was truncated.
  await page.getByPlaceholder('Filter, e.g. JoinGroup').fill('OffsetsForLeaderEpoch');
  await page.getByText(/OffsetsForLeaderEpoch orders-0 \(leader epoch 1\): epoch 0 ends at \d+; position \d+ is valid \(KIP-320\)/).first().waitFor();
  await shot(page, 'leader-killed');

  // Production and consumption go on; the audit finds nothing lost or skipped.
  const consumed = await auditValue(page, 'billing', 'Consumed');
  await until('consumption continues', async () => (await auditValue(page, 'billing', 'Consumed')) > consumed + 30);
  assert.equal(await auditValue(page, 'billing', 'Lost'), 0);
  assert.equal(await auditValue(page, 'billing', 'Skipped'), 0);
  assert.equal(await auditValue(page, 'billing', 'Duplicates'), 0);

  // The broker comes back, catches up and rejoins the ISR.
  await page.getByRole('button', { name: `Restart broker ${old}` }).click();
  await page.getByLabel(`Broker ${old} is up`).waitFor();
  await until('the restarted broker is back in sync', async () => {
    const r = await page.getByLabel(/^Replicas of partition 0:/).getAttribute('aria-label');
    return r.includes(`broker ${old}: in-sync follower`) && !r.includes('broker down');
  });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('two followers down: the partition says it is under min ISR, and recovers when they return', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByLabel('Speed').selectOption('8');
  await until('the group consumes', async () => (await auditValue(page, 'billing', 'Consumed')) > 20);
  const lead = await leaderOf(page, 0);
  const followers = [1, 2, 3].filter((b) => b !== lead);
  for (const b of followers) await page.getByRole('button', { name: `Kill broker ${b}` }).click();
  const replicasOf0 = () => page.getByLabel(/^Replicas of partition 0:/).getAttribute('aria-label');
  // Once the controller fences them the ISR is the leader alone, under min.insync.replicas=2.
  await until('partition 0 is under min ISR', async () => /under min ISR \(1 of 2\)/.test(await replicasOf0()));
  await page.getByText('ISR 1/2').first().waitFor();
  // The protocol log says so in Kafka's words.
  await page.getByText(/orders-0: ISR shrinks to \[\d\] .*under min.insync.replicas=2: acks=all refused, high watermark held/).waitFor();
  await shot(page, 'under-min-isr');
  for (const b of followers) await page.getByRole('button', { name: `Restart broker ${b}` }).click();
  await until('the followers rejoin the ISR', async () => !(await replicasOf0()).includes('under min ISR'));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('resetting a stopped group to the earliest offsets replays the history', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByLabel('Speed').selectOption('8');
  await until('the group consumes', async () => (await auditValue(page, 'billing', 'Consumed')) > 100);
  const group = page.getByRole('region', { name: 'Group billing' });
  await group.getByRole('button', { name: 'Reset offsets of billing' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset offsets of billing' });
  // Refused while the group is active: stop its consumers first.
  assert.equal(await dialog.getByRole('button', { name: 'Reset offsets' }).isDisabled(), true);
  await dialog.getByRole('button', { name: 'Stop its 2 consumers' }).click();
  await group.getByLabel('State Empty').waitFor();
  await dialog.getByLabel('Reset to').selectOption('earliest');
  await dialog.getByRole('button', { name: 'Reset offsets' }).click();
  await dialog.getByText(/Reset group "billing" to the earliest offsets/).waitFor();
  const produced = await auditValue(page, 'billing', 'Consumed');
  // A consumer joins the group again and reads everything a second time.
  const form = await openForm(page, 'Add consumer');
  await form.getByLabel('Group (group.id)').fill('billing');
  await form.getByLabel('Name (client.id)').fill('billing-3');
  await form.getByRole('button', { name: 'Add consumer' }).click();
  // Read again because the reset asked for it: a replay, not duplicates (issue 15).
  await until('history is re-read', async () => (await auditValue(page, 'billing', 'Re-read after reset')) >= produced);
  assert.equal(await auditValue(page, 'billing', 'Duplicates'), 0);
  await shot(page, 'replay');
  assert.deepEqual(problems, []);
  await page.context().close();
});
