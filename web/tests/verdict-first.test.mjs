// The verdict first (issue 26), in headless Chromium against the demo registry: for each state
// the banner's top edge is inside the first viewport at 1280×800 and 390×844, light and dark,
// with its state and the sentence that says what it means (screenshots in web/test-artifacts/);
// an image is explored without a policy and its claimed signer is one click away; Back and
// Forward, Enter in a policy field, a stale verdict and the tab title; and WCAG 2.2 AA contrast
// of the verdict, buttons and links in light and dark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { flipLastByte, modules, openPage, wasmFetched } from './browser.mjs';
import { withDemoAndApp } from './demo-app.mjs';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const OWNER = '145685596';
const env = withDemoAndApp(ARTIFACTS);
const BANNER = '#results .banner[data-state], #status .banner[data-state]';

const link = (image, extra = '') =>
  `${env.app.url}?image=${env.demo.registry}/openpubkey/${image}&owner_id=${OWNER}&jwks=${env.demo.issuer}/.well-known/jwks${extra}`;

/** A loopback port nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** WCAG 2.2 contrast of each visible text element that carries meaning (the banner's
 * headline and sentences, buttons, links, muted text, tabs, badges) against the background it
 * is drawn on, computed in the page. */
function contrasts(page) {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = [];
    const selectors = ['.banner .headline', '.banner .meaning', '.banner .action', '.banner .reason', '.banner .against',
      '.banner .who', '.banner .when', 'button#go', 'a', '.muted', 'summary', '.tab', '.badge', 'h2'];
    for (const s of selectors) {
      for (const el of [...document.querySelectorAll(s)].slice(0, 4)) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || !el.textContent.trim()) continue;
        const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
        out.push({ what: `${s} "${el.textContent.trim().slice(0, 30)}"`, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
      }
    }
    return out;
  });
}

const LAYOUTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

test('each state: the banner comes first, in every layout and colour scheme, and says what it means', async () => {
  const unreachable = `${env.app.url}?image=127.0.0.1:${await closedPort()}/x/y:z&owner_id=${OWNER}`;
  const cases = [
    ['signed', link('demo:latest'), 'verified',
      [/Signed by openpubkey\/demo \(owner id 145685596\)/, /Signed \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
        /Verified against: repository owner id = 145685596/]],
    ['tampered', link('tampered:latest'), 'invalid',
      [/changed after it was signed/, /What to do: Do not use this image\./]],
    ['unsigned', link('unsigned:latest'), 'unsigned', [/none is signed: anyone could have written them/]],
    ['forged', link('forged:latest'), 'invalid',
      [/it names sha256:[0-9a-f]{64}, not this image \(sha256:[0-9a-f]{64}\)/]],
    ['withheld', link('demo:latest', `&proxy=${env.demo.hostileProxy}`), 'withheld',
      [/not evidence that the image is unsigned/]],
    ['unreachable', unreachable, 'unreachable', [/Nothing answered at 127\.0\.0\.1:\d+: check that the registry runs there/]],
  ];
  for (const [name, url, state, sentences] of cases) {
    const { page, browser, waitFor } = await openPage(url);
    try {
      await waitFor(BANNER, 30000);
      const banner = page.locator(BANNER).first();
      assert.equal(await banner.getAttribute('data-state'), state, name);
      const text = await banner.textContent();
      for (const s of sentences) assert.match(text, s, `${name}: ${text}`);
      // The unreachable advice fits a local registry: no CORS proxy (it is never used for one).
      if (name === 'unreachable') assert.doesNotMatch(text, /set a CORS proxy/);
      // Headings never skip a level on the way down (h2 → h4 is a skip; h4 → h2 is not).
      const levels = await page.$$eval('h1, h2, h3, h4, h5, h6', (hs) => hs.map((h) => Number(h.tagName[1])));
      levels.forEach((l, i) => assert.ok(i === 0 || l <= levels[i - 1] + 1, `${name}: heading levels ${levels.join(',')}`));
      for (const { width, height } of LAYOUTS) {
        for (const colorScheme of ['light', 'dark']) {
          await page.setViewportSize({ width, height });
          await page.emulateMedia({ colorScheme });
          await page.evaluate(() => window.scrollTo(0, 0));
          const box = await banner.boundingBox();
          assert.ok(box && box.y >= 0 && box.y < height - 40,
            `${name} ${width}×${height} ${colorScheme}: banner top at ${box?.y}`);
          await page.screenshot({ path: `${ARTIFACTS}first-${name}-${width}-${colorScheme}.png` });
          // WCAG 2.2 AA: 4.5:1 for text, in both colour schemes.
          const measured = await contrasts(page);
          // Never vacuous: the verdict's headline and the primary button are among them.
          for (const what of ['.banner .headline', 'button#go', 'a ']) {
            assert.ok(measured.some((c) => c.what.startsWith(what)), `${name}: no contrast measured for ${what}`);
          }
          const low = measured.filter((c) => c.ratio < 4.5);
          assert.deepEqual(low, [], `${name} ${colorScheme}: ${low.map((c) => `${c.what} ${c.ratio.toFixed(2)}:1`).join('; ')}`);
        }
      }
    } finally { await browser.close(); }
  }
});

test('the verdicts are on screen before the checklist and the explorer are built', async () => {
  // When a banner is first in the page, the platform's panel must not be: it follows a frame
  // later, so the verdict is painted without waiting for the bulk of the rendering.
  const seeBanner = (p) => p.addInitScript(() => {
    new MutationObserver((_, obs) => {
      const results = document.querySelector('#results');
      if (!results?.querySelector('.banner[data-state]')) return;
      window.atBanner = { details: results.dataset.details, layers: results.querySelectorAll('table.layers').length };
      obs.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), { beforeGoto: seeBanner });
  try {
    await waitFor('#results[data-details="shown"]', 30000);
    assert.deepEqual(await page.evaluate(() => window.atBanner), { details: 'pending', layers: 0 });
    assert.ok(await page.locator('#results table.layers').count() > 0);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('without a policy the image is explored, and the signer it claims is one click away', async () => {
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/demo:latest&jwks=${env.demo.issuer}/.well-known/jwks`;
  const { page, browser, waitFor, errors } = await openPage(url);
  try {
    await waitFor(BANNER, 30000);
    const banner = page.locator(BANNER).first();
    assert.equal(await banner.getAttribute('data-state'), 'not_verified');
    const text = await banner.textContent();
    assert.match(text, /Not verified: no identity rule/);
    assert.match(text, /claims to come from openpubkey\/demo \(owner id 145685596\); this is not verified yet/);
    // Explored all the same: the platforms and their attestations are there (a frame after
    // the verdicts are painted).
    await waitFor('#results[data-details="shown"]');
    assert.equal(await page.locator('.tab').count(), 2);
    assert.match(await page.textContent('#results'), /https:\/\/slsa\.dev\/provenance\/v0\.2/);
    // With no rule in the link the policy form is open.
    assert.equal(await page.locator('details.policy[open]').count(), 1);
    await page.screenshot({ path: `${ARTIFACTS}first-no-policy.png`, fullPage: true });
    await banner.locator('button.require').click();
    await page.waitForSelector('#results .banner[data-state="verified"]', { timeout: 30000 });
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('owner_id'), OWNER);
    assert.equal(query.get('repo'), 'openpubkey/demo');
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('Back and Forward, Enter in a policy field, a stale verdict, the title and the focus', async () => {
  const { page, browser, waitFor } = await openPage(link('demo:latest'));
  const shows = async (image, state) => {
    await page.waitForFunction(([img, st]) => {
      const h = document.querySelector('#results h2');
      const b = document.querySelector('#results .banner[data-state]');
      return h && b && h.textContent.includes(img) && b.dataset.state === st;
    }, [image, state], { timeout: 30000 });
  };
  try {
    await waitFor(BANNER, 30000);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'image-ref');
    await shows('/openpubkey/demo:latest', 'verified');
    assert.match(await page.title(), /^✓ Verified · .*\/openpubkey\/demo:latest — OPK Explorer$/);
    await page.fill('#image-ref', `${env.demo.registry}/openpubkey/tampered:latest`);
    await page.click('#go');
    await shows('/openpubkey/tampered:latest', 'invalid');
    assert.match(await page.title(), /^✗ Invalid · .*tampered:latest/);
    await page.goBack();
    await shows('/openpubkey/demo:latest', 'verified');
    assert.match(page.url(), /openpubkey\/demo:latest/);
    assert.equal(await page.inputValue('#image-ref'), `${env.demo.registry}/openpubkey/demo:latest`);
    await page.goForward();
    await shows('/openpubkey/tampered:latest', 'invalid');
    await page.goBack();
    await shows('/openpubkey/demo:latest', 'verified');
    // Editing the policy marks the shown verdict stale; Enter in the field verifies with it.
    await page.click('details.policy > summary');
    await page.fill('#owner-id', '2');
    await page.press('#owner-id', 'Tab');
    await page.waitForSelector('#results .banner .stale');
    await page.fill('#owner-id', '3');
    await page.press('#owner-id', 'Enter');
    await page.waitForFunction(() => /the policy requires "3"/.test(document.querySelector('#results .banner')?.textContent ?? ''),
      null, { timeout: 30000 });
    assert.equal(await page.locator('#results .banner .stale').count(), 0);
    assert.equal(new URL(page.url()).searchParams.get('owner_id'), '3');
  } finally { await browser.close(); }
});

test('a tag the registry does not have says so in words, not as the registry\'s JSON', async () => {
  const { page, browser, waitFor } = await openPage(link('demo:no-such-tag'));
  try {
    await waitFor(BANNER, 30000);
    const banner = page.locator(BANNER).first();
    assert.equal(await banner.getAttribute('data-state'), 'not_found');
    assert.equal(await banner.locator('.headline').textContent(), 'Not found');
    assert.match(await banner.locator('.meaning').textContent(), /^The registry has no such image/);
  } finally { await browser.close(); }
});

test("a repository's tags are listed, each tag's digest fetched only when asked", async () => {
  const requests = [];
  const wasm = [];
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), {
    beforeGoto: async (p) => {
      p.on('request', (r) => { if (r.url().includes('/v2/')) requests.push(r.url()); });
      await wasmFetched(wasm)(p);
    },
  });
  try {
    await waitFor(BANNER, 30000);
    assert.ok(!wasm.includes('lazy-tags.wasm'));
    await page.click('a.tags-link');
    await waitFor('.tags-view li.tag[data-tag="latest"]', 30000);
    // The tags view is a module of its own, fetched when tags are first asked for (the link
    // opens a page of its own, which fetches its first module again).
    assert.deepEqual([...new Set(modules(wasm))], ['lazy-explorer.wasm', 'lazy-tags.wasm', 'opk-explorer_bg.wasm']);
    assert.equal(await page.textContent('.tags-view h2'), `Tags of ${env.demo.registry}/openpubkey/demo`);
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('tags'), `${env.demo.registry}/openpubkey/demo`);
    assert.equal(query.get('owner_id'), OWNER);
    // One request for the listing; none for digests until asked.
    const before = requests.length;
    assert.deepEqual(requests.filter((u) => u.includes('/tags/list')).length, 1);
    // (gloo-net's request builder appends an empty `&` to a URL that has a query.)
    assert.equal(requests.at(-1).replace(/&$/, ''), `http://${env.demo.registry}/v2/openpubkey/demo/tags/list?n=100`);
    const row = page.locator('.tags-view li.tag[data-tag="latest"]');
    await row.locator('button.digest-of').click();
    await row.locator('.digest code').waitFor();
    assert.match(await row.locator('.digest').getAttribute('title'), /^sha256:[0-9a-f]{64}$/);
    assert.equal(requests.length, before + 1);
    // The tag opens its image's view with the same policy.
    const href = await row.locator('a').getAttribute('href');
    const target = new URLSearchParams(href.slice(href.indexOf('?')));
    assert.equal(target.get('image'), `${env.demo.registry}/openpubkey/demo:latest`);
    assert.equal(target.get('owner_id'), OWNER);
    assert.equal(target.get('tags'), null);
    await page.screenshot({ path: `${ARTIFACTS}tags.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('a tags module that is not the one the page pins is refused, and the page says so', async () => {
  const flip = flipLastByte('**/lazy-tags-*.wasm');
  const { page, browser, waitFor, errors } = await openPage(
    `${env.app.url}?tags=${env.demo.registry}/openpubkey/demo&owner_id=${OWNER}`, { beforeGoto: flip });
  try {
    await waitFor('.tags-error', 30000);
    assert.equal(await page.textContent('.tags-error'),
      'tags_view_not_loaded: the tags view (a module of this page) did not load; try again or reload the page');
    assert.ok(errors.length > 0 && errors.every((e) => /integrity|Failed to fetch/.test(e)), errors.join('\n'));
  } finally { await browser.close(); }
});

test('each platform has a summary: platform, created, layers and size, history sizes, a pull line by digest', async () => {
  const { page, browser, waitFor } = await openPage(link('demo:latest'));
  try {
    await waitFor(BANNER, 30000);
    // The config comes after the verdict.
    await page.waitForFunction(() => !/not stated/.test(document.querySelector('.summary')?.textContent ?? 'not stated'), null, { timeout: 30000 });
    const summary = await page.textContent('.summary');
    assert.match(summary, /Platformlinux\/amd64/);
    assert.match(summary, /Created2023-10-24T10:00:00Z/);
    assert.match(summary, /Layers1 · \d+ B compressed/);
    const digest = await page.getAttribute('.tab.selected', 'data-platform').then(() =>
      page.$eval('.explorer .entry .digest', (e) => e.title));
    assert.equal(await page.textContent('.summary code.pull'), `docker pull ${env.demo.registry}/openpubkey/demo@${digest}`);
    // History: the ENV step made no layer, the COPY step made the one layer.
    const rows = await page.$$eval('table.history tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
    assert.equal(rows[0], '—');
    assert.match(rows[1], /^\d+ B$/);
  } finally { await browser.close(); }
});

test('offline: the example loads into the panel; an input error is not verified, not invalid; pasted keys are labelled', async () => {
  const { page, browser, waitFor, errors } = await openPage(env.app.url);
  try {
    await waitFor('#load-example');
    await page.click('#load-example');
    await page.waitForFunction(() => document.querySelector('#offline-input').value.includes('payloadType'));
    assert.equal(await page.inputValue('#offline-subject'),
      'sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8');
    assert.match(await page.inputValue('#offline-jwks'), /"keys"/);
    assert.equal(await page.inputValue('#owner-id'), OWNER);
    assert.equal(new URL(page.url()).hash, '');
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state]');
    assert.equal(await page.getAttribute('#offline-results .verdict', 'data-state'), 'verified');
    // The synthetic key set is the user's, whatever issuer it names: the headline says so.
    assert.match(await page.textContent('#offline-results .headline'), /^✓ Verified with the pasted, user-supplied keys — DSSE envelope$/);
    // No subject digest: the verification did not run; neutral, not a red "Invalid".
    await page.fill('#offline-subject', '');
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state="not_verified"]');
    assert.match(await page.textContent('#offline-results'), /missing_subject/);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});


test("a layer's files are listed as it streams, searched, and a file viewed", async () => {
  const wasm = [];
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), { beforeGoto: wasmFetched(wasm) });
  try {
    await waitFor(BANNER, 30000);
    // The layer lister is a module of its own, fetched when a layer is first listed (the
    // explorer's, as the run starts).
    assert.deepEqual(modules(wasm), ['lazy-explorer.wasm', 'opk-explorer_bg.wasm']);
    await page.click('tr.layer button.list-files');
    await page.waitForSelector('.layer-browser .layer-done', { timeout: 30000 });
    assert.deepEqual(modules(wasm), ['lazy-explorer.wasm', 'lazy-layer.wasm', 'opk-explorer_bg.wasm']);
    assert.match(await page.textContent('.layer-done'), /^✓ 5 entries · the layer's digest checked/);
    const rows = await page.$$eval('.layer-files tr.entry', (trs) => trs.map((tr) =>
      [...tr.children].map((td) => td.textContent.replace(/\s+/g, ' ').trim()).join(' | ')));
    assert.deepEqual(rows.map((r) => r.replace(/ \| \d+ B \| /, ' | ')), [
      'drwxr-xr-x | etc',
      '-rw-r--r-- | etc/os-release',
      '-rwxr-xr-x | hello',
      'lrwxrwxrwx | bin/hi → /hello',
      '-rw-r--r-- | var/cache/.wh.old whiteout',
    ]);
    assert.match(rows[1], / \| 41 B \| /);
    // A path is indented by its depth (0.8rem a level: 12.8 px at the page's 16 px root).
    const indents = await page.$$eval('.layer-files tr.entry td:nth-child(3)', (tds) =>
      tds.map((td) => getComputedStyle(td).paddingLeft));
    assert.deepEqual(indents, ['0px', '12.8px', '0px', '12.8px', '25.6px']);
    // The search is case-insensitive (ASCII).
    await page.fill('.layer-search', 'OS-Rel');
    assert.equal(await page.locator('.layer-files tr.entry').count(), 1);
    await page.click('.layer-files button.view-file');
    await page.waitForSelector('.file-view .file-text');
    assert.equal(await page.textContent('.file-view .file-text'), 'NAME="OPK demo"\nID=opk-demo\nVERSION_ID=1\n');
    await page.screenshot({ path: `${ARTIFACTS}layer-files.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('a layer listed before the image configs arrive stays listed when they do', async () => {
  // The configs come after the verdict; here they are held back 3 s (blobs whose JSON names
  // a rootfs), so the listing starts first.
  const holdConfigs = (p) => p.route('**/blobs/sha256:*', async (r) => {
    const served = await r.fetch();
    const body = await served.body();
    if (body.length < 65536 && /"rootfs"\s*:/.test(body.toString('latin1'))) await new Promise((ok) => setTimeout(ok, 3000));
    await r.fulfill({ response: served, body });
  });
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), { beforeGoto: holdConfigs });
  try {
    await waitFor('#results[data-details="shown"]', 30000);
    assert.equal(await page.locator('dl.config').count(), 0, 'the configs are not in yet');
    await page.click('tr.layer button.list-files');
    await page.waitForSelector('.layer-browser .layer-done', { timeout: 30000 });
    await page.waitForSelector('dl.config', { timeout: 30000 });
    assert.equal(await page.locator('.layer-browser .layer-done').count(), 1, 'the listing survived the configs');
    assert.notEqual(await page.textContent('dl.summary'), '', 'summary');
    assert.doesNotMatch(await page.textContent('dl.summary'), /Creatednot stated/);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('an explorer module that is not the one the page pins is refused: the verdict stands, the explorer says why', async () => {
  const wasm = [];
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), {
    beforeGoto: async (p) => {
      await wasmFetched(wasm)(p);
      await flipLastByte('**/lazy-explorer-*.wasm')(p);
    },
  });
  try {
    await waitFor('#results[data-details="shown"]', 30000);
    assert.equal(await page.getAttribute(BANNER, 'data-state'), 'verified');
    assert.match(await page.textContent('.explorer-error'),
      /^explorer_not_loaded: the image explorer \(a module of this page\) did not load; verify again or reload the page$/);
    assert.equal(await page.locator('tr.layer').count(), 0);
    // The checklist is the page's own, drawn all the same.
    assert.ok(await page.locator('#results .checklist li').count() > 0);
    assert.ok(errors.length > 0 && errors.every((e) => /integrity|Failed to fetch/.test(e)), errors.join('\n'));
    // A failed load is not kept: served the pinned bytes, the next run draws the explorer.
    await page.unroute('**/lazy-explorer-*.wasm');
    await page.click('#go');
    await waitFor('#results[data-details="shown"] tr.layer', 30000);
    assert.equal(await page.locator('.explorer-error').count(), 0);
  } finally { await browser.close(); }
});

test('a layer module that is not the one the page pins is refused, and the listing says so', async () => {
  const wasm = [];
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'), {
    beforeGoto: async (p) => {
      await wasmFetched(wasm)(p);
      // The server (or a CDN) answers the layer module's URL with other bytes: one flipped.
      await flipLastByte('**/lazy-layer-*.wasm')(p);
    },
  });
  try {
    await waitFor(BANNER, 30000);
    await page.click('tr.layer button.list-files');
    await page.waitForSelector('.layer-browser .layer-error', { timeout: 30000 });
    assert.match(await page.textContent('.layer-error'),
      /^layer_browser_not_loaded: the layer browser \(a module of this page\) did not load; reload the page$/);
    assert.equal(await page.locator('.layer-files tr.entry').count(), 0);
    assert.deepEqual(modules(wasm), ['lazy-explorer.wasm', 'lazy-layer.wasm', 'opk-explorer_bg.wasm']);
    assert.ok(errors.length > 0 && errors.every((e) => /integrity|Failed to fetch/.test(e)), errors.join('\n'));
  } finally { await browser.close(); }
});

test('a remote registry that does not answer: set a CORS proxy, or check the proxy in use', async () => {
  // Nothing leaves this machine: every request to a host other than 127.0.0.1 is failed by the
  // browser's own interception, as a registry without CORS headers fails a page's fetch.
  const offMachine = (p) => p.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort('failed'));
  const cases = [
    ['docker hub, direct', `${env.app.url}?image=alpine&owner_id=${OWNER}`,
      /docker\.io|registry-1\.docker\.io/, /set a CORS proxy \(opk proxy\) under Proxy/],
    ['through a proxy that is not running', `${env.app.url}?image=registry.example/x/y:z&owner_id=${OWNER}`
      + `&proxy=http://127.0.0.1:${await closedPort()}/`,
      /registry\.example/, /Check that the proxy runs and can reach the registry\./],
  ];
  for (const [name, url, host, advice] of cases) {
    const { page, browser, waitFor } = await openPage(url, { beforeGoto: offMachine });
    try {
      await waitFor(BANNER, 30000);
      const banner = page.locator(BANNER).first();
      assert.equal(await banner.getAttribute('data-state'), 'unreachable', name);
      const text = await banner.textContent();
      assert.match(text, host, `${name}: ${text}`);
      assert.match(text, advice, `${name}: ${text}`);
      assert.doesNotMatch(text, /Nothing answered at/, name);
    } finally { await browser.close(); }
  }
});

test('a zstd layer is listed as it streams, its directories named without a trailing slash', async () => {
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/zstd-layer:latest`;
  const { page, browser, waitFor, errors } = await openPage(url);
  try {
    // No identity rule: explored, not verified; the layer browser is what this test needs.
    await waitFor('#results .banner[data-state="not_verified"]', 30000);
    await page.click('tr.layer button.list-files');
    await page.waitForSelector('.layer-browser .layer-done', { timeout: 30000 });
    assert.match(await page.textContent('.layer-done'), /^✓ 4 entries · the layer's digest checked/);
    const rows = await page.$$eval('.layer-files tr.entry', (trs) => trs.map((tr) => tr.dataset.path));
    assert.deepEqual(rows, ['etc', 'etc/os-release', 'usr/share', 'usr/share/words.txt']);
    await page.fill('.layer-search', 'os-rel');
    await page.click('.layer-files button.view-file');
    await page.waitForSelector('.file-view .file-text');
    assert.equal(await page.textContent('.file-view .file-text'), 'NAME="OPK zstd demo"\nID=opk-zstd\n');
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('every object has a link: an attestation manifest, and a file in a layer, by URL', async () => {
  const { page, browser, waitFor, errors } = await openPage(link('demo:latest'));
  try {
    await waitFor(BANNER, 30000);
    // The top-level index is shown too.
    assert.equal(await page.locator('details.raw', { hasText: 'Top-level index' }).count(), 1);
    // The attestation manifest's digest is a link to its view.
    const att = page.locator('.attestation-manifest .entry a.object-link').first();
    const digest = await att.locator('xpath=..').getAttribute('title');
    await att.click();
    await page.waitForSelector('#object h3');
    assert.equal(new URL(page.url()).searchParams.get('digest'), digest);
    assert.equal(await page.textContent('#object h3'), 'attestation manifest');
    assert.match(await page.textContent('#object .object-json'), /"layers"/);
    // A file in a layer, named by the URL, is shown at once.
    const layer = await page.getAttribute('tr.layer', 'data-layer');
    const url = `${link('demo:latest')}&digest=${layer}&path=etc/os-release`;
    await page.goto(url);
    await page.waitForSelector('#object .file-view .file-text', { timeout: 30000 });
    assert.match(await page.textContent('#object .file-text'), /^NAME="OPK demo"/);
    const share = await page.getAttribute('#object .file-link', 'href');
    assert.equal(new URLSearchParams(share.slice(share.indexOf('?'))).get('path'), 'etc/os-release');
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('the live region counts the requests while a verification runs', async () => {
  const { page, browser, waitFor } = await openPage(link('demo:latest'), {
    beforeGoto: (p) => p.addInitScript(() => {
      window.statusTexts = [];
      new MutationObserver(() => {
        const s = document.querySelector('#status');
        if (s) window.statusTexts.push(s.textContent);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    }),
  });
  try {
    await waitFor(BANNER, 30000);
    assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');
    const texts = await page.evaluate(() => window.statusTexts);
    const counts = texts.map((t) => t.match(/(\d+) of (\d+) requests/)).filter(Boolean).map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(counts.length >= 3, texts.join('\n'));
    assert.ok(counts.every(([done, sent]) => done <= sent), JSON.stringify(counts));
    // Answered requests only ever grow.
    assert.ok(counts.every(([done], i) => i === 0 || done >= counts[i - 1][0]), JSON.stringify(counts));
    assert.ok(texts.some((t) => /^Verifying 2 platform image\(s\)… \d+ of \d+ requests$/.test(t.trim())), texts.join('\n'));
  } finally { await browser.close(); }
});
