//! The core's Sigstore verification as the page's second module: [`SigstoreModule`] is the
//! pipeline's [`SigstoreVerifier`] whose functions are split points of `wasm_split_helpers`
//! (web/split-app.mjs cuts the build there). Everything only they reach — X.509, DER, P-384,
//! Ed25519, RFC 3161, Rekor, the bundle pipeline — moves into a module the page fetches the
//! first time a Sigstore or cosign signature is verified (or as a run starts, when the link
//! names Sigstore trust). The module is this build's own code sharing the page's memory, so
//! outcomes and errors cross as the core's own types, `Verified<T>` included.

// The split macro declares the module's functions as wasm imports and exports (`extern "C"`,
// `#[no_mangle]`): generated linkage, the only unsafe code in this crate.
#![allow(unsafe_code)]

use futures_util::future::LocalBoxFuture;
use opk_pipeline::sigstore_module::{SigstoreModuleNotLoaded, SigstoreVerifier};
use opk_verify::sigstore::signatures::{Accepted, SignatureCheck};
use opk_verify::sigstore::{Artifact, BundleOutcome, CosignLayer, SignedManifest, SigstoreTrust};
use opk_verify::{Policy, Rejected, UnixTime, Verified};

/// The Sigstore verifier in the page's second module.
#[derive(Debug, Clone, Copy, Default)]
pub struct SigstoreModule;

/// The split loader's failure, as the pipeline names it.
struct NotLoaded;

impl From<wasm_split_helpers::SplitLoaderError> for NotLoaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Self
    }
}

/// Loads the module (once; a failed load is retried on the next call).
#[wasm_split_helpers::wasm_split(sigstore, fallible)]
fn load() -> Result<(), NotLoaded> {
    Ok(())
}

#[wasm_split_helpers::wasm_split(sigstore)]
fn signature_checks(
    bytes: &[u8],
    artifact: Artifact<'_>,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Vec<SignatureCheck> {
    opk_verify::sigstore::signature_checks(bytes, artifact, trust, policy, now)
}

#[wasm_split_helpers::wasm_split(sigstore)]
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

#[wasm_split_helpers::wasm_split(sigstore)]
fn cosign_signature_checks(
    layer: CosignLayer<'_>,
    image_sha256: &str,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
) -> Vec<SignatureCheck> {
    opk_verify::sigstore::cosign_signature_checks(layer, image_sha256, trust, policy, now)
}

#[wasm_split_helpers::wasm_split(sigstore)]
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

#[allow(clippy::too_many_arguments)]
#[wasm_split_helpers::wasm_split(sigstore)]
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
        bundle,
        manifest,
        layers,
        image_sha256,
        trust,
        policy,
        now,
        accepted,
    )
}

impl SigstoreVerifier for SigstoreModule {
    fn loaded(&self) -> LocalBoxFuture<'_, Result<(), SigstoreModuleNotLoaded>> {
        Box::pin(async { load().await.map_err(|NotLoaded| SigstoreModuleNotLoaded) })
    }

    fn signature_checks<'a>(
        &'a self,
        bytes: &'a [u8],
        artifact: Artifact<'a>,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>> {
        Box::pin(signature_checks(bytes, artifact, trust, policy, now))
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
        Box::pin(verify_bundle_accepting(
            bytes, artifact, trust, policy, now, accepted,
        ))
    }

    fn cosign_signature_checks<'a>(
        &'a self,
        layer: CosignLayer<'a>,
        image_sha256: &'a str,
        trust: &'a SigstoreTrust,
        policy: &'a Policy,
        now: UnixTime,
    ) -> LocalBoxFuture<'a, Vec<SignatureCheck>> {
        Box::pin(cosign_signature_checks(
            layer,
            image_sha256,
            trust,
            policy,
            now,
        ))
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
        Box::pin(verify_cosign_layer(
            layer,
            image_sha256,
            trust,
            policy,
            now,
            accepted,
        ))
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
        Box::pin(verify_signed_manifest(
            bundle,
            manifest,
            layers,
            image_sha256,
            trust,
            policy,
            now,
            accepted,
        ))
    }
}
