//! The core's Sigstore verification as the page's second module: [`SigstoreModule`] is the
//! pipeline's [`SigstoreVerifier`] whose functions are split points of `wasm_split_helpers`
//! (web/split-app.mjs cuts the build there). Everything only they reach — X.509, DER, P-384,
//! Ed25519, RFC 3161, Rekor, the bundle pipeline — moves into a module the page fetches the
//! first time a Sigstore or cosign signature is verified (or as the page opens, when its link
//! names Sigstore trust). The module is this build's own code sharing the page's memory, so
//! outcomes and errors cross as the core's own types, `Verified<T>` included. The functions
//! are the pipeline's list (`opk_pipeline::sigstore_functions!`), written out twice below: as
//! split points, and as the trait's methods calling them.

// The split macro declares the module's functions as wasm imports and exports (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use futures_util::future::LocalBoxFuture;
use opk_pipeline::sigstore_module::{SigstoreModuleNotLoaded, SigstoreVerifier};

use crate::module_not_loaded::ModuleNotLoaded;

/// The Sigstore verifier in the page's second module.
#[derive(Debug, Clone, Copy, Default)]
pub struct SigstoreModule;

/// Loads the module (once; a failed load is retried on the next call).
#[wasm_split_helpers::wasm_split(sigstore, fallible)]
fn load() -> Result<(), ModuleNotLoaded> {
    Ok(())
}

/// Each function as a split point (in the second module), calling the core's.
macro_rules! split_points {
    ($lt:lifetime; $(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {$(
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        #[wasm_split_helpers::wasm_split(sigstore)]
        fn $name($($arg: $ty),*) -> $ret {
            opk_verify::sigstore::$name($($arg),*)
        }
    )*};
}

/// The trait's methods, each awaiting its split point.
macro_rules! verifier_methods {
    ($lt:lifetime; $(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {
        impl SigstoreVerifier for SigstoreModule {
            fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>> {
                Box::pin(async { load().await.map_err(|ModuleNotLoaded| SigstoreModuleNotLoaded) })
            }
            $(
                fn $name<$lt>(&$lt self, $($arg: $ty),*) -> LocalBoxFuture<$lt, $ret> {
                    Box::pin($name($($arg),*))
                }
            )*
        }
    };
}

opk_pipeline::sigstore_functions!(split_points, '_);
opk_pipeline::sigstore_functions!(verifier_methods, 'a);
