// Launches Debian's headless Chromium through playwright-core (no browser download) and records
// every console error and uncaught page error (a wasm panic surfaces as one).
import { chromium } from 'playwright-core';

export async function openPage(url, { beforeGoto } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
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

/** For `page.addInitScript`: makes the page a browser without relaxed SIMD, where any module
 * with a relaxed-SIMD instruction (here f64x2.relaxed_madd, 0xfd 0x87 0x02) fails validation. */
export function refuseRelaxedSimd() {
  const validate = WebAssembly.validate;
  WebAssembly.validate = (bytes) => {
    const b = new Uint8Array(bytes);
    for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x87 && b[i + 2] === 2) return false;
    return validate(bytes);
  };
}
