// Exactly-once, shown in the browser: lost responses make duplicates; idempotence removes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

async function lossyRun(page, idempotence) {
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  await page.getByLabel('Speed').selectOption('16');
  const topicForm = await openForm(page, 'Create topic');
  await topicForm.getByLabel('Topic name').fill('payments');
  await topicForm.getByLabel('Partitions', { exact: true }).fill('3');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('table', { name: 'Partitions of payments' }).waitFor();

  const form = await openForm(page, 'Add producer');
  await form.getByLabel('Name (client.id)').fill('gateway');
  await form.getByLabel('Topic', { exact: true }).selectOption('payments');
  await form.getByLabel('Rate (records/s)').fill('400');
  await form.getByLabel('enable.idempotence').selectOption(idempotence ? 'true' : 'false');
  await form.getByLabel('request.timeout.ms').fill('1000');
  await form.getByRole('button', { name: 'Add producer' }).click();
  await page.getByRole('article', { name: 'Producer gateway' }).waitFor();

  const consumerForm = await openForm(page, 'Add consumer');
  await consumerForm.getByLabel('Group (group.id)').fill('ledger');
  await consumerForm.getByLabel('Topic', { exact: true }).selectOption('payments');
  await consumerForm.getByLabel('auto.offset.reset').selectOption('earliest');
  await consumerForm.getByLabel('Name (client.id)').fill('ledger-1');
  await consumerForm.getByRole('button', { name: 'Add consumer' }).click();

  const faults = await openForm(page, 'Network faults');
  await faults.getByLabel('Lost responses (%)').fill('20');
  await faults.getByRole('button', { name: 'Apply faults' }).click();
  await faults.getByRole('status').waitFor();
  await closeDrawers(page);
  return page.getByRole('region', { name: 'Group ledger' });
}

const number = async (locator) => Number((await locator.textContent()).replace(/,/g, ''));
const auditValue = (group, name) => group.getByLabel('Delivery audit of ledger').locator('div', { hasText: name }).locator('dd');

test('lost responses make duplicates; with idempotence there are none', async () => {
  let { page, problems } = await openPage(browser, server.url);
  let group = await lossyRun(page, false);
  const deadline = Date.now() + 25000;
  let dup = 0;
  while (Date.now() < deadline && dup === 0) { await page.waitForTimeout(300); dup = await number(auditValue(group, 'Duplicates')); }
  assert.ok(dup > 0, `duplicates counted without idempotence: ${dup}`);
  await page.getByRole('list', { name: 'Events, newest first' }).waitFor();
  await shot(page, 'duplicates');
  assert.deepEqual(problems, []);
  await page.context().close();

  ({ page, problems } = await openPage(browser, server.url));
  group = await lossyRun(page, true);
  let consumed = 0;
  const until = Date.now() + 25000;
  while (Date.now() < until && consumed < 3000) { await page.waitForTimeout(300); consumed = await number(auditValue(group, 'Consumed')); }
  assert.ok(consumed >= 3000, `records flowed: ${consumed}`);
  assert.equal(await number(auditValue(group, 'Duplicates')), 0, 'no duplicates with idempotence');
  await shot(page, 'idempotent');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an outage longer than delivery.timeout.ms: the idempotent producer bumps its epoch and produces again', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  const card = page.getByRole('article', { name: 'Producer checkout' });
  await card.getByText('idempotent · producer id 0 · epoch 0').waitFor();
  await page.getByLabel('Speed').selectOption('64');
  const faults = await openForm(page, 'Network faults');
  await faults.getByLabel('Lost requests (%)').fill('100');
  await faults.getByRole('button', { name: 'Apply faults' }).click();
  await page.getByText('100% requests lost').waitFor();
  // Sent batches expire after delivery.timeout.ms (120 s); with nothing left in flight the
  // producer bumps its own epoch (KIP-360).
  await until('the epoch is bumped', async () => (await card.getByText(/epoch [1-9]/).count()) > 0, 60000);
  await page.getByText(/checkout bumps its epoch \(KIP-360\)/).first().waitFor();
  await faults.getByRole('button', { name: 'Heal the network' }).click();
  const acked = async () => Number((await card.locator('div', { has: page.getByText('Acknowledged', { exact: true }) }).locator('dd').first().textContent()).replace(/,/g, ''));
  const before = await acked();
  await until('records are acknowledged again', async () => (await acked()) > before + 200, 60000);
  await shot(page, 'epoch-bump');
  assert.deepEqual(problems, []);
  await page.context().close();
});
