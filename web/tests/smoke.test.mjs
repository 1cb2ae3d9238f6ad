// Smoke test: the release build in dist/ loads in headless Chromium, mounts the app, and logs no
// error (a wasm panic, a failed load or any console error fails the test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist } from '../serve-dist.mjs';
import { openPage } from './browser.mjs';

test('app shell mounts without errors', async () => {
  const server = await serveDist();
  const { browser, page, errors, waitFor } = await openPage(server.url);
  try {
    await waitFor('#app header h1');
    assert.equal(await page.textContent('#app header h1'), 'OPK Explorer');
    assert.match(await page.textContent('#verifier-version'), /^opk-verify \d+\.\d+\.\d+$/);
    // Interact once so event handlers run inside the wasm too.
    assert.equal(await page.textContent('#status'), 'Enter an image reference to explore it.');
    await page.fill('#image-ref', 'not a reference!');
    await page.click('#go');
    await page.waitForSelector('#status .verdict[data-state=failed]');
    assert.match(await page.textContent('#status'), /malformed_reference/);
    await page.waitForTimeout(200);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});

test('bundled trust roots are served with the app', async () => {
  const server = await serveDist();
  try {
    const res = await fetch(`${server.url}trust/github-actions.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.equal(doc.issuer, 'https://token.actions.githubusercontent.com');
    assert.ok(doc.keys.length >= 8);
  } finally {
    server.close();
  }
});

test('the static site works from a sub-path (relative asset URLs)', async () => {
  const server = await serveDist({ prefix: '/tools/opk-explorer/' });
  const { browser, page, errors, waitFor } = await openPage(server.url);
  try {
    await waitFor('#app header h1');
    assert.equal(await page.textContent('#app header h1'), 'OPK Explorer');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
