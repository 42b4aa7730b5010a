// Issue 19 (first part): a Kafka Streams application on the page. The analytics scenario shows
// its two applications with their topology names, instances and tasks; a Crash button takes an
// instance down and Restart brings it back, by keyboard; the panel passes axe.
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

test('the Add Streams app form starts a re-keyed application with its view; a clash is named', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=streams-1-real-time-analytics&speed=4`, { width: 1500, height: 1000 });
  await page.getByRole('region', { name: 'Kafka Streams application clicks-per-minute' }).waitFor({ timeout: 30000 });
  const topicForm = await openForm(page, 'Create topic');
  await topicForm.getByLabel('Topic name').fill('clicks-per-page');
  await topicForm.getByLabel('Partitions', { exact: true }).fill('3');
  await topicForm.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('table', { name: 'Partitions of clicks-per-page' }).waitFor();

  const form = await openForm(page, 'Add Streams app');
  // The application.id of a running application is refused, naming it; nothing starts.
  await form.getByRole('button', { name: 'Start application' }).click();
  await form.getByRole('alert').filter({ hasText: 'An application with application.id "clicks-per-minute" runs already.' }).waitFor();
  await form.getByLabel('application.id').fill('page-clicks');
  await form.getByLabel('Input topic').selectOption('events');
  await form.getByLabel('Output topic').selectOption('clicks-per-page');
  await form.getByLabel('Keep only').selectOption('click');
  await form.getByLabel('Group by').selectOption('page');
  await form.getByLabel('Window').selectOption('hopping');
  await form.getByLabel('Advance (s)').fill('30');
  await form.getByLabel('Bad records').selectOption('dead_letter');
  await form.getByLabel('Dead-letter topic').selectOption('events-dlq');
  // A running total of a re-keyed stream would need a second repartition topic: refused, saying so.
  await form.getByLabel('Running total to').selectOption('revenue-per-user');
  await form.getByRole('button', { name: 'Start application' }).click();
  await form.getByRole('alert').filter({ hasText: 'total_output with select_key is not modelled' }).waitFor();
  await form.getByLabel('Running total to').selectOption('');
  await shot(page, 'streams-form', { fullPage: false });
  await form.getByRole('button', { name: 'Start application' }).click();
  await form.getByRole('status').filter({ hasText: /Started page-clicks with 2 instances.*The view page-clicks-view/ }).waitFor();
  await closeDrawers(page);

  const app = page.getByRole('region', { name: 'Kafka Streams application page-clicks' });
  await app.getByText('selectKey by page: re-keyed records go through page-clicks-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition').waitFor();
  assert.match(await app.getByLabel('Topology of page-clicks').textContent(), /KSTREAM-KEY-SELECT-0000000002 → KSTREAM-FILTER-0000000006 → KSTREAM-SINK-0000000005 → KSTREAM-SOURCE-0000000007 → KSTREAM-AGGREGATE-0000000004/);
  await app.getByText('hopping 60 s every 30 s, grace 10 s').waitFor();
  const view = page.getByRole('region', { name: 'Materialized view page-clicks-view' });
  const top = view.getByRole('table', { name: /^Top pages in / });
  await top.waitFor({ timeout: 30000 });
  await top.getByRole('rowheader', { name: '/home' }).waitFor();
  await view.getByRole('textbox', { name: 'Page' }).fill('/cart');
  await page.keyboard.press('Enter');
  await view.getByLabel('Answer for /cart').getByText(/so task 1_\d holds it/).waitFor();
  await view.scrollIntoViewIfNeeded();
  await shot(page, 'streams-form-view', { fullPage: false });
  await checkA11y(page, '.streams-panel');
  assert.deepEqual(problems, []);
  await page.context().close();
});
