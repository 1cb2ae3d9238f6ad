/** The smallest module using relaxed SIMD (`f64x2.relaxed_madd`), as bytes. */
export declare const PROBE: readonly number[];
/** True where `WebAssembly.validate` accepts relaxed SIMD: load `opk_js_relaxed_bg.wasm` there. */
export declare function relaxedSimd(): boolean;
