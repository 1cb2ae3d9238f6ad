// bench/run.mjs — runs every browser benchmark in headless Chromium and prints one table:
//  1. bench/index.html: GQ (wasm vs JS BigInt), RS256/ES256 (wasm vs WebCrypto), SHA-256 of
//     50 MB, the whole F0 envelope;
//  2. the app's transfer size (dist/, gzip -9 of wasm + js + css);
//  3. time to verdict in the release app for the demo's 2-platform image (4 signed
//     attestations), and for one signed by both schemes (OpenPubkey provenance and SBOM, a
//     Sigstore SBOM bundle per platform), from the submit click to the rendered verdict, and
//     the requests each made, and the same requests alone (bench/request-floor.mjs);
//  4. the SBOM table of an image whose signed SBOM lists 10,000 packages: render and filter;
//  5. cold load: navigation to verdict for a deep link, empty cache, under network emulation
//     (10 Mbit/s with 40 ms round trips, 1.6 Mbit/s with 150 ms), the app brotli-compressed.
// 3–5 open each page in a fresh browser that has finished starting (bench/settled-browser.mjs;
// OPK_BENCH_BROWSER_SETTLE=0 opens it at once, as before 2026-12-08).
// OPK_BENCH_COLD_ONLY=1 runs only 5.
// Needs: bench/pkg (scripts/bench builds it), dist/ (release build), target/debug/opk and
// opk-demo-registry. Medians throughout; nothing here asserts a time.
import { readFile, readdir } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../web/serve-dist.mjs';
import { openPage } from '../web/tests/browser.mjs';
import { median, timeToVerdict } from './verdict.mjs';
import { coldLoad } from './cold-load.mjs';
import { requestFloor } from './request-floor.mjs';
import { browserSettleMs } from './settled-browser.mjs';
import { startDemoRegistry } from '../web/tests/demo-registry.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = 7;
const rows = [];
const row = (name, value, baseline = '', ratio = null, target = '') => rows.push({ name, value, baseline, ratio, target });
// How the timed pages were opened, for the rows that depend on it.
const inBrowser = () => `a fresh browser ${browserSettleMs()} ms after its start`;

async function benchPage() {
  const server = await serveDist({ root: `${ROOT}bench/` });
  const { browser, page, waitFor } = await openPage(server.url);
  try {
    await waitFor('body[data-state="done"], body[data-state="error"]', 600000);
    const error = await page.evaluate(() => window.benchError);
    if (error) throw new Error(`bench page: ${error}`);
    rows.push(...await page.evaluate(() => window.benchRows));
    return await browser.version();
  } finally {
    await browser.close();
    server.close();
  }
}

// The same figures `scripts/build` prints: GNU `gzip -9` (zlib's level 9 differs by ~2%) and
// `brotli -q 11` of each file the page loads, then of what it fetches only when needed (the
// lazy-*.wasm modules: the explorer as a run starts, the Sigstore verifier on the first Sigstore
// or cosign signature, the layer lister, the offline verifier and the tags view when used, and
// the chunks two of them share).
async function transferSize() {
  const files = (await readdir(`${ROOT}dist`)).filter((f) => /\.(wasm|js|css)$/.test(f));
  const size = (cmd, args, f) => execFileSync(cmd, [...args, `${ROOT}dist/${f}`], { maxBuffer: 1 << 26 }).length;
  for (const [what, group] of [
    ['page load: wasm + js + css', files.filter((f) => !f.startsWith('lazy-'))],
    ['on demand: the modules fetched when needed', files.filter((f) => f.startsWith('lazy-'))],
  ]) {
    let gzip = 0;
    let brotli = 0;
    const parts = [];
    for (const f of group) {
      const gz = size('gzip', ['-9', '-c'], f);
      const br = size('brotli', ['-q', '11', '-c'], f);
      gzip += gz;
      brotli += br;
      parts.push(`${f.replace(/-[0-9a-f]{8,}/g, '')} ${gz}/${br} B`);
    }
    row(`app transfer, gzip -9 / brotli -q 11, ${what} (${parts.join(', ')})`,
      `${gzip} B (${(gzip / 1024).toFixed(0)} KiB) gzip, ${brotli} B (${(brotli / 1024).toFixed(0)} KiB) brotli`, '', null, '');
  }
}

// The requests alone, as the row above made them (bench/request-floor.mjs): what those requests
// cost on this machine with no client work at all. The ratio is the row above's time over it.
function floorRow(floor, runs) {
  const ms = median(floor.ms);
  row(`  the same ${floor.requests} requests alone: plain fetch from the same page, each sent once its parent is in (${floor.stages.join(' + ')} by depth), median of ${floor.ms.length}`,
    `${ms.toFixed(0)} ms`, '', median(runs.map((r) => r.ms)) / ms, '');
}

async function appBenches() {
  const demo = await startDemoRegistry();
  const app = await serveDist();
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await timeToVerdict(app, demo, 'demo'));
    const bad = runs.find((r) => r.state !== 'verified');
    if (bad) throw new Error(`the demo image did not verify: ${JSON.stringify(bad)}`);
    row(`time to verdict, demo image (2 platforms, 4 signed attestations), ${inBrowser()}, median of ${RUNS}`,
      `${median(runs.map((r) => r.ms)).toFixed(0)} ms`, '', null, '≤ 300 ms');
    row(`requests from submit to verdict (then ${median(runs.map((r) => r.after))} more for the image configs)`,
      `${median(runs.map((r) => r.requests))}`, '', null, '≤ 10');
    if (process.env.OPK_BENCH_VERBOSE) console.log(runs[0].urls.join('\n'));
    floorRow(await requestFloor(app, demo, 'demo', { runs: RUNS }), runs);

    // Both schemes under one policy: OpenPubkey provenance and SPDX SBOM, and a Sigstore
    // CycloneDX SBOM bundle (a referrer, found through the sha256- tag), on each platform.
    const query = `&trusted_root=${demo.sigstoreRoot}&predicate=https://slsa.dev/provenance/v0.2`
      + '&predicate=https://cyclonedx.org/bom';
    const both = [];
    for (let i = 0; i < RUNS; i++) both.push(await timeToVerdict(app, demo, 'both', { query }));
    const badBoth = both.find((r) => r.state !== 'verified');
    if (badBoth) throw new Error(`openpubkey/both did not verify: ${JSON.stringify(badBoth)}`);
    row(`time to verdict, both schemes (2 platforms × OPK provenance + SPDX, Sigstore CycloneDX bundle), ${inBrowser()}, median of ${RUNS}`,
      `${median(both.map((r) => r.ms)).toFixed(0)} ms`, '', null, '≤ 200 ms');
    row(`requests from submit to verdict, both schemes (then ${median(both.map((r) => r.after))} more)`,
      `${median(both.map((r) => r.requests))}`, '', null, '');
    if (process.env.OPK_BENCH_VERBOSE) console.log(both[0].urls.join('\n'));
    floorRow(await requestFloor(app, demo, 'both', { query, runs: RUNS }), both);

    const sbom = [];
    for (let i = 0; i < 3; i++) sbom.push(await timeToVerdict(app, demo, 'big-sbom', { sbomFilter: 'pkg-0999' }));
    if (sbom.some((r) => r.state !== 'verified')) throw new Error(`big-sbom: ${JSON.stringify(sbom)}`);
    const s = sbom[0];
    row(`SBOM of 10,000 packages: submit to verified page with its table (${s.rendered} rows rendered), median of 3`,
      `${median(sbom.map((r) => r.ms)).toFixed(0)} ms`, '', null, '≤ 1 s');
    row(`SBOM of 10,000 packages: filter to “pkg-0999” (${s.filter.text.trim()}), median of 3`,
      `${median(sbom.map((r) => r.filter.ms)).toFixed(0)} ms`, '', null, '≤ 1 s');
  } finally {
    app.close();
    await demo.stop();
  }
}

async function coldLoadBenches() {
  const demo = await startDemoRegistry();
  const app = await serveDist({ brotli: true });
  const url = `${app.url}?image=${demo.registry}/openpubkey/demo:latest&owner_id=145685596&jwks=${demo.issuer}/.well-known/jwks`;
  let version = '';
  try {
    // The server compresses each file once, on its first request: not what a visitor waits for.
    for (const f of (await readdir(`${ROOT}dist`)).filter((n) => /\.(wasm|js|css|html)$/.test(n))) {
      await (await fetch(`${app.url}${f}`, { headers: { 'accept-encoding': 'br' } })).arrayBuffer();
    }
    for (const [kbps, rtt, target] of [[10000, 40, '≤ 0.8 s'], [1600, 150, '≤ 3 s']]) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await coldLoad(url, { kbps, rtt }));
      const bad = runs.find((r) => r.state !== 'verified');
      if (bad) throw new Error(`cold load did not verify: ${JSON.stringify(bad)}`);
      version = runs[0].version;
      row(`cold load: deep link to verdict (demo image), empty cache, ${inBrowser()}, ${kbps / 1000} Mbit/s, ${rtt} ms round trips, app served brotli (${median(runs.map((r) => r.bytes))} B of the app's own files), median of 3`,
        `${(median(runs.map((r) => r.ms)) / 1000).toFixed(2)} s`, '', null, target);
    }
  } finally {
    app.close();
    await demo.stop();
  }
  return version;
}

let browserVersion;
if (process.env.OPK_BENCH_COLD_ONLY) {
  await transferSize();
  browserVersion = await coldLoadBenches();
} else {
  browserVersion = await benchPage();
  // OPK_BENCH_PAGE_ONLY=1: the benchmark page's rows only (no release app needed).
  if (!process.env.OPK_BENCH_PAGE_ONLY) {
    await transferSize();
    await appBenches();
    await coldLoadBenches();
  }
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
let os = '';
try { os = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']).toString().trim(); } catch { /* not Linux */ }
const when = new Date().toISOString().slice(0, 10);
console.log(`Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${os}, Chromium ${browserVersion} (headless), ${when}`);
console.log('');
console.log('| What | opk (wasm) | baseline | ratio | target |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.value} | ${r.baseline} | ${r.ratio == null ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target} |`);
}
