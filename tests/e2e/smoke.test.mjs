// End-to-end: the page as a user meets it, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('the demo runs: topic partitions fill up while the clock moves', async () => {
  const { page, problems } = await openPage(browser, server.url);
  const table = page.getByRole('table', { name: 'Partitions of orders' });
  await table.waitFor();
  const hw = async () => {
    // Columns: partition, strip, replicas, log start, high watermark, ...
    const cells = await table.locator('tbody tr td:nth-child(5)').allTextContents();
    return cells.reduce((a, c) => a + Number(c), 0);
  };
  const first = await hw();
  await page.waitForTimeout(1500);
  const second = await hw();
  assert.ok(second > first, `high watermarks grew: ${first} -> ${second}`);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await shot(page, 'smoke');
  assert.deepEqual(problems, []);
  await page.close();
});
