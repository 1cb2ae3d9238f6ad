//! Where the browser pipeline's Sigstore verification runs: the five functions of
//! `opk_verify::sigstore` it calls, behind [`SigstoreVerifier`], which the caller passes in its
//! [`VerifyContext`](crate::VerifyContext). [`Linked`] calls the core in this module (the JS
//! package, the tests). The web app passes its own implementation, whose functions are split
//! points of `wasm_split_helpers` (`src/sigstore_module.rs`): its build moves everything only
//! they reach — X.509, DER, P-384, Ed25519, RFC 3161, Rekor, the bundle pipeline — into a second
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

use futures_util::future::{ready, LocalBoxFuture};
use opk_verify::sigstore::signatures::{Accepted, SignatureCheck};
use opk_verify::sigstore::{Artifact, BundleOutcome, CosignLayer, SignedManifest, SigstoreTrust};
use opk_verify::{Policy, Rejected, UnixTime, Verified};

/// The module holding the Sigstore verifier could not be fetched or instantiated (offline, a
/// server that does not have it, or one whose bytes fail the integrity the page pins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the Sigstore verifier (a second module of this page) did not load")]
pub struct SigstoreModuleNotLoaded;

/// The core's Sigstore verification, wherever it is: each function is the core's function of
/// the same name, awaited (a module may have to load first).
pub trait SigstoreVerifier: std::fmt::Debug {
    /// Loads the verifier's module (once; a failed load is retried on the next call).
    fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>>;

    /// [`opk_verify::sigstore::signature_checks`].
    fn signature_checks<'a>(
        &'a self,
        bytes: &'a [u8],
        artifact: Artifact<'a>,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>>;

    /// [`opk_verify::sigstore::verify_bundle_accepting`].
    #[allow(clippy::too_many_arguments)]
    fn verify_bundle_accepting<'a>(
        &'a self,
        bytes: &'a [u8],
        artifact: Artifact<'a>,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<BundleOutcome>, Rejected>>;

    /// [`opk_verify::sigstore::cosign_signature_checks`].
    fn cosign_signature_checks<'a>(
        &'a self,
        layer: CosignLayer<'a>,
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>>;

    /// [`opk_verify::sigstore::verify_cosign_layer`].
    #[allow(clippy::too_many_arguments)]
    fn verify_cosign_layer<'a>(
        &'a self,
        layer: CosignLayer<'a>,
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<BundleOutcome>, Rejected>>;

    /// [`opk_verify::sigstore::verify_signed_manifest`] (its arguments, as the core takes them).
    #[allow(clippy::too_many_arguments)]
    fn verify_signed_manifest<'a>(
        &'a self,
        bundle: &'a [u8],
        manifest: &'a [u8],
        layers: &'a [&'a [u8]],
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<SignedManifest>, Rejected>>;
}

/// The core's Sigstore verification linked into this module: always loaded, each call answered
/// at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linked;

impl SigstoreVerifier for Linked {
    fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>> {
        Box::pin(ready(Ok(())))
    }

    fn signature_checks<'a>(
        &'a self,
        bytes: &'a [u8],
        artifact: Artifact<'a>,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>> {
        let checks = opk_verify::sigstore::signature_checks(bytes, artifact, trust, policy, now);
        Box::pin(ready(checks))
    }

    fn verify_bundle_accepting<'a>(
        &'a self,
        bytes: &'a [u8],
        artifact: Artifact<'a>,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<BundleOutcome>, Rejected>> {
        Box::pin(ready(opk_verify::sigstore::verify_bundle_accepting(
            bytes, artifact, trust, policy, now, accepted,
        )))
    }

    fn cosign_signature_checks<'a>(
        &'a self,
        layer: CosignLayer<'a>,
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>> {
        Box::pin(ready(opk_verify::sigstore::cosign_signature_checks(
            layer,
            image_sha256,
            trust,
            policy,
            now,
        )))
    }

    fn verify_cosign_layer<'a>(
        &'a self,
        layer: CosignLayer<'a>,
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<BundleOutcome>, Rejected>> {
        Box::pin(ready(opk_verify::sigstore::verify_cosign_layer(
            layer,
            image_sha256,
            trust,
            policy,
            now,
            accepted,
        )))
    }

    fn verify_signed_manifest<'a>(
        &'a self,
        bundle: &'a [u8],
        manifest: &'a [u8],
        layers: &'a [&'a [u8]],
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
        accepted: &'a Accepted,
    ) -> LocalBoxFuture<'a, Result<Verified<SignedManifest>, Rejected>> {
        Box::pin(ready(opk_verify::sigstore::verify_signed_manifest(
            bundle,
            manifest,
            layers,
            image_sha256,
            trust,
            policy,
            now,
            accepted,
        )))
    }
}
