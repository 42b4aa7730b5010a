// Frame-time benchmark in headless Chromium: opens the playground on the 100,000 records/s
// scenario, measures requestAnimationFrame intervals for a while, and reports p50/p95/p99 frame
// time, the simulated speed reached, and the gzip size of everything the page loaded.
// Usage: node tests/bench/frame-time.mjs [seconds=10] [scenario=bench-100k]
import { gzipSync } from 'node:zlib';
import { startServer, launch } from '../e2e/harness.mjs';

const seconds = Number(process.argv[2] ?? 10);
const scenario = process.argv[3] ?? 'bench-100k';
const server = await startServer();
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
const loaded = new Map();
page.on('response', async (r) => {
  try { const body = await r.body(); loaded.set(r.url(), { raw: body.length, gz: gzipSync(body, { level: 9 }).length }); } catch {}
});
await page.goto(`${server.url}?scenario=${scenario}`);
await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
// SPEED=64 measures at another simulation speed (the select's option values: 0.25 to 64).
if (process.env.SPEED) await page.getByLabel('Speed').selectOption(process.env.SPEED);
await page.waitForTimeout(8000); // past the groups' first rebalance
const clock = async () => page.getByLabel('Simulated time').textContent();
const before = await clock();
const r = await page.evaluate((ms) => new Promise((resolve) => {
  const dts = []; let last = null; const t0 = performance.now();
  const step = (t) => {
    if (last !== null) dts.push(t - last);
    last = t;
    if (t - t0 < ms) requestAnimationFrame(step); else resolve(dts);
  };
  requestAnimationFrame(step);
}), seconds * 1000);
const after = await clock();
const consumed = await page.evaluate(() => document.querySelectorAll('.chip').length);
const sorted = [...r].sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const over = r.filter((d) => d > 1000 / 60 * 1.5).length;
let raw = 0, gz = 0;
for (const [url, s] of loaded) { raw += s.raw; gz += s.gz; console.log(`loaded ${url.replace(server.url, '/')} ${s.raw} B, ${s.gz} B gzip`); }
console.log(`scenario ${scenario}: ${r.length} frames in ${seconds} s = ${(r.length / seconds).toFixed(1)} fps`);
console.log(`frame time p50 ${pct(0.5).toFixed(1)} ms, p95 ${pct(0.95).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms; ${over} frames over 25 ms`);
console.log(`simulated clock ${before} -> ${after} over ${seconds} s of wall time; ${consumed} partition chips on screen`);
console.log(`page total ${raw} B raw, ${gz} B gzip`);
await browser.close();
server.close();
