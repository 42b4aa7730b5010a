// End-to-end (issue 15): a consumer that reads nothing says why, as a user meets it: a new group
// waiting for more members before its first rebalance, a deleted topic, a cluster with every
// broker down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, checkA11y } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const group = (page, id) => page.getByRole('region', { name: `Group ${id}` });
const member = (page, name) => page.getByRole('listitem', { name: `Consumer ${name}` });

test('a new group says it waits group.initial.rebalance.delay.ms for more members', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const note = group(page, 'billing').getByRole('status')
    .filter({ hasText: /waits group\.initial\.rebalance\.delay\.ms \(3 s\) for more members/ });
  await note.waitFor({ timeout: 5000 });
  await member(page, 'billing-1').filter({ hasText: /waiting for the group's first rebalance \(initial delay/ }).waitFor();
  // Once the delay is over the group rebalances and the note goes.
  await note.waitFor({ state: 'detached', timeout: 15000 });
  await group(page, 'billing').getByLabel('State Stable').waitFor({ timeout: 15000 });
  assert.deepEqual(problems, []);
});

test('after its topic is deleted a member says the topic does not exist', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await group(page, 'billing').getByLabel('State Stable').waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Delete topic orders' }).click();
  for (const name of ['billing-1', 'billing-2']) {
    const row = member(page, name);
    await row.filter({ hasText: /idle: topic "orders" does not exist/ }).waitFor({ timeout: 15000 });
    assert.doesNotMatch(await row.textContent(), /more members than partitions/);
  }
  await checkA11y(page, '.group');
  assert.deepEqual(problems, []);
});

test('with every broker down a banner says the cluster is unavailable, and the group card and its members that the coordinator is unreachable', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await group(page, 'billing').getByLabel('State Stable').waitFor({ timeout: 15000 });
  for (const b of [1, 2, 3]) await page.getByRole('button', { name: `Kill broker ${b}` }).click();
  await group(page, 'billing').getByLabel(/Coordinator unavailable/).waitFor({ timeout: 15000 });
  await member(page, 'billing-1').filter({ hasText: /cannot reach its group coordinator/ }).waitFor();
  assert.equal(await group(page, 'billing').getByLabel('State Stable', { exact: true }).count(), 0, 'no green Stable badge');
  await page.getByRole('alert').filter({ hasText: 'The cluster is unavailable: every broker is down.' }).waitFor();
  await checkA11y(page, '.broker-area');
  await page.getByRole('button', { name: 'Restart broker 2' }).click();
  assert.equal(await page.getByRole('alert').filter({ hasText: 'The cluster is unavailable' }).count(), 0, 'gone with one broker back');
  assert.deepEqual(problems, []);
});
