// The benchmark page: times opk-verify's WebAssembly against JS BigInt and WebCrypto in this
// page, on the same inputs, and checks each pair agrees before timing it. Results go to the
// table on the page and to `window.benchRows` (read by bench/run.mjs).
import init, * as bench from './pkg/opk_bench.js';
import { verifyGq } from './gq-bigint.js';
import { SigstoreVerifier } from '@freedomofpress/sigstore-browser';

const b64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// How many operations one timed call of `fn(n)` runs: after a warm-up of ≥ 300 ms (so the
// engine's optimising tier has compiled the hot code), n is raised until one call takes ≥ 25 ms.
async function calibrate(fn) {
  for (const t0 = performance.now(); performance.now() - t0 < 300;) await fn(1);
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    await fn(n);
    if (performance.now() - t0 >= 25 || n >= 1 << 20) return n;
    n *= 2;
  }
}

// Implementations timed side by side: each of 15 rounds times every one once, back to back (in
// alternating order), so a slow spell of the machine hits all of them alike. Returns each one's
// median time per operation (ms) and the median over rounds of the first one's time divided by
// each one's: the ratio is taken within a round, never across two moments.
async function sideBySide(...fns) {
  const ns = [];
  for (const fn of fns) ns.push(await calibrate(fn));
  const times = fns.map(() => []);
  for (let round = 0; round < 15; round++) {
    const order = [...fns.keys()];
    if (round % 2) order.reverse();
    for (const i of order) {
      const t0 = performance.now();
      await fns[i](ns[i]);
      times[i].push((performance.now() - t0) / ns[i]);
    }
  }
  return {
    ms: times.map(median),
    ratio: times.map((_, i) => roundRatio(times, 0, i)),
    times,
  };
}

/** The median over rounds of implementation `i`'s time divided by implementation `j`'s. */
function roundRatio(times, i, j) {
  return median(times[i].map((x, round) => x / times[j][round]));
}

// The bench module, built as the app's wasm is (release profile, SIMD128).
async function load() {
  const t0 = performance.now();
  await init();
  return { main: bench, build: 'SIMD128', ms: performance.now() - t0 };
}

function must(ok, what) { if (!ok) throw new Error(`${what}: the two implementations disagree`); }

async function run() {
  const rows = [];
  const row = (name, value, baseline, ratio, target) => {
    rows.push({ name, value, baseline, ratio, target });
    render(rows);
  };
  const { main, build, ms: instantiateMs } = await load();
  const { Cases, Sha256Stream, gq_challenge } = main;
  const cases = new Cases();

  // GQ256: wasm vs JS BigInt (both algorithms).
  const gqIn = {
    modulus: cases.gq_modulus(), g: cases.gq_public_value(), message: cases.gq_message(),
    proof: cases.gq_proof(), challenge: gq_challenge,
  };
  must(cases.gq(1) && verifyGq({ ...gqIn, joint: false }) && verifyGq({ ...gqIn, joint: true }), 'GQ');
  const bad = { ...gqIn, proof: gqIn.proof.slice() };
  bad.proof[100] ^= 1;
  must(!verifyGq({ ...bad, joint: false }) && !verifyGq({ ...bad, joint: true }), 'GQ (flipped bit)');
  const gq = await sideBySide(
    (n) => cases.gq(n),
    (n) => { for (let i = 0; i < n; i++) verifyGq({ ...gqIn, joint: false }); },
    (n) => { for (let i = 0; i < n; i++) verifyGq({ ...gqIn, joint: true }); },
  );
  const gqWasm = gq.ms[0];
  row(`GQ256 verify, 2048-bit (wasm, ${build} build, vs JS BigInt, reference algorithm)`, ms(gqWasm), ms(gq.ms[1]), gq.ratio[1], '≤ 0.5×');
  row(`GQ256 verify, 2048-bit (wasm, ${build} build, vs JS BigInt, same joint algorithm)`, ms(gqWasm), ms(gq.ms[2]), gq.ratio[2], '');

  // RS256: rsa crate vs WebCrypto.
  const jwk = JSON.parse(cases.rs256_jwks()).keys.find((k) => k.kid === cases.rs256_kid());
  const rsKey = await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const rsIn = cases.rs256_input(), rsSig = cases.rs256_signature();
  const rsWebCrypto = () => crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsKey, rsSig, rsIn);
  must(cases.rs256(1) && await rsWebCrypto(), 'RS256');
  const rs = await sideBySide(
    (n) => cases.rs256(n),
    async (n) => { for (let i = 0; i < n; i++) await rsWebCrypto(); },
  );
  row('RS256 verify (wasm vs WebCrypto)', ms(rs.ms[0]), ms(rs.ms[1]), rs.ratio[1], '');
  const gqRs = await sideBySide((n) => cases.gq(n), (n) => cases.rs256(n));
  row('GQ256 verify, wasm, in RS256 verifies (same library)', ms(gqRs.ms[0]), ms(gqRs.ms[1]), gqRs.ratio[1], '');

  // ES256: p256 vs WebCrypto.
  const upk = JSON.parse(new TextDecoder().decode(b64url(cases.es256_header_b64()))).upk;
  const esKey = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: upk.x, y: upk.y, ext: true },
    { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const esIn = cases.es256_input(), esSig = cases.es256_signature();
  const esWebCrypto = () => crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, esKey, esSig, esIn);
  must(cases.es256(1) && await esWebCrypto(), 'ES256');
  const es = await sideBySide(
    (n) => cases.es256(n),
    async (n) => { for (let i = 0; i < n; i++) await esWebCrypto(); },
  );
  row('ES256 verify (wasm vs WebCrypto)', ms(es.ms[0]), ms(es.ms[1]), es.ratio[1], '');

  // Whole F0 envelope.
  must(cases.envelope(1), 'envelope');
  cases.envelope(30); // warm up
  const envSamples = [];
  for (let i = 0; i < 31; i++) {
    const t = performance.now();
    cases.envelope(1);
    envSamples.push(performance.now() - t);
  }
  const envMedian = median(envSamples);
  row('F0 envelope verify, median (wasm)', ms(envMedian), '', null, '≤ 3 ms');
  must(await cases.envelope_webcrypto(1), 'envelope (WebCrypto ES256)');
  const env = await sideBySide((n) => cases.envelope_webcrypto(n), (n) => cases.envelope(n));
  row('F0 envelope verify, as the page runs it (ES256 by WebCrypto) vs all-wasm', ms(env.ms[0]), ms(env.ms[1]),
    env.ratio[1], '≤ 3 ms');

  // A whole RS256 ID token (the offline view's JWT path).
  must(cases.jwt(1) && await cases.jwt_webcrypto(1), 'JWT (WebCrypto RS256)');
  const jwt = await sideBySide((n) => cases.jwt_webcrypto(n), (n) => cases.jwt(n));
  row('GitHub ID token (RS256) verify, as the page runs it (RS256 by WebCrypto) vs all-wasm', ms(jwt.ms[0]),
    ms(jwt.ms[1]), jwt.ratio[1], '');

  // Sigstore bundles, verified whole: opk-verify (wasm) vs @freedomofpress/sigstore-browser
  // (TypeScript over WebCrypto), the same bundle text, artifact, root and identity; the peer's
  // time includes JSON.parse of the bundle, as ours includes parsing its bytes.
  const sc = new main.SigstoreCases();
  const peer = new SigstoreVerifier();
  await peer.loadSigstoreRoot(JSON.parse(sc.root_json()));
  const artifact = sc.artifact(), identity = sc.identity(), issuer = sc.issuer();
  const bundles = [
    ['message signature', sc.message_bundle(), (n) => sc.message(n), (n) => sc.message_webcrypto(n)],
    ['in-toto DSSE', sc.dsse_bundle(), (n) => sc.dsse(n), (n) => sc.dsse_webcrypto(n)],
  ];
  for (const [kind, text, wasmOnly, ours] of bundles) {
    const theirs = () => peer.verifyArtifact(identity, issuer, JSON.parse(text), artifact);
    must(wasmOnly(1) && await ours(1) && await theirs(), `Sigstore ${kind} bundle`);
    const other = artifact.slice();
    other[0] ^= 1;
    must(await peer.verifyArtifact(identity, issuer, JSON.parse(text), other).then((ok) => !ok, () => true),
      `Sigstore ${kind} bundle, another artifact (the peer must refuse it)`);
    const r = await sideBySide(ours, async (n) => { for (let i = 0; i < n; i++) await theirs(); }, wasmOnly);
    row(`Sigstore bundle v0.3 verify, ${kind}, as the page runs it (ECDSA by WebCrypto) vs sigstore-browser 0.1.14`,
      ms(r.ms[0]), ms(r.ms[1]), r.ratio[1], '≤ 0.5×');
    row(`Sigstore bundle v0.3 verify, ${kind}, all-wasm vs sigstore-browser 0.1.14`, ms(r.ms[2]), ms(r.ms[1]),
      roundRatio(r.times, 2, 1), '');
  }

  // SHA-256 of 50 MB: streaming wasm (1 MiB chunks) vs WebCrypto one-shot.
  const size = 50 * 1000 * 1000;
  const blob = new Uint8Array(size);
  for (let off = 0; off < size; off += 65536) crypto.getRandomValues(blob.subarray(off, Math.min(size, off + 65536)));
  const shaWasm = () => {
    const h = new Sha256Stream();
    for (let off = 0; off < size; off += 1 << 20) h.update(blob.subarray(off, Math.min(size, off + (1 << 20))));
    return h.finish();
  };
  const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
  must(hex(shaWasm()) === hex(await crypto.subtle.digest('SHA-256', blob)), 'SHA-256');
  const shaW = [], shaC = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now(); shaWasm(); shaW.push(performance.now() - t);
    t = performance.now(); await crypto.subtle.digest('SHA-256', blob); shaC.push(performance.now() - t);
  }
  const mbps = (t) => size / 1e6 / (t / 1000);
  row('SHA-256 of 50 MB (wasm streaming vs WebCrypto one-shot), MB/s', `${mbps(median(shaW)).toFixed(0)} MB/s`,
    `${mbps(median(shaC)).toFixed(0)} MB/s`, median(shaW) / median(shaC), '');
  row(`instantiate the bench module (${build} build)`, ms(instantiateMs), '', null, '');
  return rows;
}

function ms(x) { return x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(1)} µs`; }

function render(rows) {
  const tbody = document.querySelector('#results tbody');
  tbody.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    for (const c of [r.name, r.value, r.baseline, r.ratio == null ? '' : `${r.ratio.toFixed(3)}×`, r.target]) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    return tr;
  }));
}

run().then((rows) => { window.benchRows = rows; document.body.dataset.state = 'done'; },
  (e) => { window.benchError = String(e && e.stack || e); document.body.dataset.state = 'error';
    document.querySelector('#status').textContent = `failed: ${e}`; });
