// Issue 19 (first part): a Kafka Streams application on the page. The analytics scenario shows
// its two applications with their topology names, instances and tasks; a Crash button takes an
// instance down and Restart brings it back, by keyboard; the panel passes axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, checkA11y } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test('the analytics scenario shows its Streams applications; an instance crashes and restarts by keyboard', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=streams-1-real-time-analytics&speed=8`, { width: 1500, height: 1000 });
  const app = page.getByRole('region', { name: 'Kafka Streams application clicks-per-minute' });
  await app.waitFor({ timeout: 30000 });
  assert.match(await app.getByLabel('Topology of clicks-per-minute').textContent(), /^KSTREAM-SOURCE-0000000000 → KSTREAM-FILTER-0000000001 → KSTREAM-AGGREGATE-0000000003/);
  const one = app.getByLabel('Streams instance clicks-per-minute-1');
  await until('tasks running', async () => /0_0\s*running/.test(await one.textContent()));
  const crash = page.getByRole('button', { name: 'Crash clicks-per-minute-1', exact: true });
  await crash.focus();
  await page.keyboard.press('Enter');
  await one.getByText('CRASHED').waitFor();
  const restart = page.getByRole('button', { name: 'Restart clicks-per-minute-1', exact: true });
  await restart.focus();
  await page.keyboard.press('Enter');
  await until('running again', async () => /RUNNING|COMMITTING|PROCESSING/.test(await one.locator('.badge').first().textContent()));
  // The materialized view: top users of the newest window, and a key looked up by typing it.
  const view = page.getByRole('region', { name: 'Materialized view clicks-view' });
  const top = view.getByRole('table', { name: /^Top users in \[\d+ s, \d+ s\)$/ });
  await top.waitFor({ timeout: 30000 });
  await until('ten users ranked', async () => (await top.getByRole('row').count()) === 11);
  await view.getByRole('textbox', { name: 'User id' }).focus();
  await page.keyboard.type('user-7');
  await page.keyboard.press('Enter');
  const answer = view.getByLabel('Answer for user-7');
  await answer.getByText(/user-7 hashes to partition 8, so task 0_8 holds it on clicks-per-minute-\d/).waitFor();
  await until('the view has rows for user-7', async () => /user-7 in clicks-view: \[\d+ s, \d+ s\) = \d+/.test(await answer.textContent()));
  // Lag per task.
  await app.getByRole('columnheader', { name: 'Lag' }).first().waitFor();
  await view.scrollIntoViewIfNeeded();
  await shot(page, 'streams-view', { fullPage: false });
  await page.locator('.streams-panel').scrollIntoViewIfNeeded();
  await shot(page, 'streams-panel', { fullPage: false });
  await checkA11y(page, '.streams-panel');
  assert.deepEqual(problems, []);
  await page.context().close();
});
