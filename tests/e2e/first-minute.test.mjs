// End-to-end (issue 15): the page as a first visitor meets it. While the module downloads the
// page says it is loading (on a slow link it was blank for seconds); if it cannot start, it says
// so instead of staying blank.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('a slow download shows a loading indicator, which goes once the app runs', async () => {
  const page = await (await browser.newContext()).newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/brokerlab_bg.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(server.url);
  const loading = page.getByRole('status').filter({ hasText: 'Loading the Kafka simulation' });
  await loading.waitFor();
  release();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 15000 });
  assert.equal(await loading.count(), 0, 'the placeholder is gone');
});

test('a module that cannot load says so instead of a blank page', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.route('**/brokerlab_bg.wasm', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await page.goto(server.url);
  await page.getByRole('status').filter({ hasText: /brokerlab could not start: .*WebAssembly/ }).waitFor();
});

test('the timeline has a key to its marker colours', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  const key = page.locator('details.marker-legend summary');
  assert.equal(await key.getAttribute('aria-label'), 'Key to the marker colours');
  await key.click();
  const items = page.locator('details.marker-legend li');
  assert.equal(await items.count(), 6);
  await items.filter({ hasText: 'Rebalance (a new generation)' }).waitFor();
  await items.filter({ hasText: 'Broker killed or restarted' }).waitFor();
});

test('Play/Pause says what it does by its label alone, and the running clock is not announced', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  await pause.waitFor();
  assert.equal(await pause.getAttribute('aria-pressed'), null, 'a label that changes, not a toggle state');
  // <output> is a live region by default: the clock changed several times a second.
  assert.equal(await page.getByLabel('Simulated time').getAttribute('aria-live'), 'off');
});
