// Issue 20: the cost model on the page. The throughput lab sweeps linger.ms on the
// throughput-lab scenario and the points are read from the accessible table beside the chart;
// the Costs drawer shows each broker's load and switches TLS on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, checkA11y, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test('a linger.ms sweep in the throughput lab: the table holds every point, latency rises', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=throughput-lab&speed=1`, { width: 1500, height: 1000 });
  const lab = await openForm(page, 'Throughput lab');
  await lab.getByLabel('Setting').selectOption('linger.ms');
  await lab.getByRole('textbox', { name: 'Values' }).fill('0, 5, 20');
  await lab.getByRole('button', { name: 'Run sweep' }).click();
  await lab.getByRole('status').filter({ hasText: '3 points measured' }).waitFor({ timeout: 120000 });
  const table = lab.getByRole('table', { name: 'Sweep results' });
  const rows = await table.getByRole('row').allTextContents();
  assert.equal(rows.length, 4, rows.join('\n'));
  const cells = async (i) => (await table.getByRole('row').nth(i).getByRole('cell').allTextContents()).map(Number);
  const header = async (i) => (await table.getByRole('row').nth(i).getByRole('rowheader').textContent());
  assert.deepEqual([await header(1), await header(2), await header(3)], ['0', '5', '20']);
  const [a, b, c] = [await cells(1), await cells(2), await cells(3)];
  // records/s holds at the load (400,000/s); requests/s falls; p99 (column 5) rises.
  for (const r of [a, b, c]) assert.ok(Math.abs(r[0] - 400000) < 4000, `records/s ${r}`);
  assert.ok(a[2] > b[2] && b[2] >= c[2], `requests/s ${a[2]} ${b[2]} ${c[2]}`);
  assert.ok(a[4] <= b[4] && b[4] < c[4], `p99 ${a[4]} ${b[4]} ${c[4]}`);
  await page.getByRole('img', { name: /^Throughput against p99 latency for linger\.ms: 0 gives/ }).waitFor();
  // A second sweep of another setting keeps the first as a curve of its own, by keyboard.
  await lab.getByLabel('Setting').selectOption('batch.size');
  await lab.getByRole('textbox', { name: 'Values' }).fill('2048, 16384');
  await lab.getByRole('button', { name: 'Run sweep' }).focus();
  await page.keyboard.press('Enter');
  await lab.getByRole('status').filter({ hasText: '2 points measured' }).waitFor({ timeout: 120000 });
  await lab.getByText('Earlier sweeps, dashed: linger.ms (3 points).').waitFor();
  assert.match(await lab.getByLabel('Engine speed').textContent(), /^engine: [0-9.]+ M records\/s of wall time/);
  await shot(page, 'throughput-lab', { fullPage: false });
  await checkA11y(page, 'dialog.drawer[open]');
  await closeDrawers(page);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the Costs drawer shows the brokers at work and turns TLS on; a bad value is named', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=throughput-lab&speed=1`, { width: 1500, height: 1000 });
  await until('broker 1 at work', async () => /handlers \d+% · in/.test(await page.getByLabel('Load of broker 1').textContent().catch(() => '')));
  const costs = await openForm(page, 'Costs');
  const load = costs.getByRole('table', { name: 'Broker load over the last second' });
  await until('load rows', async () => (await load.getByRole('row').count()) === 4);
  await costs.getByLabel('num.io.threads').fill('0');
  await costs.getByRole('button', { name: 'Apply costs' }).click();
  await costs.getByRole('alert').filter({ hasText: 'num.io.threads must be between 1 and 256' }).waitFor();
  await costs.getByLabel('num.io.threads').fill('8');
  await costs.getByLabel('security.protocol').selectOption('SSL');
  await costs.getByRole('button', { name: 'Apply costs' }).click();
  await costs.getByRole('status').filter({ hasText: 'New costs in force' }).waitFor();
  await shot(page, 'costs-drawer', { fullPage: false });
  await checkA11y(page, 'dialog.drawer[open]');
  await closeDrawers(page);
  await page.getByRole('button', { name: /^Costs/ }).filter({ hasText: 'TLS' }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});
