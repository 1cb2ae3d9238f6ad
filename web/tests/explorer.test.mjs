// End to end in headless Chromium: the release build in dist/ against a real docker-registry
// seeded with images signed by `opk sign` (the demo seeder). Each state gets a screenshot in
// web/test-artifacts/. The page must request nothing but the app, the registry (or the proxy)
// and the issuer key set named in the link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { flipLastByte, modules, openPage, wasmFetched } from './browser.mjs';
import { withDemoAndApp } from './demo-app.mjs';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const OWNER = '145685596';
const env = withDemoAndApp(ARTIFACTS);

const link = (image, extra = '') =>
  `${env.app.url}?image=${env.demo.registry}/openpubkey/${image}&owner_id=${OWNER}&jwks=${env.demo.issuer}/.well-known/jwks${extra}`;

/** What every run fetches: the page's first module, and the explorer as the run starts. */
const RUN = ['lazy-explorer.wasm', 'opk-explorer_bg.wasm'];
const RUN_SIGSTORE = ['lazy-explorer.wasm', 'lazy-sigstore.wasm', 'opk-explorer_bg.wasm'];

/** Opens `url`, waits for the verdict of the selected platform, returns what it shows (and the
 * hosts and wasm files it requested). */
async function verdictOf(url, shot, { platform, withheld = false, route, allowErrors } = {}) {
  const hosts = new Set();
  const wasm = [];
  const { page, browser, errors, waitFor } = await openPage(url, {
    beforeGoto: async (p) => {
      p.on('request', (r) => hosts.add(new URL(r.url()).host));
      await wasmFetched(wasm)(p);
      await route?.(p);
    },
  });
  try {
    await waitFor('#results .verdict[data-state], #status .verdict[data-state]', 30000);
    // The verdicts are painted first, the platform's checklist and explorer a frame later.
    if (await page.locator('#results').count()) await waitFor('#results[data-details="shown"]');
    if (platform) {
      await page.click(`.tab[data-platform="${platform}"]`);
      await page.waitForSelector(`.tab.selected[data-platform="${platform}"]`);
    }
    // The banner of the platform asked for, else the first (the one shown first).
    const banner = platform ? `#results .verdict[data-platform="${platform}"]` : '#results .verdict[data-state], #status .verdict[data-state]';
    const state = await page.getAttribute(banner, 'data-state');
    const text = await page.locator('#results').count()
      ? await page.textContent('#results') : await page.textContent('#status');
    await page.screenshot({ path: `${ARTIFACTS}${shot}.png`, fullPage: true });
    // A withholding proxy answers 404, which Chromium logs as a failed resource load.
    const unexpected = errors.filter((e) => !(withheld && /Failed to load resource: .* 404/.test(e))
      && !allowErrors?.test(e));
    assert.deepEqual(unexpected, []);
    return { state, text, hosts, wasm, page, browser };
  } catch (e) {
    await browser.close();
    throw e;
  }
}

function onlyHosts(hosts, allowed) {
  for (const h of hosts) assert.ok(allowed.includes(h), `the page requested ${h}; allowed: ${allowed.join(', ')}`);
}

test('the signed demo image verifies from a deep link, with the dev issuer labelled', async () => {
  const { state, text, hosts, wasm, page, browser } = await verdictOf(link('demo:latest'), 'signed');
  try {
    assert.equal(state, 'verified', text);
    // The page loads its first module, once, and the explorer's as the run starts: the
    // Sigstore verifier is not fetched for an image with only OpenPubkey signatures.
    assert.deepEqual(modules(wasm), RUN);
    assert.match(text, /Verified all required attestations are present/);
    assert.match(text, /Verified attestation refers to tag/);
    assert.match(text, /dev issuer/);
    assert.match(text, /✓ Verified — with dev issuer keys/);
    assert.match(text, /the one unverified step/);
    // Pinned to the digest the page verified; the key set's file says where it comes from.
    const top = await page.$eval('#results > .entry .digest', (e) => e.title);
    assert.equal(await page.textContent('#cli-command'),
      `opk verify ${env.demo.registry}/openpubkey/demo@${top} --repo-owner-id ${OWNER} --jwks jwks-1.json`);
    assert.equal(await page.textContent('.cli-files li'), `jwks-1.json: save ${env.demo.issuer}/.well-known/jwks as this file`);
    // Attestations are folded under their platform, never shown as unknown/unknown.
    assert.doesNotMatch(await page.textContent('.tabs'), /unknown/);
    onlyHosts(hosts, [new URL(env.app.url).host, env.demo.registry, new URL(env.demo.issuer).host]);
    // The README's picture: the verdict of the signed image.
    await page.setViewportSize({ width: 1100, height: 1000 });
    await page.locator('#results').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}readme.png`, clip: { x: 0, y: (await page.locator('#results').boundingBox()).y - 10, width: 1100, height: 1000 } });
    // Usable at phone width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page is ${width}px wide at a 390px viewport`);
    await page.screenshot({ path: `${ARTIFACTS}signed-phone.png` });
  } finally { await browser.close(); }
});

test('a deep link asks for its image and key set while the wasm downloads, once each; never around a proxy', async () => {
  // The first module is held back 400 ms: on loopback it arrives in milliseconds, and on a
  // loaded machine the early requests could start after it with nothing wrong (one failure,
  // 2026-12-07). A page that waited for its wasm would still ask after it.
  const holdWasm = (page) => page.route(/opk-explorer-[0-9a-f]+_bg\.wasm$/, async (r) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await r.continue();
  });
  const entries = async (url, registry) => {
    const { page, browser, waitFor, errors } = await openPage(url, { beforeGoto: holdWasm });
    try {
      await waitFor('#results .verdict[data-state]', 30000);
      assert.deepEqual(errors.filter((e) => !/Failed to load resource: .* 404/.test(e)), []);
      return await page.evaluate((registry) => performance.getEntriesByType('resource').map((e) => ({
        name: e.name.replace(`http://${registry}`, 'REGISTRY'), start: e.startTime, end: e.responseEnd,
      })), registry);
    } finally { await browser.close(); }
  };
  const direct = await entries(link('demo:latest'), env.demo.registry);
  const wasm = direct.find((e) => /opk-explorer-[0-9a-f]+_bg\.wasm$/.test(e.name));
  const index = direct.filter((e) => e.name === 'REGISTRY/v2/openpubkey/demo/manifests/latest');
  const jwks = direct.filter((e) => e.name === `${env.demo.issuer}/.well-known/jwks`);
  assert.equal(index.length, 1, 'the image index is requested once: the client took the early response');
  assert.equal(jwks.length, 1, 'the key set is requested once');
  assert.ok(index[0].start < wasm.end && jwks[0].start < wasm.end, JSON.stringify({ wasm, index, jwks }));
  // Through a proxy, nothing goes to the registry directly.
  const proxied = await entries(`${link('demo:latest')}&proxy=${env.demo.hostileProxy}`, env.demo.registry);
  assert.deepEqual(proxied.filter((e) => e.name.startsWith('REGISTRY/')), []);
  assert.ok(proxied.some((e) => e.name.includes('/v2/openpubkey/demo/manifests/latest')));
});

test('the tampered image fails with att_mismatch', async () => {
  const { state, text, browser } = await verdictOf(link('tampered:latest'), 'tampered');
  await browser.close();
  assert.equal(state, 'invalid', text);
  assert.match(text, /att_mismatch/);
});

test('a link whose identity rule is present but empty is refused, not read as no rule', async () => {
  const { state, text, browser } = await verdictOf(link('demo:latest', '&repo='), 'empty-rule');
  await browser.close();
  assert.notEqual(state, 'verified', text);
  assert.match(text, /invalid_policy/);
  assert.match(text, /repository is empty/);
});

test('the unsigned image says unsigned', async () => {
  const { state, text, browser } = await verdictOf(link('unsigned:latest'), 'unsigned');
  await browser.close();
  assert.equal(state, 'unsigned', text);
  assert.match(text, /Skipping unsigned/);
});

test('the forged subject is caught', async () => {
  const { state, text, browser } = await verdictOf(link('forged:latest'), 'forged');
  await browser.close();
  assert.equal(state, 'invalid', text);
  assert.match(text, /subject_mismatch/);
});

test('an attestation withheld by a proxy says withheld, not unsigned', async () => {
  const proxied = link('demo:latest', `&proxy=${env.demo.hostileProxy}`);
  const { state, text, hosts, browser } = await verdictOf(proxied, 'withheld', { withheld: true });
  try {
    assert.equal(state, 'withheld', text);
    assert.match(text, /missing_attestation/);
    assert.match(text, /not evidence that the image is unsigned/);
    assert.doesNotMatch(text, /Unsigned/);
    onlyHosts(hosts, [new URL(env.app.url).host, new URL(env.demo.hostileProxy).host, new URL(env.demo.issuer).host]);
  } finally { await browser.close(); }
  // The other platform's attestations were not withheld.
  const arm = await verdictOf(proxied, 'withheld-arm64', { platform: 'linux/arm64', withheld: true });
  await arm.browser.close();
  assert.equal(arm.state, 'verified', arm.text);
});

test('Sigstore-signed images: bundle referrers, github-builder, cosign v2 tags (on each image, on the index) and a timestamp authority verify, forged and tampered twins do not', async () => {
  const root = `&trusted_root=${env.demo.sigstoreRoot}`;
  const sigstoreLink = (image) => `${env.app.url}?image=${env.demo.registry}/openpubkey/${image}&owner_id=${OWNER}${root}`;
  for (const [image, state, expect] of [
    ['sigstore:latest', 'verified', [/Sigstore signature, found in the referrers tag/, /Signed \d{4}-\d\d-\d\d \d\d:\d\d UTC \(transparency log\)/]],
    ['github-builder:latest', 'verified', /Verified the signed manifest's attestations: https:\/\/slsa\.dev\/provenance\/v0\.2/],
    ['cosign-v2:latest', 'verified', /Verifying https:\/\/slsa\.dev\/provenance\/v0\.2 attestation \(cosign v2 signature, found in a cosign tag\)/],
    ['cosign-index:latest', 'verified', /Verifying https:\/\/slsa\.dev\/provenance\/v0\.2 attestation \(cosign v2 signature of the image index, found in a cosign tag\)/],
    ['sigstore-timestamped:latest', 'verified', [/Verified RFC 3161 timestamp \d{4}-/, /Signed \d{4}-\d\d-\d\d \d\d:\d\d UTC \(timestamp authority\)/]],
    ['sigstore-forged:latest', 'invalid', /subject_mismatch/],
    ['sigstore-tampered:latest', 'invalid', /signature_invalid/],
  ]) {
    const { state: got, text, hosts, wasm, browser } = await verdictOf(sigstoreLink(image), `sigstore-${image.split(':')[0]}`);
    try {
      assert.equal(got, state, text);
      // The Sigstore verifier is a second module, fetched once, when a signature needs it.
      assert.deepEqual(modules(wasm), RUN_SIGSTORE);
      for (const e of [expect].flat()) assert.match(text, e);
      if (state === 'verified') assert.match(text, /opk test Sigstore, .* \(dev instance\)/);
      onlyHosts(hosts, [new URL(env.app.url).host, env.demo.registry, new URL(env.demo.sigstoreRoot).host]);
    } finally { await browser.close(); }
  }
});

test('a link naming Sigstore trust fetches the Sigstore verifier as the page opens, once; one that does not, not before a signature needs it', async () => {
  // What the page fetched once it has settled (nothing in flight for 0.5 s), before any run.
  const opened = async (url) => {
    const wasm = [];
    const { page, browser, errors, waitFor } = await openPage(url, { beforeGoto: wasmFetched(wasm) });
    await waitFor('#image-ref');
    await page.waitForLoadState('networkidle');
    return { page, browser, errors, waitFor, wasm };
  };
  {
    const { browser, errors, wasm } = await opened(`${env.app.url}?owner_id=${OWNER}`);
    try {
      assert.deepEqual(modules(wasm), ['opk-explorer_bg.wasm']);
      assert.deepEqual(errors, []);
    } finally { await browser.close(); }
  }
  const { page, browser, errors, waitFor, wasm } = await opened(`${env.app.url}?owner_id=${OWNER}&trusted_root=${env.demo.sigstoreRoot}`);
  try {
    assert.deepEqual(modules(wasm), ['lazy-sigstore.wasm', 'opk-explorer_bg.wasm']);
    // A run then uses it: the module is not fetched again.
    await page.fill('#image-ref', `${env.demo.registry}/openpubkey/sigstore:latest`);
    await page.click('#go');
    await waitFor('#results .verdict[data-state]', 30000);
    assert.equal(await page.getAttribute('#results .verdict[data-state]', 'data-state'), 'verified');
    assert.deepEqual(modules(wasm), RUN_SIGSTORE);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test("the trusted root is parsed by the Sigstore module: the link's at once, the bundled one when a signature needs it", async () => {
  // A link naming a document that is not a trusted root (the issuer's key set) stops as it
  // starts, with the parser's error, on an image with no Sigstore signature too.
  const notRoot = `${link('demo:latest')}&trusted_root=${env.demo.issuer}/.well-known/jwks`;
  {
    const { state, text, wasm, browser } = await verdictOf(notRoot, 'trusted-root-not-a-root');
    try {
      assert.equal(state, 'not_verified', text);
      assert.match(text, /the Sigstore trusted root could not be used \(trusted root http:\/\/.*\/\.well-known\/jwks: /);
      assert.deepEqual(modules(wasm), RUN_SIGSTORE);
    } finally { await browser.close(); }
  }
  // No trusted root in the link: an image without Sigstore signatures never loads the module
  // (nothing parses the bundled root); one with them has it parsed there, and the test
  // Sigstore's bundles are not trusted under it.
  {
    const { state, text, wasm, browser } = await verdictOf(link('demo:latest'), 'bundled-root-unparsed');
    try {
      assert.equal(state, 'verified', text);
      assert.deepEqual(modules(wasm), RUN);
    } finally { await browser.close(); }
  }
  {
    const { state, text, wasm, browser } = await verdictOf(link('sigstore:latest'), 'bundled-root-parsed');
    try {
      assert.equal(state, 'invalid', text);
      assert.match(text, /tlog_entry_invalid transparency log entry invalid: the entry's log is not in the trusted root/);
      assert.deepEqual(modules(wasm), RUN_SIGSTORE);
    } finally { await browser.close(); }
  }
});

test('a signature is verified as its own lookup comes in, not after the slowest', async () => {
  // cosign's .att tag answers 1.5 s late; the bundle found through the referrers tag is fetched
  // meanwhile (before, every signature of a platform waited for all its lookups).
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/sigstore:latest&owner_id=${OWNER}`
    + `&trusted_root=${env.demo.sigstoreRoot}`;
  const route = (page) => page.route(/\/manifests\/sha256-[0-9a-f]{64}\.att$/, async (r) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await r.continue();
  });
  const { state, text, page, browser } = await verdictOf(url, 'sigstore-slow-lookup', { route, withheld: true });
  try {
    assert.equal(state, 'verified', text);
    const { att, blobs } = await page.evaluate(() => {
      const all = performance.getEntriesByType('resource');
      return {
        att: all.filter((e) => /\.att$/.test(e.name)).map((e) => e.responseEnd),
        blobs: all.filter((e) => /\/blobs\/sha256:/.test(e.name)).map((e) => [e.name.slice(-12), e.startTime]),
      };
    });
    assert.equal(att.length, 3, JSON.stringify(att)); // each platform's, and the index's
    // The bundles (one per platform); the image configs follow the verdict.
    const early = blobs.filter(([, start]) => start < Math.min(...att));
    assert.equal(early.length, 2, `bundles fetched before the .att lookup answered: ${JSON.stringify({ att, blobs })}`);
  } finally { await browser.close(); }
});

test('a second module that is not the one the page pins is refused: not verified, never a verdict', async () => {
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/sigstore:latest&owner_id=${OWNER}`
    + `&trusted_root=${env.demo.sigstoreRoot}`;
  // The server (or a CDN) answers the Sigstore verifier's URL with other bytes: one flipped.
  const route = flipLastByte('**/lazy-sigstore-*.wasm');
  const { state, text, wasm, page, browser } = await verdictOf(url, 'sigstore-module-refused',
    { route, allowErrors: /integrity|Failed to fetch|lazy-sigstore/i });
  try {
    assert.equal(state, 'not_verified', text);
    assert.match(text, /could not load the part of itself that checks Sigstore signatures/);
    assert.match(text, /Reload the page/);
    assert.match(text, /the Sigstore verifier \(a second module of this page\) did not load/);
    // Each signature that needs it asks again (a failure is not kept), none gets it.
    assert.deepEqual([...new Set(modules(wasm))], RUN_SIGSTORE);
    assert.equal(wasm.filter((w) => w === 'opk-explorer_bg.wasm' || w === 'lazy-explorer.wasm').length, 2, wasm.join());
    // A failed load is not kept: once the server answers with the pinned bytes, verifying
    // again in the same page fetches the module again and verifies.
    await page.unroute('**/lazy-sigstore-*.wasm');
    await page.click('#go');
    await page.waitForSelector('#results .verdict[data-state="verified"]', { timeout: 30000 });
    assert.match(await page.textContent('#results'), /Sigstore signature, found in the referrers tag/);
  } finally { await browser.close(); }
});

test('only the tag is preflighted: manifests named by a descriptor and discovery lookups are not', async () => {
  // A CORS preflight is a round trip before the request. Manifests fetched by a descriptor
  // carry its one type as `Accept` (short enough to be safelisted); discovery lookups too.
  const predicates = '&predicate=https://slsa.dev/provenance/v0.2&predicate=https://cyclonedx.org/bom';
  const url = `${link('both:latest', predicates)}&trusted_root=${env.demo.sigstoreRoot}`;
  const sent = [];
  const { page, browser, waitFor } = await openPage(url, {
    beforeGoto: async (p) => {
      const cdp = await p.context().newCDPSession(p);
      await cdp.send('Network.enable');
      cdp.on('Network.requestWillBeSent', (e) => sent.push(`${e.request.method} ${e.request.url.replace(`http://${env.demo.registry}`, '')}`));
    },
  });
  try {
    await waitFor('#results .verdict[data-state]', 30000);
    assert.equal(await page.getAttribute('#results .verdict[data-state]', 'data-state'), 'verified');
    const byDigest = sent.filter((s) => /^GET \/v2\/openpubkey\/both\/manifests\/sha256:/.test(s));
    assert.ok(byDigest.length >= 6, `platform, attestation and referrer manifests: ${byDigest.join(', ')}`);
    assert.deepEqual(sent.filter((s) => s.startsWith('OPTIONS')), ['OPTIONS /v2/openpubkey/both/manifests/latest']);
  } finally { await browser.close(); }
});

test('a registry with the referrers API: the bundle is found through it', async () => {
  const url = `${env.app.url}?image=${env.demo.referrersApi}/openpubkey/sigstore:latest&owner_id=${OWNER}`
    + `&trusted_root=${env.demo.sigstoreRoot}`;
  const { state, text, hosts, browser } = await verdictOf(url, 'sigstore-referrers-api');
  try {
    assert.equal(state, 'verified', text);
    assert.match(text, /Sigstore signature, found in the referrers API/);
    assert.doesNotMatch(text, /the sha256- tag is used/);
    onlyHosts(hosts, [new URL(env.app.url).host, env.demo.referrersApi, new URL(env.demo.sigstoreRoot).host]);
  } finally { await browser.close(); }
});

test('one policy over both schemes: OpenPubkey provenance and a Sigstore SBOM', async () => {
  const predicates = '&predicate=https://slsa.dev/provenance/v0.2&predicate=https://cyclonedx.org/bom';
  const url = `${link('both:latest', predicates)}&trusted_root=${env.demo.sigstoreRoot}`;
  const { state, text, browser } = await verdictOf(url, 'both-schemes');
  try {
    assert.equal(state, 'verified', text);
    assert.match(text, /Verifying https:\/\/slsa\.dev\/provenance\/v0\.2 attestation/);
    assert.match(text, /Verifying https:\/\/cyclonedx\.org\/bom attestation \(Sigstore signature, found in the referrers tag\)/);
  } finally { await browser.close(); }
  // Without the Sigstore root the SBOM is not trusted, and the policy needs it.
  const missing = await verdictOf(link('both:latest', predicates), 'both-schemes-no-root');
  await missing.browser.close();
  assert.equal(missing.state, 'invalid', missing.text);
});

test('a Sigstore bundle withheld by a proxy says withheld, not unsigned', async () => {
  const url = `${env.app.url}?image=${env.demo.registry}/openpubkey/sigstore:latest&owner_id=${OWNER}`
    + `&trusted_root=${env.demo.sigstoreRoot}&proxy=${env.demo.hostileProxy}`;
  const { state, text, browser } = await verdictOf(url, 'sigstore-withheld', { withheld: true });
  try {
    assert.equal(state, 'withheld', text);
    assert.match(text, /signature_withheld/);
    assert.match(text, /not evidence that the image is unsigned/);
  } finally { await browser.close(); }
});

test('the SBOM table filters', async () => {
  const { page, browser } = await verdictOf(link('demo:latest'), 'sbom');
  try {
    const filter = page.locator('.sbom-filter').first();
    const count = page.locator('.sbom-count').first();
    assert.match(await count.textContent(), /^2 of 2 packages match$/);
    await filter.fill('musl');
    assert.match(await count.textContent(), /^1 of 2 packages match$/);
    assert.equal(await page.locator('.sbom-table').first().locator('tbody tr').count(), 1);
    await page.screenshot({ path: `${ARTIFACTS}sbom-filtered.png`, fullPage: true });
    // The sorted column says so (aria-sort), and only that one: by name at first.
    const table = page.locator('.sbom-table').first();
    const sorted = () => table.locator('th[aria-sort]').evaluateAll((ths) => ths.map((t) => `${t.textContent.replace(/[▲▼ ]+$/, '')} ${t.getAttribute('aria-sort')}`));
    assert.deepEqual(await sorted(), ['Name ascending']);
    await table.locator('th button.sort').first().click();
    assert.deepEqual(await sorted(), ['Name descending']);
    await table.locator('th button.sort').nth(1).click();
    assert.deepEqual(await sorted(), ['Version ascending']);
  } finally { await browser.close(); }
});

test('raw JSON blocks are pretty-printed when opened, and copy the exact bytes', async () => {
  const { page, browser } = await verdictOf(link('demo:latest'), 'raw-json');
  try {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const block = page.locator('details.raw', { hasText: 'In-toto statement' }).first();
    // Folded: nothing rendered yet (a 10,000-package SBOM's blocks are megabytes).
    assert.equal(await block.locator('pre').textContent(), '');
    await block.locator('summary').click();
    // The text is made on the `toggle` event, which the browser fires after the click returns.
    await block.locator('pre', { hasText: '"_type"' }).waitFor();
    const shown = await block.locator('pre').textContent();
    assert.match(shown, /^\{\n  "_type": "https:\/\/in-toto.io\/Statement\/v0\.1",\n/);
    assert.match(shown, /"predicateType": "https:\/\/(slsa\.dev|spdx\.dev)/);
    // Closing and opening again keeps it.
    await block.locator('summary').click();
    await block.locator('summary').click();
    assert.equal(await block.locator('pre').textContent(), shown);
    // The copy button copies the bytes as received: compact JSON, the same statement.
    await block.locator('button.copy').click();
    await page.waitForFunction((b) => b.textContent === 'Copied', await block.locator('button.copy').elementHandle());
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.notEqual(copied, shown);
    assert.deepEqual(JSON.parse(copied), JSON.parse(shown));
  } finally { await browser.close(); }
});

test('offline: a GitHub Actions ID token verifies as RS256 with the bundled key history; another token\'s signature is refused', async () => {
  const vectors = fileURLToPath(new URL('../../crates/verify/tests/vectors/', import.meta.url));
  const jwt = (await readFile(`${vectors}github_idtoken_2023-10_qoomon.jwt`, 'utf8')).trim();
  const other = (await readFile(`${vectors}github_idtoken_2022-08_stepsecurity.jwt`, 'utf8')).trim();
  // The same key signed both: the 2022 token's signature over the 2023 token's bytes is wrong.
  const forged = `${jwt.slice(0, jwt.lastIndexOf('.'))}${other.slice(other.lastIndexOf('.'))}`;
  const hosts = new Set();
  const wasm = [];
  const { page, browser, errors, waitFor } = await openPage(env.app.url, {
    beforeGoto: async (p) => {
      p.on('request', (r) => hosts.add(new URL(r.url()).host));
      await wasmFetched(wasm)(p);
    },
  });
  try {
    await waitFor('#offline-input');
    // The offline verifier is a module of its own, fetched once there is something to verify.
    assert.deepEqual(wasm, ['opk-explorer_bg.wasm']);
    await page.fill('#offline-input', jwt);
    assert.equal(await page.textContent('#offline-kind'), 'JWT');
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state=verified]');
    assert.deepEqual(wasm, ['opk-explorer_bg.wasm', 'lazy-offline.wasm']);
    assert.match(await page.textContent('#offline-results'), /RS256/);
    await page.fill('#offline-input', forged);
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state=invalid]');
    assert.match(await page.textContent('#offline-results'), /op_signature_invalid/);
    onlyHosts(hosts, [new URL(env.app.url).host]);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('offline: a verifier module that is not the one the page pins is refused: not verified, then fetched again', async () => {
  const vectors = fileURLToPath(new URL('../../crates/verify/tests/vectors/', import.meta.url));
  const jwt = (await readFile(`${vectors}github_idtoken_2023-10_qoomon.jwt`, 'utf8')).trim();
  const flip = flipLastByte('**/lazy-offline-*.wasm');
  const { page, browser, errors, waitFor } = await openPage(env.app.url, { beforeGoto: flip });
  try {
    await waitFor('#offline-input');
    await page.fill('#offline-input', jwt);
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state]');
    assert.equal(await page.getAttribute('#offline-results .verdict', 'data-state'), 'not_verified');
    assert.match(await page.textContent('#offline-results'),
      /offline_verifier_not_loaded: the offline verifier \(a module of this page\) did not load; reload the page/);
    assert.ok(errors.length > 0 && errors.every((e) => /integrity|Failed to fetch|lazy-offline/i.test(e)), errors.join('\n'));
    // A failed load is not kept: served the pinned bytes, the next click verifies.
    await page.unroute('**/lazy-offline-*.wasm');
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state=verified]');
  } finally { await browser.close(); }
});

test('offline: a Sigstore bundle verifies about a digest or a dropped artifact file, and nothing is fetched', async () => {
  const conformance = fileURLToPath(new URL('../../crates/verify/tests/vectors/sigstore-conformance/', import.meta.url));
  const dsse = await readFile(`${conformance}happy-path-intoto-in-dsse-v3/bundle.sigstore.json`, 'utf8');
  const subject = 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
  const identity = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
  const url = `${env.app.url}?cert_identity=${encodeURIComponent(identity)}&cert_oidc_issuer=https://token.actions.githubusercontent.com`;
  const hosts = new Set();
  const { page, browser, errors, waitFor } = await openPage(url, {
    beforeGoto: (p) => p.on('request', (r) => hosts.add(new URL(r.url()).host)),
  });
  const verdict = async () => {
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state]');
    const state = await page.getAttribute('#offline-results .verdict[data-state]', 'data-state');
    return { state, text: await page.textContent('#offline-results') };
  };
  try {
    await waitFor('#offline-input');
    await page.fill('#offline-input', dsse);
    assert.equal(await page.textContent('#offline-kind'), 'Sigstore bundle');
    // No artifact: an input error, so not verified (neutral), never "invalid".
    let r = await verdict();
    assert.equal(r.state, 'not_verified', r.text);
    assert.match(r.text, /missing_artifact/);
    await page.fill('#offline-subject', subject);
    r = await verdict();
    assert.equal(r.state, 'verified', r.text);
    assert.match(r.text, /Verified under the trusted root Sigstore public good \(bundled/);
    await page.fill('#offline-subject', `sha256:${'0'.repeat(64)}`);
    r = await verdict();
    assert.equal(r.state, 'invalid', r.text);
    assert.match(r.text, /subject_mismatch/);
    // A message signature with its artifact file, chosen with the bundle.
    await page.fill('#offline-subject', '');
    await page.setInputFiles('#offline-files', [`${conformance}happy-path-v0.3/bundle.sigstore.json`, `${conformance}a.txt`]);
    await page.waitForFunction(() => document.querySelector('#offline-kind').textContent === 'Sigstore bundle'
      && document.querySelector('#offline-input').value.includes('messageSignature'));
    r = await verdict();
    assert.equal(r.state, 'verified', r.text);
    assert.match(r.text, /Verified the signature over the artifact/);
    onlyHosts(hosts, [new URL(env.app.url).host]);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('offline: the Go-reference F0 envelope verifies with its JWKS, and nothing is fetched', async () => {
  const envelope = await readFile(`${EXAMPLES}go-reference-f0-provenance.dsse.json`, 'utf8');
  const jwks = await readFile(`${EXAMPLES}go-reference-synthetic-op.jwks.json`, 'utf8');
  const hosts = new Set();
  const { page, browser, errors, waitFor } = await openPage(`${env.app.url}?owner_id=${OWNER}`, {
    beforeGoto: (p) => p.on('request', (r) => hosts.add(new URL(r.url()).host)),
  });
  try {
    await waitFor('#offline-input');
    await page.fill('#offline-input', envelope);
    assert.equal(await page.textContent('#offline-kind'), 'DSSE envelope');
    await page.fill('#offline-subject', 'sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8');
    await page.fill('#offline-jwks', jwks);
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state]');
    assert.equal(await page.getAttribute('#offline-results .verdict', 'data-state'), 'verified',
      await page.textContent('#offline-results'));
    // A changed digest is refused.
    await page.fill('#offline-subject', 'sha256:' + '0'.repeat(64));
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state=invalid]');
    assert.match(await page.textContent('#offline-results'), /subject_mismatch/);
    await page.fill('#offline-subject', 'sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8');
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state=verified]');
    await page.screenshot({ path: `${ARTIFACTS}offline.png`, fullPage: true });
    onlyHosts(hosts, [new URL(env.app.url).host]);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('offline: an attestation manifest with its layer files and the issuer JWKS, chosen as files', async () => {
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
  const get = async (path) => {
    const r = await fetch(`http://${env.demo.registry}/v2/openpubkey/demo/${path}`, { headers: { accept } });
    assert.equal(r.status, 200, path);
    return Buffer.from(await r.arrayBuffer());
  };
  const index = JSON.parse(await get('manifests/latest'));
  const amd64 = index.manifests.find((m) => m.platform?.architecture === 'amd64').digest;
  const att = index.manifests.find((m) => m.annotations?.['vnd.docker.reference.digest'] === amd64).digest;
  const manifest = await get(`manifests/${att}`);
  const dir = await mkdtemp(`${tmpdir()}/opk-offline-`);
  const files = [`${dir}/attestation-manifest.json`];
  await writeFile(files[0], manifest);
  for (const l of JSON.parse(manifest).layers) {
    const f = `${dir}/${l.digest.slice(7)}.dsse.json`;
    await writeFile(f, await get(`blobs/${l.digest}`));
    files.push(f);
  }
  const jwks = `${dir}/dev-issuer.jwks.json`;
  await writeFile(jwks, Buffer.from(await (await fetch(`${env.demo.issuer}/.well-known/jwks`)).arrayBuffer()));
  files.push(jwks);
  const hosts = new Set();
  const { page, browser, errors, waitFor } = await openPage(`${env.app.url}?owner_id=${OWNER}`, {
    beforeGoto: (p) => p.on('request', (r) => hosts.add(new URL(r.url()).host)),
  });
  try {
    await waitFor('#offline-files');
    await page.setInputFiles('#offline-files', files);
    await page.waitForFunction(() => document.querySelector('#offline-kind')?.textContent === 'attestation manifest');
    assert.match(await page.inputValue('#offline-jwks'), /opk_dev_issuer/);
    await page.fill('#offline-subject', amd64);
    await page.click('#offline-verify');
    await page.waitForSelector('#offline-results .verdict[data-state]');
    const states = await page.$$eval('#offline-results .verdict', (els) => els.map((e) => e.dataset.state));
    assert.deepEqual(states, ['verified', 'verified'], await page.textContent('#offline-results'));
    await page.screenshot({ path: `${ARTIFACTS}offline-manifest.png`, fullPage: true });
    onlyHosts(hosts, [new URL(env.app.url).host]);
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});
