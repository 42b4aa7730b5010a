// End-to-end (issue 15): the page on a shared screen, on a phone, and by keyboard. At 1280x720
// and 1366x768 producers, the topic's partitions and the consumer groups are side by side with
// nothing scrolled; on a 390 px phone the columns stack and only the partition table scrolls
// sideways, inside its card. Forms live in drawers that keep focus while open and give it back;
// so does the shortcut list; a skip link passes the header. Screenshots of the first minute are
// kept as artifacts in both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, openPage, shot, checkA11y, openForm } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const pageWidth = (page) => page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
const box = (locator) => locator.first().boundingBox();

async function ready(page) {
  await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
  await page.getByRole('article', { name: 'Producer checkout' }).waitFor();
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
}

for (const [width, height] of [[1280, 720], [1366, 768]]) {
  test(`at ${width}x${height} the three columns are side by side, in view, without scrolling`, async () => {
    const { page, problems } = await openPage(browser, server.url, { width, height });
    await ready(page);
    const [scroll, inner] = await pageWidth(page);
    assert.ok(scroll <= inner, `no horizontal scroll: ${scroll} > ${inner}`);
    const producer = await box(page.getByRole('article', { name: 'Producer checkout' }));
    const partitions = await box(page.getByRole('table', { name: 'Partitions of orders' }));
    const group = await box(page.getByRole('region', { name: 'Group billing' }));
    for (const [what, b] of [['the producer', producer], ['the partitions', partitions], ['the group', group]]) {
      assert.ok(b.y >= 0 && b.y + 40 < height, `${what} starts in view: top ${b.y}`);
      assert.ok(b.x >= 0 && b.x + b.width <= width, `${what} is inside the width: ${b.x}+${b.width}`);
    }
    assert.ok(producer.x + producer.width <= partitions.x && partitions.x + partitions.width <= group.x,
      'producers, then partitions, then groups, left to right');
    // The partition table is whole: its last row is on screen too.
    const last = await box(page.getByRole('row', { name: /^P5/ }));
    assert.ok(last.y + last.height <= height, `the last partition row is in view: ${last.y}`);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

test('the bench view (24 partitions, three groups) keeps its owner column inside the card at 1280x720', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=bench-100k`, { width: 1280, height: 720 });
  const table = page.getByRole('table', { name: 'Partitions of events' });
  await table.waitFor();
  await page.getByRole('region', { name: 'Group billing' }).waitFor();
  const [right, cardRight, scroll, client] = await table.evaluate((t) => [t.getBoundingClientRect().right,
    t.closest('.card').getBoundingClientRect().right, t.parentElement.scrollWidth, t.parentElement.clientWidth]);
  assert.ok(right <= cardRight, `the table ends inside its card: ${right} > ${cardRight}`);
  assert.equal(scroll, client, 'and needs no sideways scroll at this width');
  const [pageScroll, inner] = await pageWidth(page);
  assert.ok(pageScroll <= inner);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('on a 390 px phone the columns stack, nothing is cut off, the partition table scrolls in its card', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 390, height: 844 });
  await ready(page);
  const [scroll, inner] = await pageWidth(page);
  assert.ok(scroll <= inner, `the page does not scroll sideways: ${scroll} > ${inner}`);
  const producer = await box(page.getByRole('article', { name: 'Producer checkout' }));
  const group = await box(page.getByRole('region', { name: 'Group billing' }));
  assert.ok(group.y > producer.y + producer.height, 'the groups come below the producers');
  const scroller = page.getByRole('region', { name: 'Partition table of orders' });
  const [sw, cw] = await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(sw > cw, `the table is wider than the phone and scrolls inside its card (${sw} > ${cw})`);
  const card = await box(page.getByRole('region', { name: 'Topic orders' }));
  assert.ok(card.x >= 0 && card.x + card.width <= 390, 'the topic card fits the screen');
  // The scroller is reachable by keyboard, so the hidden columns are too.
  assert.equal(await scroller.getAttribute('tabindex'), '0');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('at 200 % zoom (640 px of CSS width) everything stays reachable without sideways scrolling', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 640, height: 450 });
  await ready(page);
  const [scroll, inner] = await pageWidth(page);
  assert.ok(scroll <= inner, `no horizontal scroll: ${scroll} > ${inner}`);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a short screen starts with compact group cards; Details shows the rest', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 1280, height: 720 });
  await ready(page);
  const details = page.getByRole('button', { name: 'Details of billing' });
  assert.equal(await details.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getByRole('button', { name: 'Crash billing-1' }).count(), 0, 'no member controls');
  assert.equal(await page.getByLabel('Delivery audit of billing').count(), 0, 'no audit');
  await details.click();
  assert.equal(await details.getAttribute('aria-expanded'), 'true');
  await page.getByRole('button', { name: 'Crash billing-1' }).waitFor();
  await page.getByLabel('Delivery audit of billing').waitFor();
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a drawer keeps focus while open, closes with Escape and gives focus back', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await ready(page);
  const opener = page.locator('button.drawer-open', { hasText: 'Add consumer' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const drawer = page.getByRole('dialog', { name: 'Add consumer' });
  await drawer.waitFor();
  const inside = () => drawer.evaluate((d) => d.contains(document.activeElement));
  assert.ok(await inside(), 'focus moved into the drawer');
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await inside(), `Tab ${i + 1} stays inside the drawer`);
  }
  // Space in a field is typing, not play/pause, and arrows in the drawer do not step.
  const clock = page.getByLabel('Simulated time');
  await page.getByRole('button', { name: 'Pause', exact: true }).count();
  await drawer.getByLabel('Name (client.id)').fill('');
  await drawer.getByLabel('Name (client.id)').press('Space');
  assert.equal(await drawer.getByLabel('Name (client.id)').inputValue(), ' ');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'hidden' });
  assert.ok(await opener.evaluate((b) => b === document.activeElement), 'focus is back on the opener');
  assert.ok(await clock.isVisible());
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a drawer stays open after its form adds a producer, a group or a topic (the column head is not rebuilt)', async () => {
  const { page, problems } = await openPage(browser, server.url, { width: 1280, height: 720 });
  await ready(page);
  for (const [title, fill, submit] of [
    ['Add producer', async (f) => f.getByLabel('Name (client.id)').fill('p9'), 'Add producer'],
    ['Add consumer', async (f) => f.getByLabel('Group (group.id)').fill('newgroup'), 'Add consumer'],
    ['Create topic', async (f) => f.getByLabel('Topic name').fill('more'), 'Create'],
  ]) {
    const form = await openForm(page, title);
    await fill(form);
    await form.getByRole('button', { name: submit }).click();
    await form.getByRole('status').waitFor();
    assert.ok(await page.getByRole('dialog', { name: title }).isVisible(), `${title} is still open after its submit`);
  }
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('the shortcut list traps focus, closes with Escape and returns focus', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await ready(page);
  const help = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await help.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} stays in the list`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.ok(await help.evaluate((b) => b === document.activeElement), 'focus is back on the ? button');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('a skip link is the first stop of Tab and reaches the cluster', async () => {
  const { page, problems } = await openPage(browser, server.url);
  await ready(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the cluster' });
  assert.ok(await skip.evaluate((a) => a === document.activeElement), 'the skip link has focus');
  assert.ok((await skip.boundingBox()).y >= 0, 'and is visible while focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cluster');
  // The next Tab lands in the producers column, not back in the header.
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.getElementById('cluster').contains(document.activeElement)));
  assert.deepEqual(problems, []);
  await page.context().close();
});

for (const colorScheme of ['light', 'dark']) {
  test(`axe finds nothing serious in the ${colorScheme} theme, with and without a drawer open`, async () => {
    const { page, problems } = await openPage(browser, server.url, { width: 1280, height: 720, colorScheme });
    await ready(page);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await checkA11y(page);
    for (const title of ['Add producer', 'Produce one record', 'Network faults', 'Create topic', 'Add processor', 'Add Streams app', 'Add consumer']) {
      await openForm(page, title);
      await checkA11y(page, 'dialog[open]');
    }
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Details of billing' }).click();
    await checkA11y(page);
    // Later: the group stable with its partitions, then each dialog and menu open, and a dead
    // broker.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByRole('region', { name: 'Group billing' }).getByLabel('State Stable').waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.waitForTimeout(800); // chips animate in
    await checkA11y(page);
    await page.getByRole('button', { name: 'Reset offsets of billing' }).click();
    await checkA11y(page);
    await page.keyboard.press('Escape');
    for (const menu of ['Scenarios', 'About this run']) {
      await page.getByRole('button', { name: menu }).click();
      await checkA11y(page);
      await page.keyboard.press('Escape');
    }
    await page.getByRole('button', { name: 'Kill broker 1' }).click();
    await page.getByText('Action log').click();
    await checkA11y(page);
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

// The first minute as people meet it, kept as artifacts to look at.
test('screenshots of the first minute at 1280x720, 1440x900 and 390x844, light and dark', async () => {
  for (const [width, height] of [[1280, 720], [1440, 900], [390, 844]]) {
    for (const colorScheme of ['light', 'dark']) {
      const { page, problems } = await openPage(browser, server.url, { width, height, colorScheme });
      await ready(page);
      await page.waitForTimeout(3000);
      await shot(page, `first-minute-${width}x${height}-${colorScheme}`, { fullPage: false });
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  }
  // One full-page shot with a drawer open.
  const { page } = await openPage(browser, server.url, { width: 1280, height: 720 });
  await ready(page);
  await openForm(page, 'Add consumer');
  await shot(page, 'drawer-add-consumer');
  await page.context().close();
});
