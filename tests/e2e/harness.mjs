// Shared pieces of the end-to-end tests: a static server for dist/, Chromium, screenshots.
import http from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const DIST = fileURLToPath(new URL(process.env.DIST_DIR ?? '../../dist/', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm',
               '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

// `prefix`: dist/ served under a sub-path (`/docs/brokerlab/`), as a documentation site would;
// `routes`: extra pages by path, each a function of the request URL returning HTML.
export async function startServer({ prefix = '/', routes = {} } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (routes[url.pathname]) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(routes[url.pathname](url));
    }
    let p = normalize(decodeURIComponent(url.pathname));
    if (!p.startsWith(prefix)) { res.writeHead(404); return res.end('not found'); }
    p = `/${p.slice(prefix.length)}`;
    if (p.endsWith('/')) p += 'index.html';
    try {
      const body = await readFile(join(DIST, p));
      res.writeHead(200, { 'content-type': MIME[extname(p)] ?? 'application/octet-stream' });
      res.end(body);
    } catch { res.writeHead(404); res.end('not found'); }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  server.origin = `http://127.0.0.1:${server.address().port}`;
  server.url = `${server.origin}${prefix}`;
  return server;
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Opens the page and collects page errors, console errors and any request off localhost.
export async function openPage(browser, url, { width = 1400, height = 900, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1') && !r.url().startsWith('data:')) problems.push(`network: ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

export async function shot(page, name, { fullPage = true } = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

// Polls `check` until it returns something truthy (and returns that), or fails saying `what`.
export async function until(what, check, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} (last: ${JSON.stringify(last)})`);
}

// Runs axe-core (from node_modules, injected into the page: nothing is fetched) over `selector`
// and fails with each violation's rule, impact and first offending element.
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
export async function checkA11y(page, selector = 'body') {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async (sel) => {
    const r = await window.axe.run(sel, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes[0]?.target?.join(' ')} (${v.nodes[0]?.html?.slice(0, 120)}; ${v.nodes[0]?.any?.[0]?.message ?? ''})`);
  }, selector);
  if (violations.length) throw new Error(`accessibility violations in ${selector}:\n${violations.join('\n')}`);
}

// Forms live in drawers (modal dialogs) opened from their column's head. While one is open the
// page behind is inert, so a test closes it before clicking anything else.
export async function closeDrawers(page) {
  for (const d of await page.locator('dialog.drawer[open]').all()) {
    await d.getByRole('button', { name: 'Close', exact: true }).click();
  }
}

// Opens the drawer titled `title` (closing any other) and returns its form, named the same.
export async function openForm(page, title) {
  await closeDrawers(page);
  await page.locator('button.drawer-open').filter({ has: page.getByText(title, { exact: true }) }).click();
  const form = page.getByRole('form', { name: title });
  await form.waitFor();
  return form;
}
