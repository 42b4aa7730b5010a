// Issue 16: <broker-lab>. Two elements on one page run their own simulations from one download;
// keys act only in the focused element; the host page's theme signals switch an element's theme;
// attributes rebuild it; removing it stops it; ctl=1 fetches nothing before the click; the build
// works from a sub-path; the example page in light and dark (screenshots in artifacts/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { startServer, launch, openPage, shot, until, checkA11y } from './harness.mjs';

// A documentation page of the kind each framework makes, with two elements.
const docPage = (url) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>docs</title>
<link rel="icon" href="data:,"><script type="module" src="./broker-lab.js"></script></head>
<body><main><h1>Consumer groups</h1>
<broker-lab id="a" scenario="first-look" view="topics,groups" autoplay="0" ${url.searchParams.get('a') ?? ''}></broker-lab>
<broker-lab id="b" scenario="first-look" view="topics" ${url.searchParams.get('b') ?? ''}></broker-lab>
</main></body></html>`;

let server, browser;
before(async () => {
  // Under a sub-path, as a documentation site's static folder would hold it.
  server = await startServer({ prefix: '/docs/brokerlab/', routes: { '/docs/brokerlab/page.html': docPage } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const clock = (page, id) => page.locator(`#${id}`).getByLabel('Simulated time');

async function open(query = '', options) {
  const opened = await openPage(browser, `${server.url}page.html${query}`, options);
  const wasm = [];
  opened.page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  return { ...opened, wasm };
}

test('two elements run their own simulations from one download, and keys act only in the focused one', async () => {
  const { page, problems, wasm } = await open();
  await clock(page, 'a').waitFor();
  await clock(page, 'b').waitFor();
  assert.equal(wasm.length, 1, `one wasm download for two elements: ${wasm}`);
  // The loader a documentation page includes is small: at most 5 KB gzip.
  const loader = gzipSync(readFileSync(new URL('../../dist/broker-lab.js', import.meta.url)), { level: 9 }).length;
  assert.ok(loader <= 5000, `broker-lab.js is ${loader} B gzip`);
  assert.ok(wasm[0].includes('/docs/brokerlab/'), 'fetched next to the loader, under the sub-path');
  // a waits (autoplay=0), b plays.
  const a0 = await clock(page, 'a').textContent();
  await until('b plays', async () => (await clock(page, 'b').textContent()) !== '0.0 s');
  assert.equal(await clock(page, 'a').textContent(), a0, 'a is not moved by b');

  // A key pressed with focus in a acts on a only: `+` is faster.
  const speed = (id) => page.locator(`#${id}`).getByRole('combobox', { name: 'Speed' }).inputValue();
  const [sa, sb] = [await speed('a'), await speed('b')];
  await page.locator('#a').getByRole('button', { name: 'Step forward' }).focus();
  await page.keyboard.press('+');
  await until('a faster', async () => (await speed('a')) !== sa);
  assert.equal(await speed('b'), sb, 'b ignores a key pressed in a');
  // With focus outside both, the keys are the page's own.
  const sa1 = await speed('a');
  await page.locator('h1').click();
  await page.keyboard.press('+');
  await page.waitForTimeout(300);
  assert.equal(await speed('a'), sa1);
  assert.equal(await speed('b'), sb);
  assert.deepEqual(problems, []);
  await page.context().close();
  // The full page works from the sub-path too (every URL relative).
  const full = await openPage(browser, server.url, { width: 1280, height: 800 });
  await full.page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.deepEqual(full.problems, []);
  await full.page.context().close();
});

test("the host page's theme signals switch an element with theme=auto; theme=dark stays dark", async () => {
  const { page, problems } = await open('?b=theme%3Ddark', { colorScheme: 'light' });
  await clock(page, 'a').waitFor();
  const bg = (id) => page.locator(`#${id}`).evaluate((el) => getComputedStyle(el.shadowRoot.querySelector('.app')).getPropertyValue('--bg').trim());
  assert.equal(await bg('a'), '#f4f6f9');
  assert.equal(await bg('b'), '#10141b', 'theme="dark"');
  const dark = async (signal, undo) => {
    await page.evaluate(signal);
    await until(`dark after ${signal}`, async () => (await bg('a')) === '#10141b');
    await page.evaluate(undo);
    await until(`light after ${undo}`, async () => (await bg('a')) === '#f4f6f9');
  };
  // Docusaurus, MkDocs Material, mdBook.
  await dark(() => { document.documentElement.dataset.theme = 'dark'; }, () => { document.documentElement.dataset.theme = 'light'; });
  await page.evaluate(() => delete document.documentElement.dataset.theme);
  await dark(() => { document.body.dataset.mdColorScheme = 'slate'; }, () => { document.body.dataset.mdColorScheme = 'default'; });
  await page.evaluate(() => delete document.body.dataset.mdColorScheme);
  await dark(() => document.documentElement.classList.add('coal'), () => document.documentElement.classList.replace('coal', 'light'));
  assert.equal(await bg('b'), '#10141b', 'theme="dark" wins over the host');
  // The attribute itself.
  await page.locator('#a').evaluate((el) => el.setAttribute('theme', 'dark'));
  await until('theme attribute', async () => (await bg('a')) === '#10141b');
  // A host's custom properties reach inside.
  await page.addStyleTag({ content: 'broker-lab { --brokerlab-accent: rgb(200, 0, 100); --brokerlab-font: Georgia, serif; }' });
  const inner = await page.locator('#a').evaluate((el) => {
    const s = getComputedStyle(el.shadowRoot.querySelector('.app'));
    return [s.getPropertyValue('--accent').trim(), s.fontFamily];
  });
  assert.deepEqual(inner, ['rgb(200, 0, 100)', 'Georgia, serif']);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an attribute change rebuilds the element; removing it stops it; ctl=1 waits for the click', async () => {
  const { page, problems, wasm } = await open('?a=ctl%3D1&b=ctl%3D1');
  const poster = page.locator('#a').getByRole('button', { name: '▶ Load the simulation' });
  await poster.waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(wasm, [], 'no wasm before a click');
  assert.match(await page.locator('#b').getByRole('region', { name: 'brokerlab figure' }).textContent(), /Scenario: first-look/);
  await poster.click();
  await clock(page, 'a').waitFor();
  assert.equal(wasm.length, 1);
  assert.ok(await page.locator('#b').getByRole('button', { name: '▶ Load the simulation' }).isVisible(), 'b still waits');

  // view= changed: rebuilt once, showing only the groups.
  const a = page.locator('#a');
  await a.getByRole('heading', { name: 'Brokers and topics' }).waitFor();
  await a.evaluate((el) => { el.setAttribute('view', 'groups'); el.setAttribute('controls', 'minimal'); });
  await a.getByRole('heading', { name: 'Consumer groups' }).waitFor();
  await until('topics gone', async () => (await a.getByRole('heading', { name: 'Brokers and topics' }).count()) === 0);
  assert.equal(await a.getByRole('button', { name: 'Step forward' }).count(), 0, 'controls=minimal');
  // lesson= and step= open a lesson in the element, its panel inside the shadow root.
  await a.evaluate((el) => { el.setAttribute('view', 'lesson,groups'); el.setAttribute('lesson', 'first-look'); el.setAttribute('step', '4'); });
  await a.locator('#lesson-step-title').filter({ hasText: 'A consumer group shares the partitions' }).waitFor();
  assert.equal(await a.locator('.lesson-count').textContent(), 'Step 4 of 6');
  assert.equal(await page.evaluate(() => location.search), '?a=ctl%3D1&b=ctl%3D1', "an element leaves the page's address alone");
  await a.evaluate((el) => { el.removeAttribute('lesson'); el.removeAttribute('step'); });
  // A bad attribute value is named, not a blank figure.
  await a.evaluate((el) => el.setAttribute('view', 'charts'));
  await a.getByRole('alert').filter({ hasText: 'view="charts" is not one of' }).waitFor();

  // Removed: its simulation stops (its frame loop with it) and its tree is emptied.
  await page.evaluate(() => {
    window.frames_asked = 0;
    const raf = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (f) => { window.frames_asked++; return raf(f); };
  });
  await until('a asks for frames', () => page.evaluate(() => window.frames_asked > 5));
  const rest = await a.evaluate((el) => { el.remove(); return el.shadowRoot.querySelector('.figure-root').childElementCount; });
  assert.equal(rest, 0, 'nothing left rendered');
  await page.waitForTimeout(200);
  const asked = await page.evaluate(() => window.frames_asked);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.frames_asked), asked, 'no frame loop after removal');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an element fits a phone without sideways scroll, and the example page looks right in light and dark', async () => {
  const phone = await open('', { width: 360, height: 740 });
  await clock(phone.page, 'a').waitFor();
  await phone.page.waitForTimeout(800);
  assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scroll at 360 px');
  await shot(phone.page, 'element-360');
  await phone.page.context().close();

  for (const scheme of ['light', 'dark']) {
    const { page, problems } = await openPage(browser, `${server.url}embed-example.html`, { width: 1280, height: 900, colorScheme: scheme });
    if (scheme === 'dark') await page.getByRole('button', { name: 'Switch to dark' }).click();
    await page.locator('#first').getByLabel('Simulated time').waitFor();
    await page.frameLocator('#figure').getByLabel('Simulated time').waitFor();
    await page.getByRole('button', { name: 'Get state' }).click();
    await page.locator('#messages').filter({ hasText: 'reply #1: ok' }).waitFor();
    await page.waitForTimeout(1200);
    await checkA11y(page, 'main');
    await shot(page, `embed-example-${scheme}`);
    assert.deepEqual(problems, []);
    await page.context().close();
  }
});
