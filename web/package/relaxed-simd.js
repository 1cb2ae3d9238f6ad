// Whether this browser has WebAssembly relaxed SIMD. The package (opk-verify.js) and the app
// (its loader, written by web/relaxed-loader.mjs from PROBE) load the build of their wasm with
// relaxed SIMD where it validates, and the SIMD128 build elsewhere: a module holding one
// relaxed-SIMD instruction fails validation in a browser without it, even if never run.

/** The smallest module using relaxed SIMD: a function returning `f64x2.relaxed_madd` of three
 * splatted zeros. */
export const PROBE = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 40, 1, 38, 0,
  68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20,
  68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 253, 135, 2, 11,
];

/** True where `WebAssembly.validate` accepts relaxed SIMD. */
export function relaxedSimd() {
  return WebAssembly.validate(new Uint8Array(PROBE));
}
