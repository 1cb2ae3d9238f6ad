// web/relaxed-loader.mjs HTML NAME — rewrites the loader Trunk wrote into HTML so the page loads
// NAME_relaxed_bg.wasm where the browser validates relaxed SIMD, and NAME_bg.wasm elsewhere
// (run by scripts/build-relaxed, Trunk's post_build hook). Trunk's preload of NAME_bg.wasm is
// removed: a browser taking the relaxed build would fetch both. Fails unless each rewritten
// piece occurs exactly once, so a change in Trunk's output cannot slip by.
import { readFileSync, writeFileSync } from 'node:fs';
import { PROBE } from './package/relaxed-simd.js';

const [html, name] = process.argv.slice(2);
if (!name) throw new Error('usage: node web/relaxed-loader.mjs HTML NAME');

// The probe the package uses too (web/package/relaxed-simd.js): `WebAssembly.validate` of it is
// true exactly where relaxed SIMD is supported.
const probe = PROBE.join(',');

const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rewrites = [
  [
    new RegExp(`const wasm = await init\\(\\{ module_or_path: '\\./${escaped}_bg\\.wasm' \\}\\);`, 'g'),
    `const relaxed = WebAssembly.validate(new Uint8Array([${probe}]));\n` +
      `const wasm = await init({ module_or_path: relaxed ? './${name}_relaxed_bg.wasm' : './${name}_bg.wasm' });`,
  ],
  [new RegExp(`<link rel="preload" href="\\./${escaped}_bg\\.wasm"[^>]*>`, 'g'), ''],
];

let text = readFileSync(html, 'utf8');
for (const [pattern, replacement] of rewrites) {
  const found = text.match(pattern)?.length ?? 0;
  if (found !== 1) throw new Error(`${html}: expected ${pattern} once, found it ${found} times`);
  text = text.replace(pattern, replacement);
}
writeFileSync(html, text);
