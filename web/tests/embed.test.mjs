// Embedding: the example host page shows <opk-verify> verifying the demo image and the offline
// vector and failing on the tampered image — directly, and in iframe mode under a CSP that forbids
// WebAssembly; and the JS API's reports equal the CLI's --json for the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openPage, refuseRelaxedSimd } from './browser.mjs';
import { withDemoAndApp } from './demo-app.mjs';

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
    // Chromium has relaxed SIMD: the package loads that build, once, and nothing else.
    assert.deepEqual(wasm, ['opk_js_relaxed_bg.wasm']);
    assert.match(await page.$eval('#signed', (e) => e.shadowRoot.textContent), /dev issuer/);
    assert.match(await page.$eval('#tampered', (e) => e.shadowRoot.textContent), /att_mismatch/);
    assert.match(await page.$eval('#offline', (e) => e.shadowRoot.textContent), /user-supplied keys/);
    await page.$$eval('opk-verify', (els) => els.forEach((e) => { e.shadowRoot.querySelector('details').open = true; }));
    await page.screenshot({ path: `${ARTIFACTS}embed-host.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally { await browser.close(); }
});

test('without relaxed SIMD the package loads its SIMD128 build and verifies the same', async () => {
  const wasm = [];
  const { page, browser, errors } = await openPage(hostUrl('host.html'), {
    beforeGoto: async (p) => {
      wasmRequests(wasm)(p);
      await p.addInitScript(refuseRelaxedSimd);
    },
  });
  try {
    assert.deepEqual(await badges(page), { signed: 'verified', tampered: 'invalid', offline: 'verified' });
    assert.deepEqual(wasm, ['opk_js_bg.wasm']);
    assert.deepEqual(errors, []);
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
      assert.deepEqual(actual, expected, image);
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
    assert.deepEqual(actual, expected);
  } finally { await browser.close(); }
});
