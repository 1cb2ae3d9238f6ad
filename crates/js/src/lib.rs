//! OPK Explorer's JavaScript API, built with `wasm-bindgen --target web` (see `scripts/build-js`).
//! Every function returns plain JSON in the shape the CLI's `--json` prints (one implementation:
//! `opk_pipeline::report`), and throws `{code, message}`.
//!
//! ```js
//! import init, { verifyImage, verifyEnvelope } from './opk_js.js';
//! await init();
//! const report = await verifyImage('ghcr.io/org/app:1.2', { ownerId: '123' }, { platform: 'linux/amd64' });
//! ```

#![forbid(unsafe_code)]

pub mod options;

#[cfg(target_arch = "wasm32")]
mod api;
