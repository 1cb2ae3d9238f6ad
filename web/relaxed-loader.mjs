// web/relaxed-loader.mjs HTML NAME — rewrites the loader Trunk wrote into HTML so the page loads
// NAME_relaxed_bg.wasm where the browser validates relaxed SIMD, and NAME_bg.wasm elsewhere
// (run by scripts/build-relaxed, Trunk's post_build hook). Trunk's preload of NAME_bg.wasm is
// removed: a browser taking the relaxed build would fetch both. Fails unless each rewritten
// piece occurs exactly once, so a change in Trunk's output cannot slip by.
import { readFileSync, writeFileSync } from 'node:fs';

const [html, name] = process.argv.slice(2);
if (!name) throw new Error('usage: node web/relaxed-loader.mjs HTML NAME');

// The smallest module using relaxed SIMD: (func (result v128) f64x2.relaxed_madd of three
// splatted zeros). `WebAssembly.validate` is true exactly where relaxed SIMD is supported.
const PROBE =
  '0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,40,1,38,0,' +
  '68,0,0,0,0,0,0,0,0,253,20,68,0,0,0,0,0,0,0,0,253,20,68,0,0,0,0,0,0,0,0,253,20,253,135,2,11';

const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rewrites = [
  [
    new RegExp(`const wasm = await init\\(\\{ module_or_path: '\\./${escaped}_bg\\.wasm' \\}\\);`, 'g'),
    `const relaxed = WebAssembly.validate(new Uint8Array([${PROBE}]));\n` +
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
