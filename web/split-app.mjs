// web/split-app.mjs — Trunk's post_build hook (Trunk.toml): splits the app's wasm into the
// module a page load fetches and modules fetched when needed.
//
// The page verifies OpenPubkey attestations with the code it loads first; the core's Sigstore
// verification (X.509, DER, P-384, Ed25519, RFC 3161, Rekor, the bundle pipeline, trusted
// roots: the split points of src/sigstore_module.rs) is only fetched when a Sigstore or cosign
// signature is verified; the layer lister (src/layer_module.rs) when a layer is listed; the
// offline verifier (src/offline_module.rs) when something is pasted to verify offline. wasm-split-cli (wasm_split_cli_support, installed by scripts/setup)
// cuts the linked wasm (build.rs keeps its relocations) at those points; this script then binds
// the first module with wasm-bindgen, optimises both modules with npm binaryen's wasm-opt
// (release), and replaces what Trunk staged. Every file gets a name with its content's digest,
// and the chain of integrity stays unbroken: index.html pins the first module, its JS and the
// split loader (sha384, as Trunk does), and the loader pins the second module it fetches.
//
// Nothing here guesses: every file and every rewrite it expects must be found exactly once,
// or the build fails saying which.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const staging = process.env.TRUNK_STAGING_DIR;
const profile = process.env.TRUNK_PROFILE;
if (!staging || !profile) throw new Error('split-app: run by Trunk (TRUNK_STAGING_DIR, TRUNK_PROFILE unset)');
const release = profile === 'release';
const targetDir = resolve(root, process.env.CARGO_TARGET_DIR || 'target');
const linked = join(targetDir, 'wasm32-unknown-unknown', release ? 'release' : 'debug', 'opk-explorer.wasm');
const bin = (name) => join(root, 'web', 'node_modules', '.bin', name);

/** The one entry of `dir` matching `re`: none or several is an error. */
function one(dir, re, what) {
  const found = readdirSync(dir).filter((f) => re.test(f));
  if (found.length !== 1) throw new Error(`split-app: expected one ${what} in ${dir}, found ${found.length} (${readdirSync(dir).join(", ")})`);
  return found[0];
}

/** `text` with `from` replaced by `to`, which must occur exactly once. */
function replaceOnce(text, from, to, what) {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`split-app: expected "${from}" once in ${what}, found ${n}`);
  return text.replace(from, () => to);
}

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const tag = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });

const js = one(staging, /^opk-explorer-[0-9a-f]+\.js$/, "Trunk's app JS");
const stem = js.slice(0, -'.js'.length);
const wasm = `${stem}_bg.wasm`;
const work = mkdtempSync(join(tmpdir(), 'opk-split-'));
try {
  // 1. Split the linked module: <stem>.wasm (still to be bound), split_<name>.wasm, __wasm_split.js.
  const split = join(work, 'split');
  run('wasm-split-cli', [linked, split, '--out-name', stem]);
  const chunks = readdirSync(split).filter((f) => /^split_[a-z0-9_]+\.wasm$/.test(f));
  if (chunks.length === 0) throw new Error('split-app: wasm-split-cli produced no second module');
  // Code several split modules reach and the first does not goes into a shared chunk
  // (chunk_<n>.wasm), fetched beside each module that needs it: served as lazy-shared-….
  const shared = readdirSync(split).filter((f) => /^chunk_[0-9]+\.wasm$/.test(f));
  const known = new Set([...chunks, ...shared]);
  const unknown = readdirSync(split).filter((f) => f.endsWith('.wasm') && f !== `${stem}.wasm` && !known.has(f));
  if (unknown.length) throw new Error(`split-app: wasm-split-cli produced modules this script does not stage: ${unknown.join(', ')}`);

  // 2. Bind the first module as Trunk would have.
  const bound = join(work, 'bound');
  run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports', '--out-dir', bound,
    '--out-name', stem, join(split, `${stem}.wasm`)]);
  if (readdirSync(bound).some((f) => f === 'snippets')) throw new Error('split-app: wasm-bindgen emitted snippets, which this script does not stage');
  // OPK_SPLIT_KEEP_NAMES=1 (a profiling build): no wasm-opt, so the modules keep their names.
  const optimise = (file) => {
    if (release && !process.env.OPK_SPLIT_KEEP_NAMES) run(bin('wasm-opt'), ['-Oz', '-o', file, file]);
  };
  optimise(join(bound, `${stem}_bg.wasm`));

  // 3. Each second module: optimised, named by its digest, fetched with its integrity pinned.
  let loader = readFileSync(join(split, '__wasm_split.js'), 'utf8');
  for (const chunk of [...chunks, ...shared]) {
    const path = join(split, chunk);
    optimise(path);
    const bytes = readFileSync(path);
    const what = chunk.startsWith('split_')
      ? chunk.slice('split_'.length, -'.wasm'.length)
      : `shared${chunk.slice('chunk_'.length, -'.wasm'.length)}`;
    const name = `lazy-${what}-${tag(bytes)}.wasm`;
    copyFileSync(path, join(staging, name));
    // The loader awaits a module's shared chunks before it consumes the module's fetch, so a
    // fetch that fails meanwhile (a refused integrity) would be reported as an unhandled
    // rejection as well as failing the load: `handled` marks it, the load still fails with it.
    loader = replaceOnce(loader, `fetch(new URL("./${chunk}", import.meta.url))`,
      `handled(fetch(new URL("./${name}", import.meta.url), { integrity: "${sri(bytes)}" }))`, 'the split loader');
  }
  loader += '\nfunction handled(promise) { promise.catch(() => {}); return promise; }\n';

  // 4. The loader, named by its digest; the first module's JS imports it by that name.
  const loaderName = `${stem}-split-${tag(loader)}.js`;
  writeFileSync(join(staging, loaderName), loader);
  let glue = readFileSync(join(bound, `${stem}.js`), 'utf8');
  // wasm-bindgen imports the loader once per split module (the same module, several names).
  const imports = glue.split('from "./__wasm_split.js"').length - 1;
  if (imports !== chunks.length) throw new Error(`split-app: the bound JS imports the split loader ${imports} times, for ${chunks.length} modules`);
  glue = glue.replaceAll('from "./__wasm_split.js"', `from "./${loaderName}"`);
  writeFileSync(join(staging, js), glue);
  copyFileSync(join(bound, `${stem}_bg.wasm`), join(staging, wasm));

  // 5. index.html: the new digests of what Trunk pinned, and the loader pinned beside them.
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');
  const pin = (file, preload) => {
    const re = new RegExp(`(<link rel="${preload}" href="\\./${file.replace(/\./g, '\\.')}"[^>]*integrity=")[^"]+"`);
    if (!re.test(html)) throw new Error(`split-app: no ${preload} of ${file} in index.html`);
    html = html.replace(re, (_, head) => `${head}${sri(readFileSync(join(staging, file)))}"`);
  };
  pin(js, 'modulepreload');
  pin(wasm, 'preload');
  html = replaceOnce(html, '</head>', `<link rel="modulepreload" href="./${loaderName}" crossorigin="anonymous" integrity="${sri(loader)}"></head>`, 'index.html');
  writeFileSync(`${htmlPath}.tmp`, html);
  renameSync(`${htmlPath}.tmp`, htmlPath);
} finally {
  rmSync(work, { recursive: true, force: true });
}
