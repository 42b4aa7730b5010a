// Retention and compaction in the browser: topics created from the form with a short retention
// and with cleanup.policy=compact lose old records while the offsets stay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, until, openForm, closeDrawers } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });


async function createTopic(page, name, settings) {
  const form = await openForm(page, 'Create topic');
  await form.getByLabel('Topic name').fill(name);
  await form.getByLabel('Partitions', { exact: true }).fill('1');
  if (!(await form.getByLabel('Replication factor').isVisible())) {
    await form.getByText('More settings: replication, retention, compaction').click();
  }
  for (const [label, value] of settings) {
    const field = form.getByLabel(label, { exact: true });
    if (label === 'cleanup.policy') await field.selectOption(value); else await field.fill(value);
  }
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('table', { name: `Partitions of ${name}` }).waitFor();
}

async function addProducer(page, name, topic, keys) {
  const form = await openForm(page, 'Add producer');
  await form.getByLabel('Name (client.id)').fill(name);
  await form.getByLabel('Topic', { exact: true }).selectOption(topic);
  await form.getByLabel('Rate (records/s)').fill('100');
  if (keys) {
    await form.getByLabel('Keys', { exact: true }).selectOption('uniform');
    await form.getByLabel('Number of keys').fill(String(keys));
  }
  await form.getByRole('button', { name: 'Add producer' }).click();
  await page.getByRole('article', { name: `Producer ${name}` }).waitFor();
  await closeDrawers(page);
}

const size = async (page, topic) => page.getByLabel(`Size of ${topic}`).textContent();

test('a short retention deletes old segments and a compacted topic keeps one record per key', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 1500, height: 1000 });
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  await createTopic(page, 'clicks', [['retention (s)', '5'], ['segment.bytes', '2000']]);
  await createTopic(page, 'users', [['cleanup.policy', 'compact'], ['segment.bytes', '600']]);
  await page.getByText('cleanup.policy=compact').waitFor();
  await addProducer(page, 'web', 'clicks', 0);
  await addProducer(page, 'profiles', 'users', 5);
  await page.getByLabel('Speed').selectOption('8');

  // Retention: the log start offset moves past deleted segments; the offsets stay.
  const clicks = page.getByRole('table', { name: 'Partitions of clicks' });
  await until('retention moves the log start offset', async () => {
    const start = Number((await clicks.locator('tbody tr td:nth-child(4)').textContent()).replace(/,/g, ''));
    return start > 0;
  });
  assert.match(await size(page, 'clicks'), /offsets · [\d,]+ kept/);

  // Compaction: far fewer records than offsets, only the latest per key (and the active segment).
  const kept = await until('the cleaner compacts users', async () => {
    const m = (await size(page, 'users')).match(/([\d,]+) offsets · ([\d,]+) kept/);
    if (!m) return false;
    const [offsets, records] = [m[1], m[2]].map((x) => Number(x.replace(/,/g, '')));
    return offsets > 200 && records < offsets / 3 ? { offsets, records } : false;
  });
  assert.ok(kept.records < kept.offsets);
  // The protocol log tells what happened.
  await page.getByText(/users-0: log cleaner removed \d+ superseded records/).first().waitFor();
  await page.getByText(/clicks-0: retention deleted \d+ segments? \(older than retention.ms\)/).first().waitFor();
  await shot(page, 'storage');
  assert.deepEqual(problems, []);
  await page.context().close();
});
