// CPU profile of the playground under load, aggregated by function (self time).
// Usage: DIST_DIR=/path/with/named/wasm/ node tests/bench/profile.mjs [seconds=4] [scenario=bench-100k]
import { startServer, launch } from '../e2e/harness.mjs';
const seconds = Number(process.argv[2] ?? 4);
const scenario = process.argv[3] ?? 'bench-100k';
const server = await startServer();
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
await page.goto(`${server.url}?scenario=${scenario}`);
await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
await page.waitForTimeout(8000);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.waitForTimeout(seconds * 1000);
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
let total = 0;
for (const n of profile.nodes) {
  const t = (dt.get(n.id) ?? 0) / 1000;
  total += t;
  const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`;
  self.set(name, (self.get(name) ?? 0) + t);
}
// Who calls the hottest functions: self time by caller chain (three frames up).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const chains = new Map();
for (const n of profile.nodes) {
  const t = (dt.get(n.id) ?? 0) / 1000;
  if (t === 0) continue;
  const names = [];
  for (let p = n, k = 0; p && k < 4; p = parent.get(p.id), k++) names.push((p.callFrame.functionName || '?').replace(/::h[0-9a-f]{16}$/, '').slice(0, 60));
  const key = names.join(' <- ');
  chains.set(key, (chains.get(key) ?? 0) + t);
}
if (process.env.CHAINS) {
  for (const [k, t] of [...chains.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${t.toFixed(0).padStart(6)} ms  ${k}`);
}
// Inclusive time of functions whose names match INCL (a regex), recursion counted once.
if (process.env.INCL) {
  const re = new RegExp(process.env.INCL);
  const incl = new Map();
  const visit = (n, seen) => {
    const name = (n.callFrame.functionName || '?').replace(/::h[0-9a-f]{16}$/, '');
    const own = (dt.get(n.id) ?? 0) / 1000;
    const fresh = re.test(name) && !seen.has(name);
    const inner = new Set(seen);
    if (fresh) inner.add(name);
    let t = own;
    for (const c of n.children ?? []) t += visit(byId.get(c), inner);
    if (fresh) incl.set(name, (incl.get(name) ?? 0) + t);
    return t;
  };
  visit(profile.nodes[0], new Set());
  for (const [k, t] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${t.toFixed(0).padStart(6)} ms incl  ${k.slice(0, 150)}`);
}
// Self time under the first function matching UNDER (a regex), by function.
if (process.env.UNDER) {
  const re = new RegExp(process.env.UNDER);
  const under = new Map();
  const walk = (n, inside) => {
    const name = (n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`).replace(/::h[0-9a-f]{16}$/, '');
    const now = inside || re.test(name);
    if (now) under.set(name, (under.get(name) ?? 0) + (dt.get(n.id) ?? 0) / 1000);
    for (const c of n.children ?? []) walk(byId.get(c), now);
  };
  walk(profile.nodes[0], false);
  for (const [k, t] of [...under.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${t.toFixed(0).padStart(6)} ms under  ${k.slice(0, 150)}`);
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [name, t] of top) console.log(`${t.toFixed(0).padStart(6)} ms ${(100 * t / total).toFixed(1).padStart(5)}%  ${name.slice(0, 140)}`);
console.log(`total ${total.toFixed(0)} ms over ${seconds} s`);
await browser.close();
server.close();
