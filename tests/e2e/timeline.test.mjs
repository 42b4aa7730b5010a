// End-to-end (issue 14): the session as a replayable timeline, as a user meets it: share a moment
// and open it in a fresh page; step back and forward; scrub to a marker; fork and undo; every
// scenario from the menu; export and run the file headless; bad links and files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, openPage, shot, until, checkA11y } from './harness.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const slider = (page) => page.getByRole('slider', { name: 'Session time' });
const now = async (page) => Number(await slider(page).getAttribute('aria-valuenow'));

// What "About this run" says: the trace hash and the time in ms.
async function about(page) {
  await page.getByRole('button', { name: 'About this run' }).click();
  const dialog = page.getByRole('dialog', { name: 'About this run' });
  const hash = (await dialog.getByLabel('Trace hash').textContent()).trim();
  await page.getByRole('button', { name: 'About this run' }).click();
  return { hash, time: await now(page) };
}

async function pause(page) {
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
}

// The command line: the build `cargo test -p brokerlab-engine` left (scripts/test.sh runs it
// first), a release build, or a fresh debug build.
function cli() {
  const built = ['debug', 'release'].map((p) => join(ROOT, `target/${p}/brokerlab-cli`)).find(existsSync);
  if (built) return built;
  execFileSync('cargo', ['build', '-q', '-p', 'brokerlab-engine', '--bin', 'brokerlab-cli'], { cwd: ROOT, stdio: 'inherit' });
  return join(ROOT, 'target/debug/brokerlab-cli');
}

test('a shared link opens in a fresh page to the same moment, trace hash and action log', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Kill broker 1' }).click();
  await page.waitForTimeout(1200);
  await page.getByRole('button', { name: 'Crash billing-2' }).click();
  await page.waitForTimeout(800);
  await pause(page);
  const shared = await about(page);
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.getByRole('dialog', { name: 'Share this moment' }).getByLabel('Share link').inputValue();
  assert.match(link, /#s=v1\.d\./);
  assert.ok(link.length < 2000, `a typical session fits in 2 KB: ${link.length}`);
  await checkA11y(page, '.header');

  const fresh = await openPage(browser, link);
  await fresh.page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  assert.deepEqual(await about(fresh.page), shared, 'same time and trace hash');
  await fresh.page.getByText(/Action log \(2\)/).click();
  const actions = await fresh.page.getByRole('list', { name: 'Actions taken' }).getByRole('button').allTextContents();
  assert.equal(actions.length, 2);
  assert.match(actions[0], /broker 1/i);
  await shot(fresh.page, 'timeline-shared');
  assert.deepEqual([...problems, ...fresh.problems], []);
  await page.close(); await fresh.page.close();
});

test('step forward then back returns to the same state; the slider keys move in time', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForTimeout(1500);
  await pause(page);
  await page.keyboard.press('ArrowRight');
  const start = await about(page);
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  const ahead = await about(page);
  assert.ok(ahead.time > start.time, `stepped forward: ${start.time} -> ${ahead.time}`);
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  assert.deepEqual(await about(page), start, 'back where it was, same trace hash');

  await slider(page).focus();
  await page.keyboard.press('Home');
  await until('Home goes to 0', async () => (await now(page)) === 0);
  await page.keyboard.press('End');
  await until('End goes to the end', async () => (await now(page)) === Number(await slider(page).getAttribute('aria-valuemax')));
  await page.keyboard.press('PageDown');
  assert.ok((await now(page)) < Number(await slider(page).getAttribute('aria-valuemax')));
  assert.deepEqual(problems, []);
  await page.close();
});

test('scrub to the rebalance marker: the slider says what happened there', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await until('the first rebalance is on the timeline', async () =>
    (await slider(page).getAttribute('aria-valuetext')).includes('generation'));
  await pause(page);
  await slider(page).focus();
  await page.keyboard.press('Home');
  await page.getByRole('button', { name: 'Next marker' }).click();
  const text = await slider(page).getAttribute('aria-valuetext');
  assert.match(text, /last: .*billing.*generation 1/, text);
  const at = await now(page);
  assert.ok(at > 0, 'the marker is after the start');
  await page.keyboard.press(']');
  await page.keyboard.press('[');
  assert.equal(await now(page), at, '[ comes back to the marker ] left');
  await checkA11y(page, '.timeline');
  assert.deepEqual(problems, []);
  await page.close();
});

test('acting while scrubbed back forks the session, and the fork can be undone once', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForTimeout(1000);
  await page.getByRole('button', { name: 'Kill broker 1' }).click();
  await page.waitForTimeout(1500);
  await pause(page);
  const end = await now(page);
  await slider(page).focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('PageUp');
  await page.getByRole('button', { name: 'Kill broker 2' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'while scrubbed back' });
  await notice.waitFor();
  assert.match(await notice.textContent(), /1 later action was dropped|and 1 later action/);
  await page.getByText(/Action log \(1\)/).click();
  assert.match(await page.getByRole('list', { name: 'Actions taken' }).textContent(), /broker 2/);
  await notice.getByRole('button', { name: 'Undo' }).click();
  await page.getByText('The later part of the run is back').waitFor();
  assert.match(await page.getByRole('list', { name: 'Actions taken' }).textContent(), /broker 1/);
  assert.equal(Number(await slider(page).getAttribute('aria-valuemax')), end);
  assert.deepEqual(problems, []);
  await page.close();
});

test('every scenario in the menu opens, and ?scenario= opens one by its file name', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.getByRole('button', { name: 'Scenarios' }).click();
  const menu = page.getByRole('dialog', { name: 'Scenarios' });
  const count = await menu.getByRole('button').count();
  assert.ok(count >= 24, `the menu lists the built-ins and every file: ${count}`);
  await checkA11y(page, '.session-tools');
  for (let i = 0; i < count; i++) {
    if (i > 0) await page.getByRole('button', { name: 'Scenarios' }).click();
    const item = menu.getByRole('button').nth(i);
    const name = (await item.locator('strong').textContent()).trim();
    await item.click();
    await page.getByText(/^Opened /).waitFor();
    assert.deepEqual(problems, [], `opening ${name}`);
  }
  const { page: direct, problems: p2 } = await openPage(browser, `${server.url}?scenario=eos-2-aborted-transaction`);
  await direct.getByText('An aborted transaction', { exact: false }).first().waitFor().catch(() => {});
  await direct.getByRole('button', { name: 'About this run' }).click();
  assert.match(await direct.getByRole('dialog', { name: 'About this run' }).textContent(), /eos-2-aborted-transaction/);
  assert.deepEqual(p2, []);
  await page.close(); await direct.close();
});

test('export downloads a scenario file the command line runs to the trace hash the page shows', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await page.waitForTimeout(800);
  await page.getByRole('button', { name: 'Kill broker 2' }).click();
  await page.waitForTimeout(800);
  await pause(page);
  const shown = await about(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'brokerlab-export-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(exported.duration_ms, shown.time);
  assert.ok(exported.actions.some((a) => a.action.type === 'kill_broker'), 'the action log is in the file');
  const report = JSON.parse(execFileSync(cli(), ['run', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.equal(report.trace_hash, shown.hash);
  assert.equal(report.time_ms, shown.time);
  // And the file imports back to the same moment, from the picker and dropped on the page.
  await page.getByLabel('Import a scenario or session file').setInputFiles(file);
  await page.getByText(/^Opened brokerlab-/).waitFor();
  assert.deepEqual(await about(page), shown);
  await page.reload();
  await page.getByRole('table', { name: 'Partitions of orders' }).waitFor();
  await page.evaluate(([text, name]) => {
    const data = new DataTransfer();
    data.items.add(new File([text], name, { type: 'application/json' }));
    const target = document.querySelector('.app');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, [readFileSync(file, 'utf8'), 'dropped.json']);
  await page.getByText('Opened dropped.json.').waitFor();
  assert.deepEqual(await about(page), shown);
  assert.deepEqual(problems, []);
  await page.close();
});

test('bad links and files say what is wrong and leave the session as it was', async () => {
  const cases = [
    ['#s=v9.d.AAAA', /newer brokerlab \(state version v9\)/],
    ['#s=hello', /not a version/],
    ['#s=v1.zz.AAAA', /codec "zz"/],
    ['#s=v1.d.AAA*', /not base64url/],
    ['#s=v1.d.AAAAAAAA', /does not inflate/],
    ['?scenario=nope', /There is no scenario "nope" \(built in: first-look/],
  ];
  for (const [suffix, message] of cases) {
    const { page, problems } = await openPage(browser, `${server.url}${suffix}`);
    const alert = page.getByRole('alert').filter({ hasText: message });
    await alert.waitFor();
    // The demo runs underneath.
    await page.getByRole('table', { name: 'Partitions of orders' }).waitFor();
    assert.deepEqual(problems, [], suffix);
    await page.close();
  }
  const { page, problems } = await openPage(browser, server.url);
  await pause(page);
  const before = await about(page);
  await page.getByLabel('Import a scenario or session file').setInputFiles({
    name: 'broken.json', mimeType: 'application/json',
    buffer: Buffer.from('{"seed": 1, "topics": [{"name": 5, "partitions": 1}], "duration_ms": 10}'),
  });
  await page.getByRole('alert').filter({ hasText: /"broken.json" cannot be opened: .*topics\[0\]\.name: invalid type/ }).waitFor();
  await page.getByLabel('Import a scenario or session file').setInputFiles({
    name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello'),
  });
  await page.getByRole('alert').filter({ hasText: /"notes.txt" cannot be opened/ }).waitFor();
  assert.deepEqual(await about(page), before, 'the session stayed as it was');
  assert.deepEqual(problems, []);
  await page.close();
});
