// The playground's memory bound (sim.log.memory.bytes), as a visitor meets it: the built-in
// scenario writes far more than 1 MB; the oldest records go before the slow group reads them, and
// the page tells this apart from Kafka's retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('records the memory bound removes are shown as evicted, not as retention', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=memory-bound`);
  await page.getByLabel('Speed').selectOption('8');
  const group = page.getByRole('region', { name: 'Group reporting' });
  await group.waitFor();
  await until('the group counts evicted records', async () => (await group.getByText('Evicted (memory)').count()) === 1, 60000);
  const cell = page.getByLabel(/the playground's memory bound removed [\d,]+ records below \d+/);
  await cell.first().waitFor();
  await shot(page, 'memory-bound');
  assert.deepEqual(problems, []);
  await page.context().close();
});
