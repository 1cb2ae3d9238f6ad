// bench/cold-load.mjs — time from navigation to the verdict for a deep link with an empty cache,
// under Chromium's network emulation (every request, the app's files and the registry's alike,
// throttled and delayed), the app served brotli-compressed as a static host would. What a
// first-time visitor following a shared link waits for.
import { openSettledPage } from './settled-browser.mjs';

/** One cold run: `kbps` kilobits per second down and up, `rtt` milliseconds added per request.
 * Returns the milliseconds from navigation start to the first verdict banner, its state and the
 * bytes the page received (as transferred, compressed). */
export async function coldLoad(url, { kbps, rtt }) {
  const { browser, page, waitFor } = await openSettledPage(url, {
    beforeGoto: async (p) => {
      await p.addInitScript(() => {
        new MutationObserver((_, obs) => {
          const b = document.querySelector('.banner[data-state]');
          if (b) { window.opkVerdictAt = performance.now(); window.opkVerdictState = b.dataset.state; obs.disconnect(); }
        }).observe(document, { childList: true, subtree: true });
      });
      const cdp = await p.context().newCDPSession(p);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: rtt, downloadThroughput: (kbps * 1000) / 8, uploadThroughput: (kbps * 1000) / 8,
      });
    },
  });
  try {
    await waitFor('.banner[data-state]', 120000);
    await page.waitForFunction(() => window.opkVerdictAt !== undefined);
    const version = browser.version();
    return await page.evaluate((v) => ({
      version: v,
      ms: window.opkVerdictAt,
      state: window.opkVerdictState,
      bytes: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .filter((e) => e.startTime <= window.opkVerdictAt).reduce((n, e) => n + (e.transferSize || 0), 0),
    }), version);
  } finally {
    await browser.close();
  }
}
