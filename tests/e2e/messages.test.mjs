// End-to-end (issue 15, "messages that are wrong today"): each says the real cause.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

// A share link to a session, made as the page makes one (`#s=v1.d.<base64url(deflate(JSON))>`).
function link(session) {
  return `${server.url}#s=v1.d.${deflateRawSync(Buffer.from(JSON.stringify(session))).toString('base64url')}`;
}

test('the network-faults badge summarises every rule in force, with where it applies', async () => {
  const scenario = {
    seed: 3,
    cluster: { brokers: 3 },
    topics: [{ name: 'orders', partitions: 3 }],
    producers: [{ name: 'web', load: { topic: 'orders', rate: 100 } }],
    actions: [{ at: 0, action: { type: 'set_faults', faults: [
      { drop_responses_percent: 20 },
      { producer: 'web', broker: 2, extra_delay_ms: 50, reject_requests_percent: 2.5 },
    ] } }],
    duration_ms: 1000,
  };
  const { page, problems } = await openPage(browser, link({ scenario, log: [], time: 1000, end: 1000 }));
  const faults = page.locator('details.faults summary');
  await faults.getByText('2 rules: 20% responses lost; producer "web" → broker 2: 2.5% refused · +50 ms').waitFor();
  assert.deepEqual(problems, []);
});

test('a processor whose input topic was deleted warns instead of showing a plain Polling', async () => {
  const scenario = {
    seed: 4,
    topics: [{ name: 'orders', partitions: 2 }, { name: 'totals', partitions: 1 }],
    producers: [{ name: 'web', load: { topic: 'orders', rate: 50 } }],
    actions: [
      { at: 0, action: { type: 'add_processor', name: 'sum', input: 'orders', output: 'totals', guarantee: 'exactly_once' } },
      { at: 4000, action: { type: 'delete_topic', name: 'orders' } },
    ],
    duration_ms: 6000,
  };
  const { page, problems } = await openPage(browser, link({ scenario, log: [], time: 6000, end: 6000 }));
  await page.getByRole('article', { name: 'Processor sum' }).getByRole('status')
    .filter({ hasText: 'its input topic "orders" does not exist (deleted?): nothing to read' }).waitFor();
  assert.deepEqual(problems, []);
});

test('number fields name the field and the real limit, inline, and clear on edit', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();

  // Rate 1e12: a number, over the limit (it said "must be a whole number").
  await page.getByText('Add producer', { exact: true }).first().click();
  const form = page.getByRole('form', { name: 'Add producer' });
  await form.getByLabel('Rate (records/s)').fill('1e12');
  await form.getByRole('button', { name: 'Add producer' }).click();
  await form.getByRole('alert').filter({ hasText: /at most 10000000/ }).waitFor();
  await form.getByLabel('Rate (records/s)').fill('100');
  assert.equal(await form.getByRole('alert').count(), 0, 'the message clears on edit');

  // A consumer's processing time: negative, then 1e12 (it said "at most a minute" with an
  // internal config name, and "must be a number").
  const ms = page.getByLabel('Processing time per record of billing-1 in milliseconds');
  const row = page.getByRole('listitem', { name: 'Consumer billing-1' });
  await ms.fill('-3');
  await ms.press('Enter');
  await ms.blur();
  await row.getByRole('alert').filter({ hasText: 'Processing time (ms/record) must be 0 or more.' }).waitFor();
  await ms.fill('1e12');
  await ms.blur();
  await row.getByRole('alert').filter({ hasText: 'Processing time (ms/record) must be at most 60000' }).waitFor();
  assert.doesNotMatch(await row.textContent(), /sim\.processing/);
  await ms.fill('2');
  assert.equal(await row.getByRole('alert').count(), 0);

  // Increase partitions: an inline message (the form validated natively, silently).
  const grow = page.getByRole('form', { name: 'Increase partitions of orders' });
  await grow.getByLabel('New partition count for orders').fill('');
  await grow.getByRole('button', { name: 'Increase' }).click();
  await grow.getByRole('alert').filter({ hasText: 'Partitions is empty: enter a whole number.' }).waitFor();
  await grow.getByLabel('New partition count for orders').fill('9');
  assert.equal(await grow.getByRole('alert').count(), 0);

  // A negative seed (it did nothing), and one past 2^53 - 1.
  const seed = page.getByRole('form', { name: 'Seed' });
  await seed.getByLabel('Seed').fill('-5');
  await seed.getByRole('button', { name: 'Restart' }).click();
  await seed.getByRole('alert').filter({ hasText: 'Seed must be 0 or more.' }).waitFor();
  await seed.getByLabel('Seed').fill('1e16');
  await seed.getByRole('button', { name: 'Restart' }).click();
  await seed.getByRole('alert').filter({ hasText: 'Seed must be at most 9007199254740991' }).waitFor();
  assert.deepEqual(problems, []);
});
