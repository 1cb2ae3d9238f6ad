//! Offline verification (`crate::offline_verify`) as a module of the page: fetched the first
//! time "Verify offline" is pressed (or its input first filled), not with the page. [`verify`]
//! is a split point of `wasm_split_helpers` (web/split-app.mjs cuts the build there); it starts
//! the verification in that module and hands it back as a future whose code is the module's.
//! The module is this build's own code sharing the page's memory, so results cross as the
//! panel's own type.

// The split macro declares the module's function as a wasm import and export (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use futures_util::future::LocalBoxFuture;

use crate::module_not_loaded::ModuleNotLoaded;

use crate::offline_verify::{verify_input, OfflineResult};
use crate::params::Params;

/// What the panel says when the module does not load: not verified, never a verdict.
pub const NOT_LOADED: &str =
    "offline_verifier_not_loaded: the offline verifier (a module of this page) did not load; reload the page";

/// The verification of `input` (see [`verify_input`]), started in the offline module, which
/// this loads first; `preload` fetches the module alone.
#[wasm_split_helpers::wasm_split(offline, fallible, preload(preload))]
pub fn verify(
    input: Vec<u8>,
    files: Vec<Vec<u8>>,
    subject: String,
    params: Params,
    jwks: String,
) -> Result<LocalBoxFuture<'static, Vec<OfflineResult>>, ModuleNotLoaded> {
    Ok(Box::pin(async move {
        verify_input(&input, &files, &subject, &params, &jwks).await
    }))
}
