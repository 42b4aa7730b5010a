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

// Presses Tab (or Shift+Tab, whichever way the target lies from the focus) until `target` has
// focus: keyboard only, no clicks, no programmatic focus.
async function tabTo(page, target, limit = 800) {
  await target.waitFor();
  for (let i = 0; i < limit; i++) {
    const where = await target.evaluate((el) => {
      const a = document.activeElement;
      if (el === a || el.contains(a)) return 'here';
      if (!a || a === document.body) return 'after';
      return a.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING ? 'after' : 'before';
    });
    if (where === 'here') return;
    await page.keyboard.press(where === 'after' ? 'Tab' : 'Shift+Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

async function stepTitle(page) {
  return (await page.locator('#lesson-step-title').textContent()).trim();
}

async function press(page, target) {
  await tabTo(page, target);
  await page.keyboard.press('Enter');
}

// Types into a field found by its label: select all, type, Tab on (the way a user commits it).
async function typeInto(page, field, text) {
  await tabTo(page, field);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

// Opens lesson `title` from the Lessons menu and walks it to the end by keyboard: every step
// checked for its counter, the address and what it points at, a screenshot each; `tasks[n]` does
// step n's task through the page's forms, then the tick is awaited; `atStep[n]` checks more.
async function walkLesson(page, { name, title, steps, tasks = {}, atStep = {} }) {
  await press(page, page.getByRole('button', { name: 'Lessons' }));
  await press(page, page.getByRole('dialog', { name: 'Lessons' }).getByRole('button', { name: title }));
  await page.locator('#lesson-step-title').waitFor();
  const seen = [];
  for (let n = 1; n <= steps; n++) {
    const heading = await stepTitle(page);
    seen.push(heading);
    await until(`the address at step ${n}`, () => page.evaluate(([name, n]) => location.search === `?lesson=${name}&step=${n}`, [name, n]));
    assert.equal(await page.locator('.lesson-count').textContent(), `Step ${n} of ${steps}`);
    const pointed = page.locator('.lesson-pointed');
    await pointed.first().waitFor();
    assert.ok(await pointed.first().isVisible(), `step ${n} points at something visible`);
    await page.waitForTimeout(900);
    await shot(page, `lesson-${name}-${n}`, { fullPage: false });
    if (atStep[n]) await atStep[n]({ seen, heading, pointed });
    if (tasks[n]) {
      await page.locator('.task-status').filter({ hasText: /^Not yet: / }).waitFor();
      await tasks[n]();
      await page.locator('.task-status.done').waitFor({ timeout: 90000 });
      await shot(page, `lesson-${name}-${n}-done`, { fullPage: false });
    }
    if (n < steps) {
      await press(page, page.getByRole('button', { name: 'Continue →' }));
      await until(`step ${n + 1}`, async () => (await stepTitle(page)) !== heading);
    }
  }
  await checkA11y(page, '.lesson');
  await press(page, page.getByRole('button', { name: 'Finish' }));
  await page.getByText('That is the end of this lesson.').waitFor();
  return seen;
}

async function openPlayground() {
  const { page, problems } = await openPage(browser, server.url, { width: 1400, height: 900 });
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  const gotIt = page.getByRole('button', { name: 'Got it' });
  if (await gotIt.isVisible()) await press(page, gotIt);
  return { page, problems };
}

test('first-look, by keyboard: every step, its task done by typing, Back, and the address', async () => {
  const { page, problems } = await openPlayground();
  const seconds = async () => parseFloat(await page.getByLabel('Simulated time').first().textContent());
  const seen = await walkLesson(page, {
    name: 'first-look',
    title: /First look/,
    steps: 6,
    atStep: {
      3: async ({ pointed }) => {
        // The formula's numbers are the engine's: the record keyed user-42 is on partition 4.
        assert.match(await page.locator('.lesson-body').textContent(), /1459644460 % 6 = 4/);
        assert.equal(await pointed.first().getAttribute('data-point'), 'partition:orders-4');
      },
      4: async ({ seen, heading }) => {
        // Back returns to where step 3 began, paused, and Continue comes back to step 4.
        const before = await seconds();
        await press(page, page.getByRole('button', { name: '← Back' }));
        await until('back at step 3', async () => (await stepTitle(page)) === seen[2]);
        assert.ok((await seconds()) < before - 7, `back in time: ${before} s -> ${await seconds()} s`);
        await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
        assert.equal(await page.getByRole('region', { name: 'Group billing' }).count(), 0);
        await press(page, page.getByRole('button', { name: 'Continue →' }));
        await until('step 4 again', async () => (await stepTitle(page)) === heading);
      },
    },
    tasks: {
      // Bring the lag back by typing each consumer's ms/record.
      6: async () => {
        await page.locator('.task-status').filter({ hasText: /^Not yet: group billing lag is \d+, not < 2000\.$/ }).waitFor();
        for (const c of ['billing-1', 'billing-2']) {
          await typeInto(page, page.getByLabel(`Processing time per record of ${c} in milliseconds`), '0.1');
        }
      },
    },
  });
  assert.equal(seen.length, 6);
  assert.equal(await page.locator('.lesson-body').getAttribute('aria-live'), 'polite');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('consumer-lag, by keyboard: scale out through the Add consumer form, idle consumers, a hot key, more partitions, a batch group', async () => {
  const { page, problems } = await openPlayground();
  await walkLesson(page, {
    name: 'consumer-lag',
    title: /A consumer falls behind/,
    steps: 5,
    tasks: {
      1: async () => {
        for (const name of ['analytics-2', 'analytics-3']) {
          await press(page, page.locator('button.drawer-open').filter({ hasText: 'Add consumer' }));
          const form = page.getByRole('form', { name: 'Add consumer' });
          await typeInto(page, form.getByLabel('Group (group.id)'), 'analytics');
          await typeInto(page, form.getByLabel('Processing (ms/record)'), '3');
          await typeInto(page, form.getByLabel('Name (client.id)'), name);
          await press(page, form.getByRole('button', { name: 'Add consumer' }));
          await page.getByRole('region', { name: 'Group analytics' }).getByLabel(`Consumer ${name}`).waitFor();
          if (await form.isVisible()) await page.keyboard.press('Escape');
        }
      },
    },
    atStep: {
      2: async () => {
        // The page says why the seventh consumer reads nothing.
        await page.getByLabel('Consumer analytics-7').first().getByText('idle: no partitions (more members than partitions)').waitFor();
      },
      3: async ({ pointed }) => assert.equal(await pointed.first().getAttribute('data-point'), 'partition:clicks-1'),
    },
  });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('throughput, by keyboard: batch sizes and send-to-ack latency on the producer cards, acks, consumers in parallel, order per key', async () => {
  const { page, problems } = await openPlayground();
  await walkLesson(page, {
    name: 'throughput',
    title: /Throughput/,
    steps: 5,
    atStep: {
      2: async () => {
        // The cost is on the cards, as numbers: p50 · p99 from send() to the acknowledgement.
        const latency = async (name) => {
          const text = await page.getByRole('article', { name: `Producer ${name}` }).locator('.latency dd').textContent();
          return text.match(/^(\d+) · (\d+) ms$/).slice(1).map(Number);
        };
        const [eagerP50] = await latency('eager');
        const [patientP50, patientP99] = await latency('patient');
        assert.ok(patientP50 >= 20 && patientP99 >= patientP50 && eagerP50 <= 8, `eager p50 ${eagerP50}, patient ${patientP50} · ${patientP99}`);
      },
    },
  });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('exactly-once, by keyboard: a duplicate, idempotence, fencing, an aborted transaction by its button, processors crashed and restarted', async () => {
  const { page, problems } = await openPlayground();
  await walkLesson(page, {
    name: 'exactly-once',
    title: /Exactly once/,
    steps: 7,
    tasks: {
      6: async () => press(page, page.getByRole('button', { name: 'Abort transaction of writer-b' })),
      7: async () => {
        const card = (name) => page.getByRole('article', { name: `Processor ${name}` });
        for (const name of ['enricher-alo', 'enricher-eos']) await press(page, card(name).getByRole('button', { name: `Crash ${name}` }));
        for (const name of ['enricher-alo', 'enricher-eos']) await press(page, card(name).getByRole('button', { name: `Restart ${name}` }));
      },
    },
    atStep: {
      1: async () => {
        // The audit on ledger's card counts what the lost responses duplicated.
        await until('duplicates shown', async () => {
          const text = await page.getByRole('region', { name: 'Group ledger' }).textContent();
          return /Duplicates\s*[1-9]/.test(text);
        });
      },
    },
  });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('kafka-or-rabbitmq, by keyboard: the log keeps and the queue deletes, a late group and a late queue, routing, a closed channel redelivers, a poison message, latency', async () => {
  const { page, problems } = await openPlayground();
  const queue = (name) => page.getByRole('region', { name: `Queue ${name}` });
  await walkLesson(page, {
    name: 'kafka-or-rabbitmq',
    title: /Kafka or RabbitMQ/,
    steps: 9,
    tasks: {
      5: async () => press(page, page.getByRole('button', { name: 'Close channel of worker-1' })),
    },
    atStep: {
      2: async () => {
        // Side by side, measured: the log keeps every record, the queue none of the same messages.
        const table = page.getByRole('table', { name: 'Log vs queue, for the same records' });
        await until('the log keeps what the queue deleted', async () => {
          const text = await table.textContent();
          const kept = text.match(/([\d,]+) records stay in orders/)?.[1];
          const deleted = text.match(/0 left; ([\d,]+) acknowledged and deleted/)?.[1];
          return kept !== undefined && kept === deleted;
        });
        await until('ready 0', async () => /^0 ready · 0 unacked/.test(await queue('work').locator('.queue-depth').textContent()));
      },
      3: async () => {
        await queue('late').waitFor();
        await page.getByRole('region', { name: 'Group audit' }).waitFor();
      },
      4: async ({ pointed }) => {
        assert.equal(await pointed.first().getAttribute('data-point'), 'exchange:orders');
        await page.getByRole('list', { name: 'Bindings of orders' }).getByText('orders.eu.*').waitFor();
      },
      7: async () => {
        await queue('parked').waitFor();
        await page.getByRole('region', { name: 'Share group tasks' }).waitFor();
        await until('parked holds the poison message', async () => !/^0 ready/.test(await queue('parked').locator('.queue-depth').textContent()));
      },
    },
  });
  await checkA11y(page, '.queues-panel');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('real-time-analytics, by keyboard: keyed by user id, a Streams application, a view queried by key, the dead-letter topic, late records, a crash restored, lag per task', async () => {
  const { page, problems } = await openPlayground();
  const app = page.getByRole('region', { name: 'Kafka Streams application clicks-per-minute' });
  const stat = async (name) => Number((await app.getByRole('definition').nth(['Processed', 'Results out', 'Dropped (late)', 'Dead-lettered', 'Restored'].indexOf(name)).textContent()).replace(/,/g, ''));
  await walkLesson(page, {
    name: 'real-time-analytics',
    title: /Real-time analytics/,
    steps: 7,
    tasks: {
      6: async () => press(page, page.getByRole('button', { name: 'Restart clicks-per-minute-1', exact: true })),
    },
    atStep: {
      1: async () => {
        // The lesson's own seed, not the one the page opened with.
        assert.equal(await page.getByRole('spinbutton', { name: 'Seed' }).inputValue(), '23');
      },
      2: async () => {
        await until('results out', async () => (await stat('Results out')) > 0);
      },
      3: async () => {
        const view = page.getByRole('region', { name: 'Materialized view clicks-view' });
        await view.getByRole('table', { name: /^Top users in / }).waitFor();
        await tabTo(page, view.getByRole('textbox', { name: 'User id' }));
        await page.keyboard.type('user-7');
        await page.keyboard.press('Enter');
        await view.getByLabel('Answer for user-7').getByText(/so task 0_8 holds it on clicks-per-minute-\d/).waitFor();
        await shot(page, 'lesson-real-time-analytics-3-query', { fullPage: false });
      },
      4: async () => {
        await until('dead-lettered', async () => (await stat('Dead-lettered')) > 0);
      },
      5: async () => {
        await until('dropped as late', async () => (await stat('Dropped (late)')) > 0);
      },
      6: async () => {
        await app.getByLabel('Streams instance clicks-per-minute-1').getByText('CRASHED').waitFor();
        assert.ok((await stat('Restored')) > 0);
      },
    },
  });
  await checkA11y(page, '.streams-panel');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('?lesson=&step= opens a step; Show me does the task; a bad name is named', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?lesson=first-look&step=6`, { width: 1400, height: 900 });
  await page.locator('#lesson-step-title').filter({ hasText: 'A slow group falls behind' }).waitFor();
  await page.getByRole('button', { name: 'Show me' }).click();
  // Applied once: the button goes (a second press would add a second set of consumers).
  await page.getByRole('button', { name: 'Show me' }).waitFor({ state: 'detached' });
  await page.locator('.task-status.done').waitFor({ timeout: 60000 });
  assert.deepEqual(problems, []);
  await page.context().close();

  const bad = await openPage(browser, `${server.url}?lesson=no-such-lesson`, { width: 1400, height: 900 });
  await bad.page.getByRole('alert').filter({ hasText: 'There is no lesson "no-such-lesson"; the lessons are first-look, kafka-or-rabbitmq, throughput, exactly-once, real-time-analytics, consumer-lag.' }).waitFor();
  await bad.page.context().close();
});

test('a lesson opened at a later step, or continued past an undone task, is where its text says: the earlier tasks done', async () => {
  const members = (page) => page.getByRole('region', { name: 'Group analytics' }).locator('[aria-label^="Consumer analytics-"]');
  // Step 3 of consumer-lag: step 1's task added two consumers and step 2 four more: seven.
  const opened = await openPage(browser, `${server.url}?lesson=consumer-lag&step=3`, { width: 1400, height: 900 });
  await opened.page.locator('#lesson-step-title').filter({ hasText: 'A hot key swamps one partition' }).waitFor();
  await until('seven members', async () => (await members(opened.page).count()) === 7);
  assert.deepEqual(opened.problems, []);
  await opened.page.context().close();

  // Continue at step 1 without adding the consumers: the page adds them, and says so.
  const { page, problems } = await openPage(browser, `${server.url}?lesson=consumer-lag&step=1`, { width: 1400, height: 900 });
  await page.locator('.task-status').filter({ hasText: /^Not yet: / }).waitFor();
  await press(page, page.getByRole('button', { name: 'Continue →' }));
  await page.locator('#lesson-step-title').filter({ hasText: 'More consumers than partitions' }).waitFor();
  await page.getByText("Step 1's task was not done yet, so it was done for you, as Show me does it.").waitFor();
  await until('seven members', async () => (await members(page).count()) === 7);
  await page.getByLabel('Consumer analytics-7').first().getByText('idle: no partitions (more members than partitions)').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('presenter mode at 1280x720 and at 150 % zoom: every step of every lesson fits without scrolling, driven by remote keys', async () => {
  const lessons = { 'first-look': 6, 'kafka-or-rabbitmq': 9, throughput: 5, 'exactly-once': 7, 'real-time-analytics': 7, 'consumer-lag': 5 };
  for (const [width, height, scale] of [[1280, 720, 1], [853, 480, 1.5]]) {
    for (const [name, steps] of Object.entries(lessons)) {
      const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(`${server.url}?lesson=${name}&present=1`);
      await page.locator('#lesson-step-title').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Lessons' }).count(), 0, 'no page chrome');
      for (let n = 1; n <= steps; n++) {
        await until(`${name} step ${n}`, async () => (await page.locator('.lesson-count').textContent()) === `Step ${n} of ${steps}`);
        await page.waitForTimeout(600);
        const fit = await page.evaluate(() => {
          const lesson = document.querySelector('.lesson').getBoundingClientRect();
          const pointed = document.querySelector('.lesson-pointed')?.getBoundingClientRect();
          const buttons = [...document.querySelectorAll('.lesson-nav button, .lesson-task button')].map((b) => b.getBoundingClientRect());
          const body = document.querySelector('.lesson');
          return {
            page: document.documentElement.scrollHeight <= innerHeight + 1,
            caption: lesson.top >= 0 && lesson.bottom <= innerHeight + 1 && body.scrollHeight <= body.clientHeight + 1,
            buttons: buttons.every((b) => b.bottom <= lesson.bottom + 1),
            // Whatever the step points at shows above the caption.
            pointed: !pointed || (pointed.bottom > 60 && pointed.top < lesson.top),
          };
        });
        assert.deepEqual(fit, { page: true, caption: true, buttons: true, pointed: true }, `${name} at ${width}x${height}, step ${n}`);
        await shot(page, `present-${width}x${height}-${name}-${n}`, { fullPage: false });
        if (n < steps) await page.keyboard.press('PageDown');
      }
      if (name === 'first-look') {
        // PageUp goes back; b pauses and plays; Escape leaves presenter mode.
        await page.keyboard.press('PageUp');
        await until('back to step 5', async () => (await page.locator('.lesson-count').textContent()) === 'Step 5 of 6');
        await page.keyboard.press('b');
        await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
        await page.keyboard.press('b');
        await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Lessons' }).waitFor();
      }
      assert.deepEqual(problems, []);
      await context.close();
    }
  }
});
