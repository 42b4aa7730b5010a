// Issue 17: lessons, walked by keyboard only as a learner would: the Lessons menu, every step's
// text (in a live region) and what it points at, each task done by typing into the forms, Back to
// where a step began, the address carrying the step; a screenshot of every step in artifacts/.
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

// Presses Tab until `target` has focus (keyboard only: no clicks, no programmatic focus).
async function tabTo(page, target, limit = 120) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

const panel = (page) => page.getByRole('region', { name: /./ }).filter({ has: page.locator('#lesson-step-title') });

async function stepTitle(page) {
  return (await page.locator('#lesson-step-title').textContent()).trim();
}

test('first-look, by keyboard: every step, its task done by typing, Back, and the address', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 1400, height: 900 });
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  // Dismiss the intro if a first visit shows it (by keyboard).
  const gotIt = page.getByRole('button', { name: 'Got it' });
  if (await gotIt.isVisible()) { await tabTo(page, gotIt); await page.keyboard.press('Enter'); }

  const lessons = page.getByRole('button', { name: 'Lessons' });
  await tabTo(page, lessons);
  await page.keyboard.press('Enter');
  const menu = page.getByRole('dialog', { name: 'Lessons' });
  const first = menu.getByRole('button', { name: /First look/ });
  await tabTo(page, first);
  await page.keyboard.press('Enter');
  await page.locator('#lesson-step-title').waitFor();

  const seen = [];
  for (let n = 1; ; n++) {
    const title = await stepTitle(page);
    seen.push(title);
    await until(`the address at step ${n}`, () => page.evaluate((n) => location.search === `?lesson=first-look&step=${n}`, n));
    assert.match(await page.locator('.lesson-count').textContent(), new RegExp(`^Step ${n} of 6$`));
    // What the step points at is outlined (and so on screen).
    const pointed = page.locator('.lesson-pointed');
    await pointed.first().waitFor();
    assert.ok(await pointed.first().isVisible(), `step ${n} points at something visible`);
    await page.waitForTimeout(900);
    await shot(page, `lesson-first-look-${n}`, { fullPage: false });

    if (n === 3) {
      // The formula's numbers are the engine's: the record keyed user-42 is on partition 4.
      assert.match(await page.locator('.lesson-body').textContent(), /1459644460 % 6 = 4/);
      assert.equal(await pointed.first().getAttribute('data-point'), 'partition:orders-4');
    }
    if (n === 4) {
      // Back returns to where step 3 began, and Continue comes back to step 4.
      const seconds = async () => parseFloat(await page.getByLabel('Simulated time').first().textContent());
      const before = await seconds();
      const back = page.getByRole('button', { name: '← Back' });
      await tabTo(page, back);
      await page.keyboard.press('Enter');
      await until('back at step 3', async () => (await stepTitle(page)) === seen[2]);
      // Where step 3 began (its actions applied, its time simulated), paused there; the
      // group of step 4 is not there yet.
      assert.ok((await seconds()) < before - 7, `back in time: ${before} s -> ${await seconds()} s`);
      await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Group billing' }).count(), 0);
      const cont = page.getByRole('button', { name: 'Continue →' });
      await tabTo(page, cont);
      await page.keyboard.press('Enter');
      await until('step 4 again', async () => (await stepTitle(page)) === title);
    }
    if (n === 6) {
      // The task: bring the lag back under 100 by typing each consumer's ms/record.
      await page.locator('.task-status').filter({ hasText: /^Not yet: group billing lag is \d+, not < 2000\.$/ }).waitFor();
      for (const c of ['billing-1', 'billing-2']) {
        const field = page.getByLabel(`Processing time per record of ${c} in milliseconds`);
        await tabTo(page, field);
        await page.keyboard.press('Control+A');
        await page.keyboard.type('0.1');
        await page.keyboard.press('Tab');
      }
      await page.locator('.task-status.done').waitFor({ timeout: 60000 });
      await shot(page, 'lesson-first-look-6-done', { fullPage: false });
      await checkA11y(page, '.lesson');
      const finish = page.getByRole('button', { name: 'Finish' });
      await tabTo(page, finish);
      await page.keyboard.press('Enter');
      await page.getByText('That is the end of this lesson.').waitFor();
      break;
    }
    const cont = page.getByRole('button', { name: 'Continue →' });
    await tabTo(page, cont);
    await page.keyboard.press('Enter');
    await until(`step ${n + 1}`, async () => (await stepTitle(page)) !== title);
  }
  assert.equal(seen.length, 6);
  assert.equal(await page.locator('.lesson-body').getAttribute('aria-live'), 'polite');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('?lesson=&step= opens a step; Show me does the task; a bad name is named', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?lesson=first-look&step=6`, { width: 1400, height: 900 });
  await page.locator('#lesson-step-title').filter({ hasText: 'A slow group falls behind' }).waitFor();
  await page.getByRole('button', { name: 'Show me' }).click();
  await page.locator('.task-status.done').waitFor({ timeout: 60000 });
  assert.deepEqual(problems, []);
  await page.context().close();

  const bad = await openPage(browser, `${server.url}?lesson=no-such-lesson`, { width: 1400, height: 900 });
  await bad.page.getByRole('alert').filter({ hasText: 'There is no lesson "no-such-lesson"; the lessons are first-look' }).waitFor();
  await bad.page.context().close();
});

test('presenter mode at 1280x720 and at 150 % zoom: each step fits without scrolling, driven by remote keys', async () => {
  for (const [width, height, scale] of [[1280, 720, 1], [853, 480, 1.5]]) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${server.url}?lesson=first-look&present=1`);
    await page.locator('#lesson-step-title').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Lessons' }).count(), 0, 'no page chrome');
    for (let n = 1; n <= 6; n++) {
      await until(`step ${n}`, async () => (await page.locator('.lesson-count').textContent()) === `Step ${n} of 6`);
      await page.waitForTimeout(700);
      const fit = await page.evaluate(() => {
        const lesson = document.querySelector('.lesson').getBoundingClientRect();
        const pointed = document.querySelector('.lesson-pointed')?.getBoundingClientRect();
        const buttons = [...document.querySelectorAll('.lesson-nav button')].map((b) => b.getBoundingClientRect());
        return {
          page: document.documentElement.scrollHeight <= innerHeight + 1,
          caption: lesson.top >= 0 && lesson.bottom <= innerHeight + 1,
          buttons: buttons.every((b) => b.bottom <= lesson.bottom + 1),
          // Whatever the step points at shows above the caption.
          pointed: !pointed || (pointed.bottom > 60 && pointed.top < lesson.top),
        };
      });
      assert.deepEqual(fit, { page: true, caption: true, buttons: true, pointed: true }, `${width}x${height} step ${n}`);
      await shot(page, `present-${width}x${height}-step-${n}`, { fullPage: false });
      if (n < 6) await page.keyboard.press('PageDown');
    }
    // PageUp goes back; b pauses and plays; Escape leaves presenter mode.
    await page.keyboard.press('PageUp');
    await until('back to step 5', async () => (await page.locator('.lesson-count').textContent()) === 'Step 5 of 6');
    await page.keyboard.press('b');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await page.keyboard.press('b');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Lessons' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  }
});
