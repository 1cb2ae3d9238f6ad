//! The core's Sigstore verification, as the browser pipeline calls it: five functions of
//! `opk_verify::sigstore`, each `async` here. With the `lazy-sigstore` feature (the web app
//! turns it on) each is a split point of `wasm_split_helpers`: the build splits everything only
//! they reach — X.509, DER, P-384, Ed25519, RFC 3161, Rekor, the bundle pipeline — into a second
//! wasm module that the page fetches the first time a Sigstore or cosign signature is verified.
//! The second module is this same build's code (it shares the first module's memory and
//! table), so outcomes and errors cross as the core's own types, `Verified<T>` included.
//! Without the feature (the JS package, tests) they call the core directly.
//!
//! [`loaded`] is the one place a failed load shows: callers await it first, and a module that
//! does not load becomes [`SigstoreModuleNotLoaded`], never a verdict.

// The split macro declares the second module's functions as wasm imports and exports
// (`extern "C"`, `#[no_mangle]`): the only unsafe code in this crate, generated, not written.
#![allow(unsafe_code)]

use opk_verify::sigstore::signatures::{Accepted, SignatureCheck};
use opk_verify::sigstore::{Artifact, BundleOutcome, CosignLayer, SignedManifest, SigstoreTrust};
use opk_verify::{Policy, Rejected, UnixTime, Verified};

/// The module holding the Sigstore verifier could not be fetched or instantiated (offline, a
/// server that does not have it, or one whose bytes fail the integrity the page pins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Sigstore verifier (a second module of this page) did not load")]
pub struct SigstoreModuleNotLoaded;

#[cfg(feature = "lazy-sigstore")]
impl From<wasm_split_helpers::SplitLoaderError> for SigstoreModuleNotLoaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Self
    }
}

/// Declares each function once: a split point with the feature, a plain `async fn` without.
macro_rules! in_sigstore_module {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    )*) => {$(
        $(#[$doc])*
        #[cfg(feature = "lazy-sigstore")]
        #[wasm_split_helpers::wasm_split(sigstore)]
        pub fn $name($($arg: $ty),*) -> $ret $body

        $(#[$doc])*
        #[cfg(not(feature = "lazy-sigstore"))]
        pub async fn $name($($arg: $ty),*) -> $ret $body
    )*};
}

/// Loads the module (once; a failed load is retried on the next call).
#[cfg(feature = "lazy-sigstore")]
#[wasm_split_helpers::wasm_split(sigstore, fallible)]
pub fn loaded() -> Result<(), SigstoreModuleNotLoaded> {
    Ok(())
}

/// Nothing to load: the verifier is in this module.
#[cfg(not(feature = "lazy-sigstore"))]
pub async fn loaded() -> Result<(), SigstoreModuleNotLoaded> {
    Ok(())
}

in_sigstore_module! {
    /// [`opk_verify::sigstore::signature_checks`].
    fn signature_checks(
        bytes: &[u8],
        artifact: Artifact<'_>,
        trust: &SigstoreTrust,
        policy: &Policy,
        now: UnixTime,
    ) -> Vec<SignatureCheck> {
        opk_verify::sigstore::signature_checks(bytes, artifact, trust, policy, now)
    }

    /// [`opk_verify::sigstore::verify_bundle_accepting`].
    fn verify_bundle_accepting(
        bytes: &[u8],
        artifact: Artifact<'_>,
        trust: &SigstoreTrust,
        policy: &Policy,
        now: UnixTime,
        accepted: &Accepted,
    ) -> Result<Verified<BundleOutcome>, Rejected> {
        opk_verify::sigstore::verify_bundle_accepting(bytes, artifact, trust, policy, now, accepted)
    }

    /// [`opk_verify::sigstore::cosign_signature_checks`].
    fn cosign_signature_checks(
        layer: CosignLayer<'_>,
        image_sha256: &str,
        trust: &SigstoreTrust,
        policy: &Policy,
        now: UnixTime,
    ) -> Vec<SignatureCheck> {
        opk_verify::sigstore::cosign_signature_checks(layer, image_sha256, trust, policy, now)
    }

    /// [`opk_verify::sigstore::verify_cosign_layer`].
    fn verify_cosign_layer(
        layer: CosignLayer<'_>,
        image_sha256: &str,
        trust: &SigstoreTrust,
        policy: &Policy,
        now: UnixTime,
        accepted: &Accepted,
    ) -> Result<Verified<BundleOutcome>, Rejected> {
        opk_verify::sigstore::verify_cosign_layer(layer, image_sha256, trust, policy, now, accepted)
    }

    /// [`opk_verify::sigstore::verify_signed_manifest`] (its arguments, as the core takes them).
    #[allow(clippy::too_many_arguments)]
    fn verify_signed_manifest(
        bundle: &[u8],
        manifest: &[u8],
        layers: &[&[u8]],
        image_sha256: &str,
        trust: &SigstoreTrust,
        policy: &Policy,
        now: UnixTime,
        accepted: &Accepted,
    ) -> Result<Verified<SignedManifest>, Rejected> {
        opk_verify::sigstore::verify_signed_manifest(
            bundle, manifest, layers, image_sha256, trust, policy, now, accepted,
        )
    }
}
