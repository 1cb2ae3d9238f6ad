// bench/settled-browser.mjs — the browser a timed page opens in: fresh (empty cache, no open
// connections, no compiled code), launched for the run, and past its own start-up before the
// page is opened, as a visitor's browser is. Measured on the benchmark machine (2026-12-08):
// once about:blank is ready, Chromium still uses 150% of the 2 cores for ~0.3 s and 40–100% until
// ~0.6–0.9 s, then nothing; a page submitted ~0.3 s after it loaded shared the cores with that.
// OPK_BENCH_BROWSER_SETTLE=0 opens the page at once, as the benches did before.
import { openPage } from '../web/tests/browser.mjs';

/** Milliseconds between the browser's blank page and the timed page (default 1500). */
export const browserSettleMs = () => Number(process.env.OPK_BENCH_BROWSER_SETTLE ?? 1500);

/** `openPage` (web/tests/browser.mjs) once the browser has settled; `beforeGoto` runs after. */
export function openSettledPage(url, { beforeGoto } = {}) {
  return openPage(url, {
    beforeGoto: async (page) => {
      if (browserSettleMs() > 0) await page.waitForTimeout(browserSettleMs());
      await beforeGoto?.(page);
    },
  });
}
