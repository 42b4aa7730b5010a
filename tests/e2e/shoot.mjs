// Takes screenshots for a look: node tests/e2e/shoot.mjs [name] (writes artifacts/NAME-*.png).
import { startServer, launch, openPage, shot } from './harness.mjs';
const name = process.argv[2] ?? 'look';
const server = await startServer();
const browser = await launch();
const { page, problems } = await openPage(browser, server.url, { width: 1500, height: 1000 });
await page.getByRole('heading', { name: 'brokerlab' }).waitFor();
await page.waitForTimeout(3000);
await shot(page, `${name}-1`);
await page.getByRole('button', { name: 'Kill broker 1' }).click();
await page.getByLabel('Speed').selectOption('8');
await page.waitForTimeout(2500);
await shot(page, `${name}-2`);
console.log(problems.join('\n') || 'no problems');
await browser.close(); server.close();
