// bench/request-floor.mjs — the floor under time to verdict on this machine: the registry
// requests one run of the app made, replayed by plain `fetch` from the same page, in the same
// browser set-up, each request only once what it depends on is in. No parsing, no digest
// checks, no verification, no rendering: what the requests alone cost here.
//
// The app's requests are recorded from one run (URL and Accept header, through the DevTools
// protocol). What each request waits for is found from the registry's own answers: the tag
// waits for nothing, and a request naming a digest waits for the first answer that is that
// digest or lists it (an index lists its manifests, a manifest its layers, a referrers list its
// referrers; the index itself is the subject of its own signature lookups).
import { createHash } from 'node:crypto';
import { openSettledPage } from './settled-browser.mjs';

const OWNER = '145685596';
const VERDICT = '#results .verdict[data-state], #status .verdict[data-state]';

// The digest a registry URL names: `sha256:<hex>` or the tag forms `sha256-<hex>[.sig|.att]`.
const named = (url) => url.match(/sha256[:-]([0-9a-f]{64})/)?.[1] ?? null;

/** Every registry GET of one run of the app on `image` made before its verdict, in order. */
async function recordRequests(app, demo, image, query) {
  const { browser, page, waitFor } = await openSettledPage(`${app.url}?owner_id=${OWNER}&jwks=${demo.issuer}/.well-known/jwks${query}`);
  try {
    await waitFor('#image-ref');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const accept = new Map();
    cdp.on('Network.requestWillBeSent', ({ request: r }) => {
      if (r.method === 'GET') accept.set(r.url, r.headers.Accept ?? r.headers.accept ?? '*/*');
    });
    await page.fill('#image-ref', `${demo.registry}/openpubkey/${image}:latest`);
    // The URLs the page had asked for when its verdict appeared (not the image configs after).
    const urls = await page.evaluate((verdict) => new Promise((resolve) => {
      const t0 = performance.now();
      new MutationObserver((_, obs) => {
        if (!document.querySelector(verdict)) return;
        obs.disconnect();
        resolve(performance.getEntriesByType('resource')
          .filter((e) => e.startTime >= t0 && e.name.includes('/v2/')).map((e) => e.name));
      }).observe(document.body, { childList: true, subtree: true });
      document.querySelector('#go').click();
    }), VERDICT);
    return urls.map((url) => {
      if (!accept.has(url)) throw new Error(`request floor: no Accept seen for ${url}`);
      return { url, accept: accept.get(url) };
    });
  } finally {
    await browser.close();
  }
}

/**
 * Each request's parent: the index of the first request whose answer is the digest it names or
 * lists it (`null` for the tag, which needs nothing), and its stage (the tag's is 1).
 */
async function dependencies(sent) {
  const answers = await Promise.all(sent.map(async ({ url, accept }) => {
    const r = await fetch(url, { headers: { accept } });
    const bytes = r.ok ? Buffer.from(await r.arrayBuffer()) : Buffer.alloc(0);
    return { text: bytes.toString(), digest: r.ok ? createHash('sha256').update(bytes).digest('hex') : '' };
  }));
  const parent = sent.map(() => null);
  const stage = sent.map((s) => (named(s.url) ? null : 1));
  for (let changed = true; changed;) {
    changed = false;
    sent.forEach((s, i) => {
      if (stage[i] !== null) return;
      const hex = named(s.url);
      const from = sent.map((_, j) => j)
        .filter((j) => stage[j] !== null && (answers[j].digest === hex || answers[j].text.includes(hex)))
        .sort((a, b) => stage[a] - stage[b]);
      if (from.length) {
        [parent[i], stage[i]] = [from[0], stage[from[0]] + 1];
        changed = true;
      }
    });
  }
  const lost = sent.filter((_, i) => stage[i] === null);
  if (lost.length) throw new Error(`request floor: no answer lists ${lost.map((s) => s.url).join(', ')}`);
  return sent.map((s, i) => ({ ...s, parent: parent[i], stage: stage[i] }));
}

/**
 * Learns the app's requests for `image` from one run, then replays them `runs` times, each in a
 * fresh browser on the app's page (with the same link, so the page starts up as it does for a
 * timed run), each request sent as soon as its parent's answer is in:
 * `{ ms: [...], requests, stages: [count per stage] }`.
 */
export async function requestFloor(app, demo, image, { query = '', runs = 7 } = {}) {
  const requests = await dependencies(await recordRequests(app, demo, image, query));
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const { browser, page, waitFor } = await openSettledPage(`${app.url}?owner_id=${OWNER}&jwks=${demo.issuer}/.well-known/jwks${query}`);
    try {
      await waitFor('#image-ref');
      ms.push(await page.evaluate(async (requests) => {
        const t0 = performance.now();
        // A registry without the referrers API answers it with no CORS headers: the browser
        // refuses it, as it does the app's own request (which takes that as no API).
        const send = (i) => fetch(requests[i].url, { headers: { accept: requests[i].accept } })
          .then((r) => r.arrayBuffer(), () => null)
          .then(() => Promise.all(requests.map((r, j) => j).filter((j) => requests[j].parent === i).map(send)));
        await Promise.all(requests.map((r, j) => j).filter((j) => requests[j].parent === null).map(send));
        return performance.now() - t0;
      }, requests));
    } finally {
      await browser.close();
    }
  }
  const stages = [];
  for (const r of requests) stages[r.stage - 1] = (stages[r.stage - 1] ?? 0) + 1;
  return { ms, requests: requests.length, stages };
}
