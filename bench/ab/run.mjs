// bench/ab/run.mjs DIR A B — serves DIR (holding the builds A and B and bench/ab/index.html)
// and prints both builds' median GQ256 verify time and the median of per-round ratios B/A.
import { copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../../web/serve-dist.mjs';
import { openPage } from '../../web/tests/browser.mjs';

const [dir, a, b] = process.argv.slice(2);
if (!b) throw new Error('usage: node bench/ab/run.mjs DIR A B');
await copyFile(fileURLToPath(new URL('index.html', import.meta.url)), `${dir}/index.html`);
const server = await serveDist({ root: `${dir}/` });
const { browser, page, waitFor } = await openPage(`${server.url}?k=${a},${b}`);
try {
  await waitFor('#state:text("done")', 300000);
  console.log(JSON.stringify(await page.evaluate(() => window.result)));
} finally {
  await browser.close();
  server.close();
}
