// Embedding: the example host page shows <opk-verify> verifying the demo image and the offline
// vector and failing on the tampered image — directly, and in iframe mode under a CSP that forbids
// WebAssembly; and the JS API's reports equal the CLI's --json for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openPage } from './browser.mjs';
import { withDemoAndApp } from './demo-app.mjs';

const EXAMPLES = fileURLToPath(new URL('../../public/examples/', import.meta.url));
const VECTORS = fileURLToPath(new URL('../../crates/verify/tests/vectors/', import.meta.url));
const OPK = fileURLToPath(new URL('../../target/debug/opk', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const env = withDemoAndApp(ARTIFACTS);

const hostUrl = (page) =>
  `${env.app.url}host-examples/${page}?registry=${env.demo.registry}&jwks=${encodeURIComponent(`${env.demo.issuer}/.well-known/jwks`)}`;

async function badges(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('opk-verify')].length === 3
    && [...document.querySelectorAll('opk-verify')].every((e) => e.shadowRoot?.querySelector('.badge:not(.pending)')), null, { timeout: 30000 });
  return page.$$eval('opk-verify', (els) => Object.fromEntries(els.map((e) => [e.id, e.shadowRoot.querySelector('.badge').dataset.state])));
}

/** The wasm files a page requested, recorded from before it loads. */
const wasmRequests = (wasm) => (p) => p.on('request', (r) => {
  const path = new URL(r.url()).pathname;
  if (path.endsWith('.wasm')) wasm.push(path.replace(/.*\//, ''));
});

test('the example host page: signed and offline verify, tampered fails', async () => {
  const wasm = [];
  const { page, browser, errors } = await openPage(hostUrl('host.html'), { beforeGoto: wasmRequests(wasm) });
  try {
    assert.deepEqual(await badges(page), { signed: 'verified', tampered: 'invalid', offline: 'verified' });
    // The package loads its one wasm, once, and nothing else.
    assert.deepEqual(wasm, ['opk_js_bg.wasm']);
    assert.match(await page.$eval('#signed', (e) => e.shadowRoot.textContent), /dev issuer/);
    assert.match(await page.$eval('#tampered', (e) => e.shadowRoot.textContent), /att_mismatch/);
    assert.match(await page.$eval('#offline', (e) => e.shadowRoot.textContent), /user-supplied keys/);
    await page.$$eval('opk-verify', (els) => els.forEach((e) => { e.shadowRoot.querySelector('details').open = true; }));
    await page.screenshot({ path: `${ARTIFACTS}embed-host.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('an element whose identity attribute is present but empty is refused, never verified', async () => {
  const { page, browser, errors } = await openPage(hostUrl('host.html'));
  try {
    await badges(page);
    const registry = env.demo.registry;
    const jwks = `${env.demo.issuer}/.well-known/jwks`;
    // owner-id="" (a host template's unset variable) beside a valid rule: still refused.
    const report = await page.evaluate(({ registry, jwks }) => new Promise((resolve) => {
      const el = document.createElement('opk-verify');
      el.id = 'empty-rule';
      el.addEventListener('opk-verdict', (e) => resolve(e.detail));
      el.setAttribute('image', `${registry}/openpubkey/demo:latest`);
      el.setAttribute('jwks-src', jwks);
      el.setAttribute('repository', 'openpubkey/demo');
      el.setAttribute('owner-id', '');
      document.body.append(el);
    }), { registry, jwks });
    assert.equal(report.verified, false);
    assert.equal(report.error.code, 'invalid_policy');
    assert.match(report.error.message, /repository_owner_id is empty/);
    // A configuration fault of the element: neutral, never "Invalid" (that is for images).
    assert.equal(await page.$eval('#empty-rule', (e) => e.shadowRoot.querySelector('.badge').dataset.state), 'not_verified');
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('a misconfigured element is neutral and says why in the console; colours follow the host, not the OS', async () => {
  const { page, browser, errors } = await openPage(hostUrl('host.html'));
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  try {
    await badges(page);
    const state = await page.evaluate((registry) => new Promise((resolve) => {
      const el = document.createElement('opk-verify');
      el.id = 'no-rule';
      el.addEventListener('opk-verdict', () => resolve(el.shadowRoot.querySelector('.badge').dataset.state));
      el.setAttribute('image', `${registry}/openpubkey/demo:latest`); // and no identity rule
      document.body.append(el);
    }), env.demo.registry);
    assert.equal(state, 'not_verified');
    assert.match(await page.$eval('#no-rule', (e) => e.shadowRoot.textContent), /Not verified/);
    // A tag the registry does not have: "Not found", neither invalid nor a configuration fault.
    const missing = await page.evaluate(({ registry, jwks }) => new Promise((resolve) => {
      const el = document.createElement('opk-verify');
      el.addEventListener('opk-verdict', () => resolve(el.shadowRoot.querySelector('.badge').dataset.state));
      el.setAttribute('image', `${registry}/openpubkey/demo:no-such-tag`);
      el.setAttribute('owner-id', '145685596');
      el.setAttribute('jwks-src', jwks);
      document.body.append(el);
    }), { registry: env.demo.registry, jwks: `${env.demo.issuer}/.well-known/jwks` });
    assert.equal(missing, 'not_found');
    assert.ok(warnings.some((w) => /^<opk-verify>: not verified because of the element's configuration: invalid_policy/.test(w)), warnings.join('\n'));
    // The host page sets no color-scheme: with the OS in dark mode the badge keeps the light
    // palette's green (#1a7f37, 5.1:1 on white), never dark mode's #3fb950 (2.5:1 on white).
    await page.emulateMedia({ colorScheme: 'dark' });
    const colour = () => page.$eval('#signed', (e) => getComputedStyle(e.shadowRoot.querySelector('.badge')).color);
    assert.equal(await colour(), 'rgb(26, 127, 55)');
    // A host that opts in to dark (or says theme="dark") gets the dark palette.
    await page.$eval('#signed', (e) => e.setAttribute('theme', 'dark'));
    await page.waitForFunction(() => document.querySelector('#signed').shadowRoot.querySelector('.badge:not(.pending)'));
    assert.equal(await colour(), 'rgb(63, 185, 80)');
    assert.deepEqual(errors.filter((e) => !/Failed to load resource: .* 404/.test(e)), []);
  } finally { await browser.close(); }
});

test('the element verifies a Sigstore-signed image and names the scheme', async () => {
  const { page, browser, errors } = await openPage(hostUrl('host.html'));
  try {
    await badges(page);
    const add = (attrs) => page.evaluate((attrs) => new Promise((resolve) => {
      const el = document.createElement('opk-verify');
      el.addEventListener('opk-verdict', () => resolve({
        state: el.shadowRoot.querySelector('.badge').dataset.state,
        schemes: el.shadowRoot.querySelector('.schemes')?.textContent ?? null,
      }));
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
    }), attrs);
    const registry = env.demo.registry;
    assert.deepEqual(await add({ image: `${registry}/openpubkey/sigstore:latest`, 'owner-id': '145685596',
      'trusted-root-src': env.demo.sigstoreRoot }), { state: 'verified', schemes: 'Sigstore' });
    assert.deepEqual(await add({ image: `${registry}/openpubkey/cosign-v2:latest`, 'owner-id': '145685596',
      'trusted-root-src': env.demo.sigstoreRoot }), { state: 'verified', schemes: 'cosign v2' });
    assert.deepEqual(await add({ image: `${registry}/openpubkey/demo:latest`, 'owner-id': '145685596',
      'jwks-src': `${env.demo.issuer}/.well-known/jwks` }), { state: 'verified', schemes: 'OpenPubkey' });
    // Without the test root, the bundled public-good root does not trust the local Sigstore.
    assert.deepEqual(await add({ image: `${registry}/openpubkey/sigstore:latest`, 'owner-id': '145685596' }),
      { state: 'invalid', schemes: null });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('verifyBundle and verifyBundleAsync report what opk verify-bundle --json does', async () => {
  const bundlePath = fileURLToPath(new URL('../../crates/verify/tests/vectors/sigstore-conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json', import.meta.url));
  const subject = 'sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf';
  const other = `sha256:${'0'.repeat(64)}`;
  const run = promisify(execFile);
  const cli = async (digest) => {
    try {
      return JSON.parse((await run(OPK, ['verify-bundle', bundlePath, '--subject-digest', digest, '--any-identity-unsafe', '--json'])).stdout);
    } catch (e) {
      if (e.stdout) return JSON.parse(e.stdout);
      throw e;
    }
  };
  const bytes = [...await readFile(bundlePath)];
  const { page, browser } = await openPage(hostUrl('host.html'));
  try {
    for (const digest of [subject, other]) {
      const expected = await cli(digest);
      assert.equal(expected.verified, digest === subject);
      const [sync, promised] = await page.evaluate(async ({ bytes, digest }) => {
        const m = await import('../package/opk-verify.js');
        await m.load();
        const api = await import('../package/opk_js.js');
        const policy = { anyIdentityUnsafe: true, subjectDigest: digest };
        const b = new Uint8Array(bytes);
        return [api.verifyBundle(b, policy), await api.verifyBundleAsync(b, policy)];
      }, { bytes, digest });
      assert.deepEqual(sync, expected, digest);
      assert.deepEqual(promised, expected, digest);
    }
  } finally { await browser.close(); }
});

test('iframe mode works where the host CSP forbids WebAssembly', async () => {
  const { page, browser } = await openPage(hostUrl('host-csp.html'));
  try {
    // The CSP really does forbid compiling WebAssembly in the host page.
    const blocked = await page.evaluate(() => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))
      .then(() => false, () => true));
    assert.equal(blocked, true);
    assert.deepEqual(await badges(page), { signed: 'verified', tampered: 'invalid', offline: 'verified' });
    await page.screenshot({ path: `${ARTIFACTS}embed-csp.png`, fullPage: true });
  } finally { await browser.close(); }
});

test("the JS API's reports equal the CLI's --json", async () => {
  const dir = await mkdtemp(`${tmpdir()}/opk-js-`);
  const jwksPath = `${dir}/dev.jwks.json`;
  const jwks = await (await fetch(`${env.demo.issuer}/.well-known/jwks`)).text();
  await writeFile(jwksPath, jwks);
  const run = promisify(execFile);
  const cli = async (...args) => {
    try {
      return JSON.parse((await run(OPK, args)).stdout);
    } catch (e) {
      if (e.stdout) return JSON.parse(e.stdout); // exit 1: a rejected verdict is still a report
      throw e;
    }
  };
  const { page, browser } = await openPage(hostUrl('host.html'));
  try {
    // Each case must also reach its own verdict, so two equally broken reports cannot pass.
    for (const [image, platform, code] of [['demo', 'linux/arm64', null], ['tampered', 'linux/amd64', 'att_mismatch'], ['unsigned', 'linux/amd64', 'unsigned']]) {
      const ref = `${env.demo.registry}/openpubkey/${image}:latest`;
      const expected = await cli('verify', ref, '--platform', platform, '--jwks', jwksPath, '--repo-owner-id', '145685596', '--json');
      assert.equal(expected.verified, code === null, image);
      assert.equal(expected.error?.code ?? null, code, image);
      assert.ok(expected.fetches.length > 0, image);
      const actual = await page.evaluate(async ({ ref, platform, jwks, label }) => {
        const m = await import('../package/opk-verify.js');
        return m.run({ image: ref, policy: { ownerId: '145685596', jwks: [{ label, json: jwks }] }, options: { platform } });
      }, { ref, platform, jwks, label: jwksPath });
      assert.deepEqual(apiAnswerAside(actual), apiAnswerAside(expected), image);
    }
    const ref = `${env.demo.registry}/openpubkey/demo:latest`;
    const expected = await cli('inspect', ref, '--json');
    assert.equal(expected.platforms.length, 2);
    const actual = await page.evaluate(async (ref) => {
      const m = await import('../package/opk-verify.js');
      await m.load();
      const api = await import('../package/opk_js.js');
      return api.inspectImage(ref, {});
    }, ref);
    assert.deepEqual(apiAnswerAside(actual), apiAnswerAside(expected));
  } finally { await browser.close(); }
});

/**
 * `report` without its referrers-API requests, and with its fetch log sorted: docker-registry
 * has no such API and answers its path with a 404 that carries no CORS headers, which the CLI
 * sees as a 404 and the browser as a failed fetch; the CLI's blocking transport sends the
 * signature lookups one by one and, after the first 404, knows not to ask again, where the
 * browser asks for several subjects at once; so the two logs list the same requests but for
 * these, in another order. Every other request, and the verdict, must be the same.
 */
function apiAnswerAside(report) {
  const fetches = report.fetches
    ?.filter((f) => !f.url.includes('/referrers/'))
    .sort((a, b) => (a.url === b.url ? a.method.localeCompare(b.method) : a.url.localeCompare(b.url)));
  return { ...report, fetches };
}

/** `s` with its middle base64url character changed (A↔B): one signature, a few bits off. */
function flipMiddle(s) {
  const i = Math.floor(s.length / 2);
  return `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

/** The F0 envelope with its CIC (ES256) signature changed; every other byte as it was. */
function envelopeWithCicFlipped(text) {
  const envelope = JSON.parse(text);
  const inner = Buffer.from(envelope.signatures[0].sig, 'base64').toString();
  // The CIC's protected header is the one carrying the commitment's randomness (rz).
  const cic = JSON.parse(inner).signatures.find((s) =>
    'rz' in JSON.parse(Buffer.from(s.protected, 'base64url').toString()));
  envelope.signatures[0].sig = Buffer.from(inner.replace(cic.signature, flipMiddle(cic.signature))).toString('base64');
  return JSON.stringify(envelope);
}

test('the async API (WebCrypto first) reports exactly what the synchronous API does, valid and mutated', async () => {
  const envelope = await readFile(`${EXAMPLES}go-reference-f0-provenance.dsse.json`, 'utf8');
  const synthetic = await readFile(`${EXAMPLES}go-reference-synthetic-op.jwks.json`, 'utf8');
  const digest = 'sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8';
  const envPolicy = { ownerId: '145685596', jwks: [{ label: 'synthetic', json: synthetic }], subjectDigest: digest, now: 1795000000 };
  const jwt = (await readFile(`${VECTORS}github_idtoken_2023-10_qoomon.jwt`, 'utf8')).trim();
  const other = (await readFile(`${VECTORS}github_idtoken_2022-08_stepsecurity.jwt`, 'utf8')).trim();
  const pkt = (await readFile(`${VECTORS}google_pktoken_2023-05-29_openpubkey_initial_commit_ca_test.compact`, 'utf8')).trim();
  const google = await readFile(`${VECTORS}google_jwk_6083dd59_from_sui.json`, 'utf8');
  const googlePolicy = { issuers: ['https://accounts.google.com'], jwks: [{ label: 'google', json: google }], anyIdentityUnsafe: true, now: 1795000000 };
  // A compact PK token is payload:protected:signature:…; segment 2 is the OP's RS256 signature,
  // segment 4 the CIC's ES256 one.
  const pktFlipped = (i) => pkt.split(':').map((seg, j) => (j === i ? flipMiddle(seg) : seg)).join(':');
  // [what, kind, input, policy, the error code both must report (null: verified)]
  const cases = [
    ['F0 envelope', 'envelope', envelope, envPolicy, null],
    ['F0 envelope, CIC signature flipped', 'envelope', envelopeWithCicFlipped(envelope), envPolicy, 'cic_signature_invalid'],
    ['F0 envelope, another subject', 'envelope', envelope, { ...envPolicy, subjectDigest: `sha256:${'0'.repeat(64)}` }, 'subject_mismatch'],
    ['GitHub ID token (RS256)', 'token', jwt, { now: 1795000000 }, null],
    ['GitHub ID token with another token\'s signature', 'token', `${jwt.slice(0, jwt.lastIndexOf('.'))}${other.slice(other.lastIndexOf('.'))}`, { now: 1795000000 }, 'op_signature_invalid'],
    ['Google PK token (RS256 OP, ES256 CIC)', 'token', pkt, googlePolicy, null],
    ['Google PK token, OP signature flipped', 'token', pktFlipped(2), googlePolicy, 'op_signature_invalid'],
    ['Google PK token, CIC signature flipped', 'token', pktFlipped(4), googlePolicy, 'cic_signature_invalid'],
  ];
  const { page, browser, errors } = await openPage(hostUrl('host.html'));
  try {
    const results = await page.evaluate(async (cases) => {
      const m = await import('../package/opk-verify.js');
      await m.load();
      const api = await import('../package/opk_js.js');
      const out = [];
      for (const [, kind, input, policy] of cases) {
        if (kind === 'envelope') {
          const bytes = new TextEncoder().encode(input);
          out.push([api.verifyEnvelope(bytes, policy), await api.verifyEnvelopeAsync(bytes, policy)]);
        } else {
          out.push([api.verifyToken(input, policy), await api.verifyTokenAsync(input, policy)]);
        }
      }
      // Bad options: the synchronous form throws, the async one rejects, with the same error.
      const bad = { ownerId: '1' }; // no subjectDigest
      const bytes = new TextEncoder().encode(cases[0][2]);
      let thrown = null;
      try { api.verifyEnvelope(bytes, bad); } catch (e) { thrown = e; }
      const rejected = await api.verifyEnvelopeAsync(bytes, bad).then(() => null, (e) => e);
      return { out, thrown, rejected };
    }, cases);
    assert.equal(results.thrown?.code, 'invalid_options');
    assert.deepEqual(results.rejected, results.thrown);
    cases.forEach(([what, , , , code], i) => {
      const [sync, async] = results.out[i];
      assert.equal(sync.error?.code ?? null, code, `${what}: ${JSON.stringify(sync.error)}`);
      assert.equal(sync.verified, code === null, what);
      assert.deepEqual(async, sync, what);
    });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});
