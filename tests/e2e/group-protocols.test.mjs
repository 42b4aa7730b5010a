// Kafka 4's consumer group protocol (KIP-848) on the page: a user picks it in the consumer form,
// the group card says which protocol the group speaks, shows each member's epoch and
// reconciliation state, and measures what a rebalance cost each member.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, checkA11y, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

async function addConsumer(page, group, topic, name, protocol) {
  const form = await openForm(page, 'Add consumer');
  await form.getByLabel('Group (group.id)').fill(group);
  await form.getByLabel('Topic', { exact: true }).selectOption(topic);
  await form.getByLabel('Group protocol and assignor').selectOption({ label: protocol });
  await form.getByLabel('Name (client.id)').fill(name);
  await form.getByRole('button', { name: 'Add consumer' }).click();
  await page.getByRole('listitem', { name: `Consumer ${name}` }).waitFor();
}

const chips = (page, consumer) => page.getByLabel(`Partitions of ${consumer}`).locator('.chip');

async function counts(page, consumers) {
  const out = [];
  for (const c of consumers) out.push(await chips(page, c).count());
  return out;
}

test('a consumer-protocol group joins by heartbeat, reconciles without stopping, and says what it cost', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByLabel('Speed').selectOption('8');
  const topicForm = await openForm(page, 'Create topic');
  await topicForm.getByLabel('Topic name').fill('orders');
  await topicForm.getByLabel('Partitions', { exact: true }).fill('6');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('table', { name: 'Partitions of orders' }).waitFor();

  const kip848 = 'consumer (KIP-848): uniform on the coordinator';
  await addConsumer(page, 'tracking', 'orders', 'track-1', kip848);
  await addConsumer(page, 'tracking', 'orders', 'track-2', kip848);
  const group = page.getByRole('region', { name: 'Group tracking' });
  await group.getByText('consumer protocol (KIP-848)').waitFor();
  await group.getByText('uniform assignor on the coordinator').waitFor();
  await until('3 and 3', async () => JSON.stringify(await counts(page, ['track-1', 'track-2'])) === '[3,3]');
  await group.getByText(/^group epoch \d+$/).waitFor();
  await until('both members STABLE', async () => (await group.getByText(/^STABLE · epoch \d+$/).count()) === 2);

  // A third joins: no JoinGroup, nobody but the newcomer without partitions.
  await addConsumer(page, 'tracking', 'orders', 'track-3', kip848);
  await until('2, 2 and 2', async () => JSON.stringify(await counts(page, ['track-1', 'track-2', 'track-3'])) === '[2,2,2]', 30000);
  await until('Stable again', async () => (await group.getByLabel('State Stable').count()) === 1, 30000);
  const cost = group.getByRole('table', { name: 'Last rebalance of tracking' });
  await cost.getByRole('rowheader', { name: 'track-3' }).waitFor();
  const row = async (name) => (await cost.getByRole('row', { name: new RegExp(`^${name} `) }).locator('td').allTextContents());
  assert.equal((await row('track-1'))[0], 'never', 'track-1 kept its partitions and never stopped');
  assert.equal((await row('track-2'))[0], 'never', 'track-2 never stopped');
  assert.match((await row('track-3'))[0], /^\d+\.\d s$/, 'the newcomer waited for released partitions');
  assert.equal(await page.getByText(/JoinGroup/).count(), 0, 'no classic JoinGroup in the log');
  await shot(page, 'kip848-group');
  await checkA11y(page, 'section[aria-label="Group tracking"]');

  // A classic consumer cannot join while the group speaks the consumer protocol.
  await addConsumer(page, 'tracking', 'orders', 'old-client', 'classic: range');
  await until('it is refused', async () => (await page.getByText(/INCONSISTENT_GROUP_PROTOCOL/).count()) > 0, 20000);
  assert.equal(await chips(page, 'old-client').count(), 0);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the same join under eager, cooperative and consumer protocols: the cost tables tell them apart', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=three-protocols`);
  await page.getByLabel('Speed').selectOption('8');
  for (const g of ['eager', 'cooperative', 'consumer']) await page.getByRole('region', { name: `Group ${g}` }).waitFor();
  await until('every group stable with two members', async () =>
    (await page.getByLabel('State Stable').count()) === 3, 30000);
  await addConsumer(page, 'eager', 'orders', 'eager-3', 'classic: range');
  await addConsumer(page, 'cooperative', 'orders', 'coop-3', 'classic: cooperative-sticky');
  await addConsumer(page, 'consumer', 'orders', 'kip848-3', 'consumer (KIP-848): uniform on the coordinator');
  const cell = async (group, member, col) => {
    const table = page.getByRole('table', { name: `Last rebalance of ${group}` });
    const row = table.getByRole('row', { name: new RegExp(`^${member} `) });
    if ((await row.count()) === 0) return null;
    return (await row.locator('td').allTextContents())[col];
  };
  // Each group's rebalance ends once its third member holds partitions.
  for (const [g, c] of [['eager', 'eager-3'], ['cooperative', 'coop-3'], ['consumer', 'kip848-3']]) {
    await until(`${c} holds partitions`, async () => (await chips(page, c).count()) === 2, 60000);
    await until(`${g} stable again`, async () =>
      (await page.getByRole('region', { name: `Group ${g}` }).getByLabel('State Stable').count()) === 1, 60000);
    await until(`${g}'s table lists ${c}`, async () => (await cell(g, c, 0)) !== null, 20000);
  }
  await shot(page, 'three-protocols');
  // Eager: the fast member gave up everything and waited for the slow one.
  assert.match(await cell('eager', 'eager-1', 0), /^\d+\.\d s$/, 'eager-1 stopped for the whole rebalance');
  // Cooperative and consumer: the old members never stopped.
  assert.equal(await cell('cooperative', 'coop-1', 0), 'never');
  assert.equal(await cell('consumer', 'kip848-1', 0), 'never');
  assert.equal(await cell('consumer', 'kip848-2', 0), 'never');
  assert.deepEqual(problems, []);
  await page.context().close();
});
