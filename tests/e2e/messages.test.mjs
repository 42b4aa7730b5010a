// End-to-end (issue 15, "messages that are wrong today"): each says the real cause.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { startServer, launch, openPage, openForm, closeDrawers, until } from './harness.mjs';

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
  const faults = page.locator('button.drawer-open', { hasText: 'Network faults' });
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
  const form = await openForm(page, 'Add producer');
  await form.getByLabel('Rate (records/s)').fill('1e12');
  await form.getByRole('button', { name: 'Add producer' }).click();
  await form.getByRole('alert').filter({ hasText: /at most 10000000/ }).waitFor();
  await form.getByLabel('Rate (records/s)').fill('100');
  assert.equal(await form.getByRole('alert').count(), 0, 'the message clears on edit');
  // The value size names the field as labelled (it said "Values must be ...").
  await form.getByLabel('Value size (bytes)').fill('1e12');
  await form.getByRole('button', { name: 'Add producer' }).click();
  await form.getByText('Value size (value_bytes) must be at most 1000000 bytes.').waitFor();
  await form.getByLabel('Value size (bytes)').fill('100');

  // A consumer's processing time: negative, then 1e12 (it said "at most a minute" with an
  // internal config name, and "must be a number").
  await closeDrawers(page);
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

test('records read again after an offset reset are a replay, not duplicates in red', async () => {
  const scenario = JSON.parse(await readFile(new URL('../../scenarios/storage-6-replay.json', import.meta.url)));
  const { page, problems } = await openPage(browser, link({ scenario, log: [], time: 25000, end: 25000 }));
  const audit = page.getByLabel('Delivery audit of billing');
  const value = (name) => audit.locator('div').filter({ has: page.getByText(name, { exact: true }) }).locator('dd');
  await value('Re-read after reset').waitFor();
  const reread = Number((await value('Re-read after reset').textContent()).replace(/,/g, ''));
  const acked = Number((await value('Acknowledged').textContent()).replace(/,/g, ''));
  assert.equal(reread, acked, 'every record read again once');
  assert.equal(await value('Duplicates').textContent(), '0');
  assert.equal(await value('Re-read after reset').getAttribute('class'), null, 'not marked bad');
  assert.deepEqual(problems, []);
});

test("the producers' batch bars share one scale, with the numbers shown", async () => {
  const scenario = {
    seed: 8,
    topics: [{ name: 'orders', partitions: 1 }],
    producers: [
      { name: 'few', load: { topic: 'orders', rate: 50 } },
      { name: 'many', load: { topic: 'orders', rate: 4000 }, config: { 'linger.ms': 20 } },
    ],
    duration_ms: 3000,
  };
  const { page, problems } = await openPage(browser, link({ scenario, log: [], time: 3000, end: 3000 }));
  const bars = (name) => page.getByRole('article', { name: `Producer ${name}` }).getByRole('img', { name: /^Records in the last/ });
  const label = async (name) => (await bars(name).getAttribute('aria-label'));
  await bars('many').waitFor();
  const scale = (l) => l.match(/scale of 0 to (\d+)/)[1];
  const [few, many] = [await label('few'), await label('many')];
  assert.equal(scale(few), scale(many), `one scale: ${few} / ${many}`);
  const most = (l) => Number(l.match(/most (\d+)/)[1]);
  assert.ok(most(many) > 5 * most(few), `the busy producer batches more: ${few} / ${many}`);
  // The bars of the quiet producer are short on that scale.
  const height = await bars('few').locator('.bar').last().evaluate((b) => parseFloat(b.style.height));
  assert.ok(height < 30, `a small batch draws a short bar: ${height}%`);
  await page.getByRole('article', { name: 'Producer few' }).getByText(/scale 0–\d+, all producers/).waitFor();
  assert.deepEqual(problems, []);
});

test('the narrator speaks a broker death and the elections after it, politely', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const region = page.getByRole('status', { name: 'What happens' });
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  await page.getByLabel('Speed').selectOption('8');
  await page.getByRole('button', { name: 'Kill broker 1' }).click();
  await until('the death is spoken', async () => /Broker 1 was killed\.|fenced broker 1|new leader/i.test(await region.textContent()));
  await until('the elections are spoken', async () => /New leader for|elected new leaders/.test(await region.textContent()), 20000);
  assert.ok((await region.textContent()).length < 400, 'a few sentences, not the log');
  assert.deepEqual(problems, []);
});

test('every kill notice stays readable, not only the last one', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Kill broker 1' }).click();
  await page.getByRole('button', { name: 'Kill broker 2' }).click();
  const notices = page.getByRole('list', { name: 'Broker actions' }).getByRole('listitem');
  await until('two notices', async () => (await notices.count()) === 2);
  const texts = await notices.allTextContents();
  assert.match(texts[0], /broker 1/i);
  assert.match(texts[1], /broker 2/i);
  for (const n of await notices.all()) assert.ok(await n.isVisible());
  assert.deepEqual(problems, []);
});
