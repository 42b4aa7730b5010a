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
