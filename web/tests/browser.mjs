// Launches Debian's headless Chromium through playwright-core (no browser download) and records
// every console error and uncaught page error (a wasm panic surfaces as one).
import { chromium } from 'playwright-core';

// Signature discovery looks where registries usually hold nothing: the referrers API (a
// registry without it may answer 404 without CORS headers, which Chromium logs as a CORS
// error), the sha256-<hex> referrers tag and cosign's .sig/.att tags (404). Chromium logs each
// failed load; for these URLs that is the expected answer, not an error of the page.
const DISCOVERY = /\/v2\/.+\/(referrers\/sha256:[0-9a-f]{64}|manifests\/sha256-[0-9a-f]{64}(\.sig|\.att)?)(\?|$)/;

function isDiscoveryLookup(m) {
  const url = m.location()?.url ?? '';
  const blocked = m.text().match(/^Access to fetch at '([^']+)'/)?.[1] ?? '';
  return DISCOVERY.test(url) || DISCOVERY.test(blocked);
}

export async function openPage(url, { beforeGoto } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' || isDiscoveryLookup(m)) return;
    errors.push(`console: ${m.text()}`);
  });
  let failed;
  const firstError = new Promise((resolve) => { failed = resolve; });
  page.on('pageerror', (e) => { errors.push(`pageerror: ${e.message}`); failed(); });
  await beforeGoto?.(page);
  await page.goto(url);
  /** Waits for `selector`, failing at once (with the errors) if the page throws first. */
  const waitFor = async (selector, timeout = 15000) => {
    const ok = await Promise.race([
      page.waitForSelector(selector, { timeout }).then(() => true),
      firstError.then(() => false),
    ]);
    if (!ok) throw new Error(`page failed before ${selector} appeared:\n${errors.join('\n')}`);
  };
  return { browser, page, errors, waitFor };
}

/** Serves what matches `pattern` (a Playwright route glob) with its last byte flipped, as a
 * server or CDN answering with other bytes than the page pins would; for `beforeGoto`. */
export const flipLastByte = (pattern) => (page) => page.route(pattern, async (r) => {
  const served = await r.fetch();
  const body = Buffer.from(await served.body());
  body[body.length - 1] ^= 1;
  await r.fulfill({ response: served, body });
});

/** Records in `list` the name of each wasm module a page fetches, without its digest and without
 * a shared chunk's number (`opk-explorer_bg.wasm`, `lazy-sigstore.wasm`, `lazy-shared.wasm`);
 * for `beforeGoto`. */
export const wasmFetched = (list) => async (page) => page.on('request', (r) => {
  const name = new URL(r.url()).pathname.split('/').pop();
  if (name.endsWith('.wasm')) list.push(name.replace(/-[0-9a-f]{15,16}/g, '').replace(/^(lazy-[a-z]+)[0-9]+/, '$1'));
});

/** The modules recorded by `wasmFetched`, in name order, without the chunks of code two lazy
 * modules share (where wasm-split puts that code is the build's business, not the page's). */
export const modules = (wasm) => wasm.filter((w) => w !== 'lazy-shared.wasm').sort();
