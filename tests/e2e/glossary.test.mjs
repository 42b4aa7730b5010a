// End-to-end (issue 15, first minute): Kafka's words explain themselves where they appear, by
// click, keyboard or touch (not hover-only titles), from one glossary; a first visitor meets a
// three-sentence intro once, which can be dismissed and brought back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, checkA11y, until } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('a term opens its explanation by click and by keyboard, and Escape closes it', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const table = page.getByRole('table', { name: 'Partitions of orders' });
  const hw = table.getByRole('button', { name: 'HW', exact: true });
  await hw.click();
  const pop = page.getByRole('note').filter({ hasText: 'High watermark (HW)' });
  await pop.waitFor();
  assert.match(await pop.textContent(), /Consumers read only below it/);
  await page.keyboard.press('Escape');
  await pop.waitFor({ state: 'hidden' });
  // By keyboard: focus the word, Enter.
  const leo = table.getByRole('button', { name: 'LEO', exact: true });
  await leo.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('note').filter({ hasText: 'Log end offset (LEO)' }).waitFor();
  await checkA11y(page, '.term-pop:popover-open');
  await page.keyboard.press('Escape');
  // The ISR, from the topic's min.insync.replicas.
  await page.getByRole('button', { name: /^min\.insync\.replicas \d+$/ }).click();
  await page.getByRole('note').filter({ hasText: 'ISR (in-sync replicas)' }).waitFor();
  await page.keyboard.press('Escape');
  // A group's state and its generation, and the lag, explain themselves too.
  const group = page.getByRole('region', { name: 'Group billing' });
  await group.getByRole('button', { name: /^generation \d+$/ }).click();
  await page.getByRole('note').filter({ hasText: 'Commits from an older generation are refused' }).waitFor();
  await page.keyboard.press('Escape');
  await group.getByRole('button', { name: /^State / }).click();
  await page.getByRole('note').filter({ hasText: /^(PreparingRebalance|CompletingRebalance|Stable)/ }).waitFor();
  await page.keyboard.press('Escape');
  // The delivery audit's words too (they were hover-only titles).
  await group.getByLabel('Delivery audit of billing').getByRole('button', { name: 'Duplicates', exact: true }).click();
  await page.getByRole('note').filter({ hasText: 'that nobody asked for' }).waitFor();
  // A closed explanation is not in the page's text.
  await page.keyboard.press('Escape');
  await until('the explanation leaves the page', async () => !/nobody asked for/.test(await group.textContent()));
  assert.deepEqual(problems, []);
});

test('a tap opens a term on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(server.url);
  const start = page.getByRole('table', { name: 'Partitions of orders' }).getByRole('button', { name: 'Start', exact: true });
  await start.tap();
  const pop = page.getByRole('note').filter({ hasText: 'Log start offset' });
  await pop.waitFor();
  const box = await pop.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the explanation fits the phone: ${box.x}+${box.width}`);
  await context.close();
});

test('the intro shows once, goes with Got it, stays gone, and comes back on asking', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(server.url);
  const intro = page.getByRole('region', { name: 'How to read this page' });
  await intro.waitFor();
  assert.match(await intro.textContent(), /Producers write records to a topic\..*partitions live on brokers.*Consumer groups read/s);
  await checkA11y(page, '.intro');
  await intro.getByRole('button', { name: 'Got it' }).click();
  await intro.waitFor({ state: 'detached' });
  await page.reload();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.equal(await intro.count(), 0, 'a returning visitor goes straight to the simulation');
  await page.getByRole('button', { name: 'Intro', exact: true }).click();
  await intro.waitFor();
  await context.close();
});

test('the record inspector works by keyboard: focus a strip, arrows move, the record is spoken', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const clock = await page.getByLabel('Simulated time').textContent();
  const strip = page.getByRole('group', { name: /^orders-1: log start offset/ });
  await strip.focus();
  const tip = strip.getByRole('tooltip');
  await tip.waitFor();
  const newest = await tip.textContent();
  assert.match(newest, /^offset \d+key "[^"]*" · value .*producer id \d+ · epoch \d+ · sequence \d+/);
  await page.keyboard.press('ArrowLeft');
  const before = await tip.textContent();
  const offset = (t) => Number(t.match(/^offset (\d+)/)[1]);
  assert.equal(offset(before), offset(newest) - 1, 'one record back');
  await page.keyboard.press('Home');
  assert.equal(offset(await tip.textContent()), 0, 'the oldest record');
  await page.keyboard.press('End');
  assert.equal(offset(await tip.textContent()), offset(newest));
  assert.equal(await page.getByLabel('Simulated time').textContent(), clock, 'the arrows did not step the simulation');
  assert.equal(await strip.locator('[aria-live="polite"]').count(), 1, 'what the inspector shows is spoken');
  await page.keyboard.press('Tab');
  await tip.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});
