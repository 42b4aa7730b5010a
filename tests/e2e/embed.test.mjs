// End-to-end (issue 16, first part): the page as a figure in a documentation site's frame.
// `?embed=1` gives a compact header and no page chrome; `view=`, `controls=`, `theme=` and
// `autoplay=` choose what it shows and how; it fits 800x500 and stays usable at 360 px; "Open in
// brokerlab" opens the full page at the state on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startServer, launch, openPage, shot, checkA11y } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const noSideScroll = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('embed=1 in an 800x500 frame: compact header, no chrome, nothing overflows', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?embed=1`, { width: 800, height: 500 });
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  for (const name of ['Pause', 'Step forward']) await page.getByRole('button', { name, exact: true }).waitFor();
  await page.getByRole('combobox', { name: 'Speed' }).waitFor();
  await page.getByRole('link', { name: 'Open in brokerlab' }).waitFor();
  for (const gone of ['Scenarios', 'Share', 'Restart', 'Intro', 'Keyboard shortcuts']) {
    assert.equal(await page.getByRole('button', { name: gone, exact: true }).count(), 0, `no ${gone}`);
  }
  assert.equal(await page.getByRole('region', { name: 'How to read this page' }).count(), 0, 'no intro in a figure');
  assert.ok(await noSideScroll(page));
  await checkA11y(page);
  await shot(page, 'embed-800x500', { fullPage: false });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('view=, controls=minimal, theme=dark and autoplay=0 choose what the figure shows', async () => {
  const url = `${server.url}?embed=1&view=topics,groups&controls=minimal&theme=dark&autoplay=0`;
  const { page, problems } = await openPage(browser, url, { width: 800, height: 500, colorScheme: 'light' });
  await page.getByRole('region', { name: 'Topic orders' }).waitFor();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  assert.equal(await page.getByRole('article', { name: 'Producer checkout' }).count(), 0, 'no producers column');
  assert.equal(await page.getByRole('button', { name: 'Step forward' }).count(), 0, 'minimal: no step');
  assert.equal(await page.getByRole('slider', { name: 'Session time' }).count(), 0, 'minimal: no timeline');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor);
  const html = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());
  assert.equal(html, '#10141b', `dark although the system is light (${bg})`);
  await checkA11y(page);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('at 360 px wide the figure stacks and nothing overflows', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?embed=1`, { width: 360, height: 640 });
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  assert.ok(await noSideScroll(page));
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a value the figure does not know is named, and the default used', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?embed=1&view=charts&theme=neon`, { width: 800, height: 500 });
  await page.getByRole('alert').filter({ hasText: 'view="charts" is not one of cluster, producers, topics, groups, queues, log or lesson' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'theme="neon" is not one of auto, light or dark' }).waitFor();
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('Open in brokerlab opens the full page at the state on screen', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?embed=1&controls=minimal`, { width: 800, height: 500 });
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const shown = await page.getByLabel('Simulated time').textContent();
  const [full] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Open in brokerlab' }).click(),
  ]);
  await full.waitForLoadState();
  const url = new URL(full.url());
  assert.equal(url.searchParams.get('embed'), null, 'the full page, not a figure');
  assert.equal(url.searchParams.get('controls'), null);
  assert.match(url.hash, /^#s=v1\./, 'the session goes with it');
  await full.getByRole('button', { name: 'Scenarios' }).waitFor();
  await full.getByLabel('Simulated time').filter({ hasText: shown }).waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('ctl=1 shows a light poster and fetches no module until the reader clicks', async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 500 }, colorScheme: 'light' });
  const page = await context.newPage();
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}?embed=1&ctl=1&theme=dark&scenario=eos-2-aborted-transaction`);
  const play = page.getByRole('button', { name: '▶ Load the simulation' });
  await play.waitFor();
  await page.getByText('Scenario: eos-2-aborted-transaction').waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(fetched.filter((p) => /brokerlab(_bg)?\.(js|wasm)$/.test(p)), [], 'nothing of the app before the click');
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim()), '#10141b', 'the poster follows theme=');
  // What the poster costs, gzipped as a static host serves it: what it fetched (the page and
  // its styles). Five figures on a page must cost under 50 KB before any click.
  const dist = new URL('../../dist/', import.meta.url);
  const files = [...new Set(fetched.map((p) => (p.endsWith('/') ? 'index.html' : p.slice(1))))];
  const gz = files.map((f) => gzipSync(readFileSync(new URL(f, dist)), { level: 9 }).length);
  const total = gz.reduce((a, b) => a + b, 0);
  assert.ok(total * 5 < 50_000, `five posters cost under 50 KB: ${files} = ${gz} B gzip`);
  await checkA11y(page);
  await shot(page, 'embed-poster-dark', { fullPage: false });
  await play.click();
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 20000 });
  assert.ok(fetched.some((p) => p.endsWith('brokerlab_bg.wasm')), 'the module loads on the click');
  await page.getByRole('region', { name: 'Topic payments' }).or(page.getByRole('region', { name: /^Topic / }).first()).first().waitFor();
  await context.close();
});

test('prefers-reduced-motion turns animation off in a figure', async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 500 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(`${server.url}?embed=1&scenario=first-look&speed=4`);
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 20000 });
  // Chips arrive (the group's first rebalance), cards update: nothing animates or transitions.
  await page.locator('.chip').first().waitFor({ timeout: 20000 });
  const moving = await page.evaluate(() => [...document.querySelectorAll('.app *')]
    .flatMap((el) => [el, ...['::before', '::after'].map((p) => [el, p])])
    .map((x) => (Array.isArray(x) ? getComputedStyle(x[0], x[1]) : getComputedStyle(x)))
    .filter((s) => s.animationName !== 'none' || !['0s', ''].includes(s.transitionDuration.split(',').find((d) => d.trim() !== '0s') ?? '0s'))
    .length);
  assert.equal(moving, 0, `${moving} elements still animate with reduced motion`);
  // The same page without the preference does animate something (so the check can fail).
  const moving_normally = await (async () => {
    const c = await browser.newContext({ viewport: { width: 800, height: 500 } });
    const p = await c.newPage();
    await p.goto(`${server.url}?embed=1&scenario=first-look&speed=4`);
    await p.locator('.chip').first().waitFor({ timeout: 20000 });
    const n = await p.evaluate(() => [...document.querySelectorAll('.app *')]
      .filter((el) => { const s = getComputedStyle(el); return s.animationName !== 'none' || s.transitionDuration.split(',').some((d) => d.trim() !== '0s'); }).length);
    await c.close();
    return n;
  })();
  assert.ok(moving_normally > 0, 'without the preference something animates');
  await context.close();
});
