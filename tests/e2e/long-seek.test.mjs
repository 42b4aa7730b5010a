// End-to-end (issue 14): a seek that needs a long replay (1,000,000 records/s, far from a
// checkpoint) is spread over frames: the page says how far it got, stays responsive, ends at
// the time asked, and can be stopped where the replay got to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { startServer, launch, openPage } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const scenario = {
  seed: 1,
  topics: [{ name: 't', partitions: 16 }],
  producers: [{ name: 'p', load: { topic: 't', rate: 1000000 } }],
  consumers: [{ name: 'c', config: { 'group.id': 'g' }, topics: ['t'] }],
  duration_ms: 20000,
};
const link = () => `${server.url}#s=v1.d.${deflateRawSync(Buffer.from(JSON.stringify({ scenario, log: [], time: 20000, end: 20000 }))).toString('base64url')}`;
const seconds = (text) => Number(text.match(/([\d.]+) s/)[1]);

async function open() {
  const { page, problems } = await openPage(browser, link());
  await page.getByLabel('Simulated time').filter({ hasText: '20.0 s' }).waitFor({ timeout: 120000 });
  const track = page.getByRole('slider', { name: 'Session time' });
  const box = await track.boundingBox();
  const clickAt = (f) => page.mouse.click(box.x + box.width * f, box.y + box.height / 2);
  return { page, problems, clickAt };
}

test('a long seek shows its progress and ends at the time asked', async () => {
  const { page, problems, clickAt } = await open();
  await clickAt(0.63);
  const status = page.getByRole('status').filter({ hasText: /^Replaying to/ });
  await status.waitFor({ timeout: 5000 });
  const target = seconds(await status.textContent());
  assert.match(await status.textContent(), /Replaying to [\d.]+ s: \d+%/);
  await status.waitFor({ state: 'detached', timeout: 60000 });
  assert.equal(seconds(await page.getByLabel('Simulated time').textContent()), target);
  assert.equal(await page.getByRole('button', { name: 'Play', exact: true }).count(), 1, 'paused there');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Stop here leaves the run where the replay got to, and it goes on from there', async () => {
  const { page, problems, clickAt } = await open();
  await clickAt(0.37);
  const status = page.getByRole('status').filter({ hasText: /^Replaying to/ });
  await status.waitFor({ timeout: 5000 });
  const target = seconds(await status.textContent());
  await status.getByRole('button', { name: 'Stop here' }).click();
  await status.waitFor({ state: 'detached' });
  const stopped = seconds(await page.getByLabel('Simulated time').textContent());
  assert.ok(stopped < target, `stopped before ${target} s: ${stopped} s`);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});
