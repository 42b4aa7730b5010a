// Issue 16: a documentation page drives a figure through postMessage, across two origins (two
// localhost ports): ready and resize arrive, pause, step, seek, apply and get-state are answered
// once each, a bad request is refused with its reason and changes nothing, origin= shuts out
// everyone else, and state-changed comes at most four times a second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, until } from './harness.mjs';

// The host page: a frame of `figure`, every message from it kept in `window.got`, and
// `window.ask(message)` to post to it (at the figure's origin).
const hostPage = (url) => {
  const figure = url.searchParams.get('figure');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head>
<body><iframe id="f" title="figure" style="width:800px;height:500px" src="${figure.replace(/"/g, '&quot;')}"></iframe>
<script>
  const frame = document.getElementById('f');
  window.got = [];
  window.addEventListener('message', (e) => {
    if (e.source === frame.contentWindow) window.got.push({ origin: e.origin, data: e.data });
  });
  window.ask = (m) => frame.contentWindow.postMessage(m, new URL(frame.src).origin);
</script></body></html>`;
};

let figure, host, browser;
before(async () => {
  figure = await startServer();
  host = await startServer({ routes: { '/host.html': hostPage } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  figure?.close();
  host?.close();
});

async function openHost(figureQuery) {
  const src = `${figure.url}index.html?${figureQuery}`;
  const { page, problems } = await openPage(browser, `${host.url}host.html?figure=${encodeURIComponent(src)}`, { width: 900, height: 700 });
  const frame = page.frameLocator('#f');
  const got = () => page.evaluate(() => window.got);
  let next = 1;
  // Sends a request and waits for its one reply.
  const ask = async (type, payload) => {
    const id = next++;
    await page.evaluate((m) => window.ask(m), { ns: 'brokerlab', v: 1, id, type, payload });
    const reply = await until(`the reply to ${type} #${id}`, async () =>
      (await got()).find((m) => m.data.type === 'reply' && m.data.id === id));
    return reply.data;
  };
  return { page, problems, frame, got, ask };
}

test('a host on another origin gets ready and resize, drives the figure and gets one reply per request', async () => {
  const { page, problems, frame, got, ask } = await openHost('embed=1&view=topics&autoplay=0');
  const ready = await until('ready', async () => (await got()).find((m) => m.data.type === 'ready'));
  assert.equal(ready.origin, figure.origin, 'events come from the figure');
  assert.deepEqual(Object.keys(ready.data).sort(), ['ns', 'payload', 'type', 'v']);
  assert.match(ready.data.payload.version, /^\d+\.\d+\.\d+$/);
  const resize = await until('resize', async () => (await got()).find((m) => m.data.type === 'resize'));
  assert.ok(resize.data.payload.height > 100, `height ${resize.data.payload.height}`);

  let r = await ask('play');
  assert.equal(r.ok, true);
  assert.equal(r.payload.playing, true);
  r = await ask('pause');
  assert.equal(r.payload.playing, false);
  const paused = r.payload.now_ms;
  r = await ask('step');
  assert.ok(r.payload.now_ms > paused, `step moved from ${paused} to ${r.payload.now_ms}`);
  // Past the session's end: the run simulates on to it.
  r = await ask('seek', { ms: 12000 });
  assert.equal(r.payload.now_ms, 12000);
  await frame.getByLabel('Simulated time').filter({ hasText: '12.0 s' }).waitFor();
  // And back.
  r = await ask('seek', { ms: 4000 });
  assert.equal(r.payload.now_ms, 4000);
  r = await ask('set-speed', { speed: 4 });
  assert.equal(r.payload.speed, 4);

  r = await ask('apply', { action: { type: 'create_topic', name: 'clicks', partitions: 4 } });
  assert.equal(r.ok, true, r.error);
  assert.match(r.payload.summary, /clicks/);
  await frame.getByRole('heading', { name: 'clicks' }).waitFor();

  const state = await ask('get-state');
  assert.deepEqual(Object.keys(state.payload).sort(), ['now_ms', 'playing', 'speed', 'trace_hash', 'url']);
  assert.equal(state.payload.now_ms, 4000);
  assert.ok(state.payload.url.startsWith(`${figure.url}index.html`), state.payload.url);
  assert.match(state.payload.url, /#s=v1\./);
  assert.doesNotMatch(state.payload.url, /embed=1/, 'the full page, not the figure');

  // Exactly one reply per request.
  const replies = (await got()).filter((m) => m.data.type === 'reply');
  assert.equal(replies.length, new Set(replies.map((m) => m.data.id)).size);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a bad request is refused with its reason, a malformed message is ignored, and neither changes anything', async () => {
  const { page, problems, frame, got, ask } = await openHost('embed=1&view=topics&autoplay=0');
  await until('ready', async () => (await got()).some((m) => m.data.type === 'ready'));
  await ask('seek', { ms: 3000 });
  const before = (await ask('get-state')).payload;

  let r = await ask('apply', { action: { type: 'create_topic', name: 'bad', partitions: 0 } });
  assert.equal(r.ok, false);
  assert.match(r.error, /partitions/i);
  r = await ask('apply', { action: { type: 'explode' } });
  assert.equal(r.ok, false);
  assert.match(r.error, /^payload\.action is not a valid action/);
  r = await ask('seek', { ms: -1 });
  assert.match(r.error, /payload\.ms is -1; seek takes a whole number of milliseconds from 0 to 86400000/);
  r = await ask('rewind');
  assert.match(r.error, /type "rewind" is not a request/);
  r = await ask('set-speed', { speed: 3 });
  assert.match(r.error, /payload\.speed is 3; the figure offers 0\.25, 0\.5, 1, 2, 4, 8, 16, 32, 64/);
  r = await ask('load-scenario', { name: 'no-such-thing' });
  assert.match(r.error, /There is no scenario "no-such-thing"/);
  // Not brokerlab's, or not a request at all: ignored (a console warning), no reply, no error.
  await page.evaluate(() => {
    window.ask('hello');
    window.ask({ ns: 'brokerlab', v: 1, type: 'seek', payload: { ms: 'soon' } });
    window.ask({ ns: 'brokerlab', v: 1, id: { nested: true }, type: 'play' });
    window.ask({ type: 'play' });
    window.ask([1, 2, 3]);
  });
  const after = (await ask('get-state')).payload;
  assert.deepEqual(after, before, 'nothing changed');
  assert.equal(await frame.getByRole('heading', { name: 'bad' }).count(), 0);
  const replies = (await got()).filter((m) => m.data.type === 'reply');
  assert.equal(replies.length, 9, 'one reply per request with an id, none for the rest');
  assert.deepEqual(problems, [], 'no exception in the figure');
  await page.context().close();
});

test('load-scenario opens a scenario by name or whole, and state-changed comes at most four times a second', async () => {
  const { page, problems, frame, got, ask } = await openHost('embed=1&view=topics&autoplay=0');
  await until('ready', async () => (await got()).some((m) => m.data.type === 'ready'));
  let r = await ask('load-scenario', { name: 'eos-2-aborted-transaction' });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.payload.now_ms, 0);
  r = await ask('load-scenario', { scenario: { name: 'mine', seed: 5, duration_ms: 60000, topics: [{ name: 'views', partitions: 2 }] } });
  assert.equal(r.ok, true, r.error);
  await frame.getByRole('heading', { name: 'views' }).waitFor();

  const count = async () => (await got()).filter((m) => m.data.type === 'state-changed').length;
  await ask('play');
  const from = await count();
  await page.waitForTimeout(2000);
  const n = (await count()) - from;
  assert.ok(n >= 3 && n <= 10, `${n} state-changed events in 2 s`);
  const last = (await got()).filter((m) => m.data.type === 'state-changed').at(-1).data.payload;
  assert.deepEqual(Object.keys(last).sort(), ['now_ms', 'url']);
  // Paused, it falls silent.
  await ask('pause');
  await page.waitForTimeout(600);
  const quiet = await count();
  await page.waitForTimeout(1000);
  assert.equal(await count(), quiet, 'no state-changed while nothing changes');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('with origin= naming another origin, the host is not heard and not told', async () => {
  const { page, problems, frame, got } = await openHost('embed=1&view=topics&autoplay=1&origin=https://docs.example.com');
  await frame.getByLabel('Simulated time').waitFor();
  await page.evaluate(() => window.ask({ ns: 'brokerlab', v: 1, id: 1, type: 'pause' }));
  await page.waitForTimeout(1500);
  assert.deepEqual(await got(), [], 'no reply, and no events to an origin not listed');
  // Still playing: the pause was not taken.
  const t1 = await frame.getByLabel('Simulated time').textContent();
  await page.waitForTimeout(600);
  assert.notEqual(await frame.getByLabel('Simulated time').textContent(), t1);
  assert.deepEqual(problems, []);
  await page.context().close();

  // Listing the host's origin lets it in.
  const listed = await openHost(`embed=1&view=topics&autoplay=1&origin=${encodeURIComponent(host.origin)}`);
  await until('ready', async () => (await listed.got()).some((m) => m.data.type === 'ready'));
  const r = await listed.ask('pause');
  assert.equal(r.ok, true);
  await listed.page.context().close();
});

test('goto-lesson-step opens a lesson step, lesson-step tells the host, and view=lesson shows the step', async () => {
  const { page, problems, frame, got, ask } = await openHost('embed=1&view=lesson,groups&autoplay=0');
  await until('ready', async () => (await got()).some((m) => m.data.type === 'ready'));
  let r = await ask('goto-lesson-step', { lesson: 'first-look', step: 4 });
  assert.equal(r.ok, true, r.error);
  await frame.locator('#lesson-step-title').filter({ hasText: 'A consumer group shares the partitions' }).waitFor();
  const event = await until('lesson-step', async () => (await got()).find((m) => m.data.type === 'lesson-step'));
  assert.deepEqual(event.data.payload, { lesson: 'first-look', step: 4 });
  // The figure shows the lesson and the groups, not the topics.
  assert.equal(await frame.getByRole('heading', { name: 'Brokers and topics' }).count(), 0);
  await frame.getByRole('region', { name: 'Group billing' }).waitFor();
  r = await ask('goto-lesson-step', { lesson: 'first-look', step: 9 });
  assert.equal(r.error, 'payload.step is 9; the lesson first-look has 6 steps');
  r = await ask('goto-lesson-step', { lesson: 'nope' });
  assert.match(r.error, /^There is no lesson "nope"; the lessons are first-look/);
  assert.deepEqual(problems, []);
  await page.context().close();
});
