// The engine in Chromium against the engine native (issue 20): the throughput lab runs the same
// sweep in the page (wasm, paused so only the lab runs) and in `brokerlab-cli lab` (native), and
// both report records simulated per second of wall time; prints both and the ratio.
// Usage: scripts/build.sh release && node tests/bench/engine-wasm.mjs [scenario=benchmark-2m-writes] [setting=acks] [values=1,all]
import { execFileSync } from 'node:child_process';
import { startServer, launch } from '../e2e/harness.mjs';

const scenario = process.argv[2] ?? 'benchmark-2m-writes';
const setting = process.argv[3] ?? 'acks';
const values = process.argv[4] ?? '1,all';
const server = await startServer();
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1500, height: 1000 } })).newPage();
await page.goto(`${server.url}?scenario=${scenario}&paused=1`);
await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
await page.getByRole('button', { name: 'Throughput lab' }).click();
const lab = page.getByRole('form', { name: 'Throughput lab' });
await lab.getByLabel('Setting').selectOption(setting);
await lab.getByRole('textbox', { name: 'Values' }).fill(values.split(',').join(', '));
await lab.getByRole('button', { name: 'Run sweep' }).click();
await lab.getByRole('status').filter({ hasText: 'points measured' }).waitFor({ timeout: 600000 });
const wasm = (await lab.getByLabel('Engine speed').textContent()).trim();
await browser.close();
server.close();
const wasmRate = Number(wasm.match(/engine: ([0-9.]+) M records\/s/)[1]);
console.log(`wasm (Chromium): ${wasm}`);
// Built (and warmed up) once before the measured run.
execFileSync('cargo', ['run', '--release', '--quiet', '-p', 'brokerlab-engine', '--features', 'cli', '--bin', 'brokerlab-cli', '--',
  'lab', `scenarios/${scenario}.json`, setting, values], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const native = execFileSync('sh', ['-c', `cargo run --release --quiet -p brokerlab-engine --features cli --bin brokerlab-cli -- lab scenarios/${scenario}.json ${setting} ${values} 2>&1 >/dev/null`], { encoding: 'utf8' }).trim();
const nativeRate = Number(native.match(/: ([0-9.]+) M records\/s/)[1]);
console.log(`native: ${native}`);
console.log(`wasm / native: ${(wasmRate / nativeRate).toFixed(2)}`);
