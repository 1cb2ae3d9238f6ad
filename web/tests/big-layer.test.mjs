// The layer browser's memory bound, in headless Chromium: a 200 MiB layer (a plain tar with a
// 200 MiB file, seeded by the demo registry when OPK_DEMO_BIG_LAYER is set) is streamed and
// listed while the page's wasm memory grows by far less than the layer (docs/limits.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openPage } from './browser.mjs';
import { withDemoAndApp } from './demo-app.mjs';

process.env.OPK_DEMO_BIG_LAYER = '200';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const env = withDemoAndApp(ARTIFACTS);

test('a 200 MiB layer lists without the page holding it', async () => {
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/big-layer:latest`;
  const { page, browser, waitFor, errors } = await openPage(url, {
    beforeGoto: (p) => p.addInitScript(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.opkWasm = e.detail.wasm; });
    }),
  });
  try {
    // No identity rule: explored, not verified; the explorer is all this test needs.
    await waitFor('#results .banner[data-state="not_verified"]', 60000);
    await page.waitForFunction(() => window.opkWasm);
    const before = await page.evaluate(() => window.opkWasm.memory.buffer.byteLength);
    await page.click('tr.layer button.list-files');
    await page.waitForSelector('.layer-browser .layer-done', { timeout: 120000 });
    assert.match(await page.textContent('.layer-done'), /^✓ 2 entries · the layer's digest checked over the 200\.0 MiB streamed$/);
    const after = await page.evaluate(() => window.opkWasm.memory.buffer.byteLength);
    const grown = after - before;
    console.log(`wasm memory: ${before} B before, ${after} B after listing the 200 MiB layer`);
    assert.ok(grown < 16 * 1024 * 1024, `wasm memory grew by ${grown} B while a 200 MiB layer streamed`);
    const rows = await page.$$eval('.layer-files tr.entry', (trs) => trs.map((tr) => tr.dataset.path));
    assert.deepEqual(rows, ['small.txt', 'big.bin']);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});
