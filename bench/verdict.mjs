// bench/verdict.mjs — one timed run of the release app (dist/ or another build served at
// `app.url`): time from the submit click to the rendered verdict, as bench/run.mjs and
// bench/ab/app.mjs measure it.
import { openSettledPage } from './settled-browser.mjs';

const OWNER = '145685596';

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// One run: a fresh browser (empty HTTP cache) past its own start-up (bench/settled-browser.mjs),
// the app with the policy in its link, then the
// reference typed and submitted; timed inside the page from the submit event to the verdict.
// `query`: more of the page's URL parameters (a trusted root, required predicates). `settle`:
// milliseconds to wait after the form appears (0: submit at once, while the browser may still
// be compiling the wasm in the background, as a visitor quick to paste would).
export async function timeToVerdict(app, demo, image, { sbomFilter, query = '', settle = 0 } = {}) {
  const base = `${app.url}?owner_id=${OWNER}&jwks=${demo.issuer}/.well-known/jwks${query}`;
  const { browser, page, waitFor } = await openSettledPage(base);
  try {
    await waitFor('#image-ref');
    if (settle) await page.waitForTimeout(settle);
    await page.fill('#image-ref', `${demo.registry}/openpubkey/${image}:latest`);
    const { ms, atVerdict, all } = await page.evaluate(() => new Promise((resolve) => {
      const form = document.querySelector('form.reference');
      let t0;
      form.addEventListener('submit', () => { t0 = performance.now(); }, { capture: true });
      const done = () => document.querySelector('#results .verdict[data-state], #status .verdict[data-state]');
      // Requests to anything but the app itself (registry, issuer key set), as the page saw them.
      const external = () => performance.getEntriesByType('resource')
        .filter((e) => e.startTime >= t0 && !e.name.startsWith(location.origin));
      new MutationObserver((_, obs) => {
        if (done()) {
          obs.disconnect();
          const ms = performance.now() - t0;
          const atVerdict = external().map((e) => e.name);
          // Whatever follows the verdict (the image configs), within a second.
          setTimeout(() => resolve({ ms, atVerdict, all: external().map((e) => e.name) }), 1000);
        }
      }).observe(document.body, { childList: true, subtree: true });
      document.querySelector('#go').click();
    }));
    const state = await page.getAttribute('.verdict[data-state]', 'data-state');
    const result = { ms, state, requests: atVerdict.length, after: all.length - atVerdict.length, urls: atVerdict };
    if (sbomFilter) {
      result.rendered = await page.locator('.sbom-table tbody tr').count();
      result.filter = await page.evaluate((q) => new Promise((resolve) => {
        const input = document.querySelector('.sbom-filter');
        const count = document.querySelector('.sbom-count');
        const t0 = performance.now();
        new MutationObserver((_, obs) => {
          obs.disconnect();
          requestAnimationFrame(() => resolve({ ms: performance.now() - t0, text: count.textContent }));
        }).observe(count, { childList: true, subtree: true, characterData: true });
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }), sbomFilter);
    }
    return result;
  } finally {
    await browser.close();
  }
}

