//! Where the browser pipeline's Sigstore verification runs: the functions of
//! `opk_verify::sigstore` it calls (the trusted root's parsing among them), behind [`SigstoreVerifier`], which the caller passes in its
//! [`VerifyContext`](crate::VerifyContext). [`Linked`] calls the core in this module (the JS
//! package, the tests). The web app passes its own implementation, whose functions are split
//! points of `wasm_split_helpers` (`src/sigstore_module.rs`): its build moves everything only
//! they reach — X.509, DER, P-384, Ed25519, RFC 3161, Rekor, the bundle pipeline, the trusted
//! root's parsing and the bundled root — into a second
//! wasm module that the page fetches the first time a Sigstore or cosign signature is verified.
//! That module is the same build's code (it shares the first module's memory and table), so
//! outcomes and errors cross as the core's own types, `Verified<T>` included.
//!
//! Passed in, not chosen by a cargo feature: one build of the workspace compiles the JS package
//! and the app with the same dependency features (scripts/build), and this crate has no unsafe
//! code (the split points' linkage is generated in the app).
//!
//! [`SigstoreVerifier::loaded`] is the one place a failed load shows: callers await it first,
//! and a module that does not load becomes [`SigstoreModuleNotLoaded`], never a verdict.
//!
//! The functions are listed once, in [`sigstore_functions!`](crate::sigstore_functions),
//! which writes them out for a macro given to it: here the trait and [`Linked`], in the app the
//! split points and their implementation of the trait.

use futures_util::future::{ready, LocalBoxFuture};

/// The module holding the Sigstore verifier could not be fetched or instantiated (offline, a
/// server that does not have it, or one whose bytes fail the integrity the page pins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Sigstore verifier (a second module of this page) did not load")]
pub struct SigstoreModuleNotLoaded;

/// Calls `$callback! { $lifetime; fn name(arg: Type, …) -> Output; … }` with the core
/// functions of `opk_verify::sigstore` the browser pipeline calls, every borrowed type under
/// `$lifetime` (`'_` for free functions, a named lifetime for trait methods).
#[macro_export]
macro_rules! sigstore_functions {
    ($callback:ident, $lt:lifetime) => {
        $callback! { $lt;
            /// [`opk_verify::sigstore::load_trusted_root`].
            fn load_trusted_root(
                input: ::opk_verify::sigstore::RootInput<$lt>,
            ) -> ::std::result::Result<
                ::opk_verify::sigstore::trusted_root::TrustedRoot,
                ::opk_verify::VerifyError,
            >;
            /// [`opk_verify::sigstore::message_digest`].
            fn message_digest(
                bytes: &$lt [u8],
            ) -> ::std::option::Option<(::opk_verify::sigstore::keys::HashAlg, ::std::vec::Vec<u8>)>;
            /// [`opk_verify::sigstore::signature_checks`].
            fn signature_checks(
                bytes: &$lt [u8],
                artifact: ::opk_verify::sigstore::Artifact<$lt>,
                trust: &$lt ::opk_verify::sigstore::SigstoreTrust,
                policy: &$lt ::opk_verify::Policy,
                now: ::opk_verify::UnixTime,
            ) -> ::std::vec::Vec<::opk_verify::sigstore::signatures::SignatureCheck>;
            /// [`opk_verify::sigstore::verify_bundle_accepting`].
            fn verify_bundle_accepting(
                bytes: &$lt [u8],
                artifact: ::opk_verify::sigstore::Artifact<$lt>,
                trust: &$lt ::opk_verify::sigstore::SigstoreTrust,
                policy: &$lt ::opk_verify::Policy,
                now: ::opk_verify::UnixTime,
                accepted: &$lt ::opk_verify::sigstore::signatures::Accepted,
            ) -> ::std::result::Result<
                ::opk_verify::Verified<::opk_verify::sigstore::BundleOutcome>,
                ::opk_verify::Rejected,
            >;
            /// [`opk_verify::sigstore::cosign_signature_checks`].
            fn cosign_signature_checks(
                layer: ::opk_verify::sigstore::CosignLayer<$lt>,
                image_sha256: &$lt str,
                trust: &$lt ::opk_verify::sigstore::SigstoreTrust,
                policy: &$lt ::opk_verify::Policy,
                now: ::opk_verify::UnixTime,
            ) -> ::std::vec::Vec<::opk_verify::sigstore::signatures::SignatureCheck>;
            /// [`opk_verify::sigstore::verify_cosign_layer`].
            fn verify_cosign_layer(
                layer: ::opk_verify::sigstore::CosignLayer<$lt>,
                image_sha256: &$lt str,
                trust: &$lt ::opk_verify::sigstore::SigstoreTrust,
                policy: &$lt ::opk_verify::Policy,
                now: ::opk_verify::UnixTime,
                accepted: &$lt ::opk_verify::sigstore::signatures::Accepted,
            ) -> ::std::result::Result<
                ::opk_verify::Verified<::opk_verify::sigstore::BundleOutcome>,
                ::opk_verify::Rejected,
            >;
            /// [`opk_verify::sigstore::verify_signed_manifest`] (its arguments, as the core
            /// takes them).
            fn verify_signed_manifest(
                bundle: &$lt [u8],
                manifest: &$lt [u8],
                layers: &$lt [&$lt [u8]],
                image_sha256: &$lt str,
                trust: &$lt ::opk_verify::sigstore::SigstoreTrust,
                policy: &$lt ::opk_verify::Policy,
                now: ::opk_verify::UnixTime,
                accepted: &$lt ::opk_verify::sigstore::signatures::Accepted,
            ) -> ::std::result::Result<
                ::opk_verify::Verified<::opk_verify::sigstore::SignedManifest>,
                ::opk_verify::Rejected,
            >;
        }
    };
}

/// The trait, and [`Linked`]'s implementation of it, from the list.
macro_rules! trait_and_linked {
    ($lt:lifetime; $(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty;
    )*) => {
        /// The core's Sigstore verification, wherever it is: each function is the core's
        /// function of the same name, awaited (a module may have to load first).
        pub trait SigstoreVerifier: std::fmt::Debug {
            /// Loads the verifier's module (once; a failed load is retried on the next call).
            fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>>;
            $(
                $(#[$doc])*
                #[allow(clippy::too_many_arguments)]
                fn $name<$lt>(&$lt self, $($arg: $ty),*) -> LocalBoxFuture<$lt, $ret>;
            )*
        }

        impl SigstoreVerifier for Linked {
            fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>> {
                Box::pin(ready(Ok(())))
            }
            $(
                fn $name<$lt>(&$lt self, $($arg: $ty),*) -> LocalBoxFuture<$lt, $ret> {
                    Box::pin(ready(opk_verify::sigstore::$name($($arg),*)))
                }
            )*
        }
    };
}

/// The core's Sigstore verification linked into this module: always loaded, each call answered
/// at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linked;

sigstore_functions!(trait_and_linked, 'a);
