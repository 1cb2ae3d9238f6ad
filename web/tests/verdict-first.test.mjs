// The verdict first (issue 26), in headless Chromium against the demo registry: for each state
// the banner's top edge is inside the first viewport at 1280×800 and 390×844, light and dark,
// with its state and the sentence that says what it means (screenshots in web/test-artifacts/);
// an image is explored without a policy and its claimed signer is one click away; Back and
// Forward, Enter in a policy field, a stale verdict and the tab title.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openPage } from './browser.mjs';
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
      // Nothing red unless the image is at fault.
      for (const { width, height } of LAYOUTS) {
        for (const colorScheme of ['light', 'dark']) {
          await page.setViewportSize({ width, height });
          await page.emulateMedia({ colorScheme });
          await page.evaluate(() => window.scrollTo(0, 0));
          const box = await banner.boundingBox();
          assert.ok(box && box.y >= 0 && box.y < height - 40,
            `${name} ${width}×${height} ${colorScheme}: banner top at ${box?.y}`);
          await page.screenshot({ path: `${ARTIFACTS}first-${name}-${width}-${colorScheme}.png` });
        }
      }
    } finally { await browser.close(); }
  }
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
    // Explored all the same: the platforms and their attestations are there.
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
    assert.equal(await banner.getAttribute('data-state'), 'failed');
    assert.match(await banner.locator('.meaning').textContent(), /^The registry has no such image/);
  } finally { await browser.close(); }
});
