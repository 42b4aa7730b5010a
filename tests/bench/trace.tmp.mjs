import { startServer, launch } from '../e2e/harness.mjs';
import { readFileSync } from 'node:fs';
const server = await startServer(); const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
await page.goto(`${server.url}?scenario=bench-100k`);
await page.waitForTimeout(8000);
await browser.startTracing(page, { path: '/tmp/trace.json', categories: ['devtools.timeline'] });
await page.waitForTimeout(3000);
await browser.stopTracing();
const ev = JSON.parse(readFileSync('/tmp/trace.json')).traceEvents;
const fr = ev.filter(e => e.name === 'FireAnimationFrame' && e.dur).map(e => e.dur / 1000).sort((a, b) => a - b);
const q = p => fr[Math.floor(p * (fr.length - 1))].toFixed(1);
console.log(`rAF callbacks: ${fr.length}, p50 ${q(.5)} ms, p90 ${q(.9)}, p99 ${q(.99)}, max ${fr[fr.length-1].toFixed(1)}`);
for (const name of ['Layout', 'Paint', 'UpdateLayoutTree', 'Commit']) {
  const d = ev.filter(e => e.name === name && e.dur).map(e => e.dur / 1000).sort((a, b) => a - b);
  if (d.length) console.log(`${name}: n ${d.length} p50 ${d[Math.floor(d.length/2)].toFixed(2)} max ${d[d.length-1].toFixed(1)} total ${(d.reduce((a,b)=>a+b,0)/3).toFixed(0)} ms/s`);
}
await browser.close(); server.close();
