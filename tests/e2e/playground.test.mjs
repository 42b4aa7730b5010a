// The playground as a user meets it: everything found by role and accessible name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const partitionsOf = (page, consumer) =>
  page.getByLabel(`Partitions of ${consumer}`).locator('.chip');

async function waitForCounts(page, consumers, expected, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let counts = [];
  while (Date.now() < deadline) {
    counts = [];
    for (const c of consumers) counts.push(await partitionsOf(page, c).count());
    if (JSON.stringify(counts) === JSON.stringify(expected)) return counts;
    await page.waitForTimeout(200);
  }
  assert.deepEqual(counts, expected, `partition counts of ${consumers.join(', ')}`);
}

async function addConsumer(page, group, topic, name) {
  const form = await openForm(page, 'Add consumer');
  await form.getByLabel('Group (group.id)').fill(group);
  await form.getByLabel('Topic', { exact: true }).selectOption(topic);
  await form.getByLabel('Name (client.id)').fill(name);
  await form.getByRole('button', { name: 'Add consumer' }).click();
  await page.getByRole('listitem', { name: `Consumer ${name}` }).waitFor();
  await closeDrawers(page);
}

test('a user builds a topic, a keyed producer and a group, and watches it rebalance and lag', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  await page.getByLabel('Speed').selectOption('8');

  // A topic of 6 partitions.
  const topicForm = await openForm(page, 'Create topic');
  await topicForm.getByLabel('Topic name').fill('payments');
  await topicForm.getByLabel('Partitions', { exact: true }).fill('6');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  const table = page.getByRole('table', { name: 'Partitions of payments' });
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 6);

  // A keyed producer.
  const producerForm = await openForm(page, 'Add producer');
  await producerForm.getByLabel('Name (client.id)').fill('gateway');
  await producerForm.getByLabel('Topic', { exact: true }).selectOption('payments');
  await producerForm.getByLabel('Rate (records/s)').fill('400');
  await producerForm.getByLabel('Keys', { exact: true }).selectOption('uniform');
  await producerForm.getByRole('button', { name: 'Add producer' }).click();
  await page.getByRole('article', { name: 'Producer gateway' }).waitFor();

  // Two consumers in a group: 3 partitions each.
  await addConsumer(page, 'ledger', 'payments', 'ledger-1');
  await addConsumer(page, 'ledger', 'payments', 'ledger-2');
  const group = page.getByRole('region', { name: 'Group ledger' });
  await group.waitFor();
  await waitForCounts(page, ['ledger-1', 'ledger-2'], [3, 3]);
  // Lag is measured against committed offsets: the card says how often they move.
  await group.getByText('auto commit every 5 s').waitFor();
  await shot(page, 'two-consumers');

  // A third joins: 2 each after the rebalance.
  await addConsumer(page, 'ledger', 'payments', 'ledger-3');
  await waitForCounts(page, ['ledger-1', 'ledger-2', 'ledger-3'], [2, 2, 2]);
  assert.equal(await group.getByLabel('State Stable').count(), 1);
  await shot(page, 'three-consumers');

  // One is removed: 3 each again.
  await page.getByRole('button', { name: 'Remove ledger-2' }).click();
  await waitForCounts(page, ['ledger-1', 'ledger-3'], [3, 3]);

  // Slow them down: lag appears.
  const totalLag = async () => Number((await group.getByLabel('Total lag of ledger').textContent()).replace(/,/g, ''));
  for (const c of ['ledger-1', 'ledger-3']) {
    const input = page.getByLabel(`Processing time per record of ${c} in milliseconds`);
    await input.fill('40');
    await input.press('Enter');
    await input.blur();
  }
  let lag = 0;
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && lag < 3000) { await page.waitForTimeout(300); lag = await totalLag(); }
  assert.ok(lag >= 3000, `lag appears: ${lag}`);
  await shot(page, 'lag');

  // A second group reads the same partitions with its own offsets: each row names both owners,
  // compactly (the group's colour says which; long names are cut, in full on hover), and the
  // table still fits its card.
  const long = 'audit-consumer-with-a-rather-long-client-id';
  await addConsumer(page, 'audit', 'payments', long);
  await until(`${long} owns every partition of payments`,
    async () => (await table.getByTitle(`${long}: owner in group audit`).count()) === 6);
  assert.equal(await table.getByTitle(/^ledger-[13]: owner in group ledger$/).count(), 6);
  const owners = (await table.locator('tbody tr').first().getByTitle(/owner in group/).allTextContents()).map((o) => o.trim());
  // Groups in name order: audit, then ledger.
  assert.ok(owners[0] === long.slice('audit-'.length) && ['1', '3'].includes(owners[1]), `owners of P0 shown compactly: ${owners}`);
  await shot(page, 'two-groups');
  const [right, cardRight] = await table.evaluate((t) => [t.getBoundingClientRect().right, t.closest('.card').getBoundingClientRect().right]);
  assert.ok(right <= cardRight + 1, `the partition table fits its card with two groups: ${right} > ${cardRight}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an invalid topic name is rejected with a message and nothing changes', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const topicForm = await openForm(page, 'Create topic');
  await topicForm.waitFor();
  await topicForm.getByLabel('Topic name').fill('bad name!');
  const fieldAlert = topicForm.getByRole('alert').first();
  await fieldAlert.waitFor();
  assert.match(await fieldAlert.textContent(), /illegal, it contains a character other than ASCII alphanumerics/);
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('table', { name: 'Partitions of bad name!' }).count(), 0);
  assert.equal(await page.getByRole('region', { name: /^Topic / }).count(), 1, 'only the demo topic');
  await topicForm.getByLabel('Topic name').fill('.');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await topicForm.getByText('Topic name cannot be "." or ".."').waitFor();
  assert.equal(await topicForm.getByRole('alert').count(), 1, 'the message shows once');
  await shot(page, 'invalid-topic');
  // A new mistake replaces the old message instead of sitting beside it.
  await topicForm.getByLabel('Topic name').fill('good');
  await topicForm.getByLabel('Partitions').fill('0');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await until('the partitions message', async () => /artition/.test((await topicForm.getByRole('alert').allTextContents()).join(' ')));
  const alerts = await topicForm.getByRole('alert').allTextContents();
  assert.equal(alerts.length, 1, `one message: ${alerts}`);
  assert.doesNotMatch(alerts[0], /Topic name/);
  await topicForm.getByLabel('Partitions').fill('3');
  assert.equal(await topicForm.getByRole('alert').count(), 0, 'editing clears it');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('keyboard: space pauses, the right arrow steps, ? lists the shortcuts', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  const clock = page.getByLabel('Simulated time');
  const t0 = await clock.textContent();
  await page.waitForTimeout(400);
  assert.equal(await clock.textContent(), t0, 'paused: the clock stands still');
  const log = page.getByRole('list', { name: 'Events, newest first' });
  const before = await log.locator('li').first().textContent();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(100);
  assert.notEqual(await log.locator('li').first().textContent(), before, 'stepping processes events');
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  // Closed at once (no longer a dialog to assistive technology), gone from the page a frame later.
  await dialog.waitFor({ state: 'detached' });
  await page.locator('dialog.dialog').waitFor({ state: 'detached' });
  // Space on a focused button presses that button; the simulation stays as it is.
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  const pauseConsumer = page.getByRole('button', { name: 'Pause billing-1' });
  // pause() pauses the partitions a consumer holds: the button waits for its assignment.
  await until('billing-1 has partitions to pause', () => pauseConsumer.isEnabled());
  await pauseConsumer.focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Resume billing-1' }).waitFor();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a crashed consumer stays in its group, gone, until its session times out', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByLabel('Speed').selectOption('8');
  const members = page.getByRole('list', { name: 'Members of billing' });
  await members.getByRole('listitem', { name: 'Consumer billing-2' }).getByText('orders-3').waitFor();
  await page.getByRole('button', { name: 'Crash billing-2' }).click();
  const gone = members.getByRole('listitem', { name: 'Consumer billing-2 (gone)' });
  await gone.waitFor();
  assert.match(await gone.textContent(), /session\.timeout\.ms/);
  assert.ok((await gone.getByText(/^orders-\d$/).count()) >= 1, 'it still holds its partitions');
  await shot(page, 'crashed-member');
  // 45 s of session timeout at 8x: the coordinator drops it and billing-1 takes every partition.
  await gone.waitFor({ state: 'detached', timeout: 15000 });
  await until('billing-1 owns all six partitions',
    async () => (await members.getByRole('listitem', { name: 'Consumer billing-1' }).locator('.chip').count()) === 6);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a bad scenario or seed in the address is named, and the demo runs', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=nope&seed=abc`);
  const alert = page.getByRole('alert').filter({ hasText: 'no scenario "nope"' });
  await alert.waitFor();
  assert.match(await alert.textContent(), /seed="abc" is not a whole number/);
  await page.getByRole('region', { name: 'Topic orders' }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('restarting with a new seed keeps the clock paused and puts the seed in the address', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Restart' }).click();
  await page.getByText('Started over with seed 7.').waitFor();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  assert.match(page.url(), /[?&]seed=7$/);
  await page.reload();
  await page.getByRole('spinbutton', { name: 'Seed' }).waitFor();
  assert.equal(await page.getByRole('spinbutton', { name: 'Seed' }).inputValue(), '7', 'a reload replays seed 7');
  assert.deepEqual(problems, []);
  await page.context().close();
});
