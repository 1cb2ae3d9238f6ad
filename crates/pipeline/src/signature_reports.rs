//! The signatures discovery found besides BuildKit's attestation manifests, verified: each
//! Sigstore bundle on the image is fetched by digest and verified by opk-verify against the
//! platform image digest (a DSSE statement must name it; a message signature must be over it),
//! under the Sigstore trust and the one policy. What this tool does not verify is reported as
//! such, never counted either way: Notation signatures and message-signature bundles over a
//! payload the registry does not hold. Each layer of a cosign v2 signature manifest (tag or
//! referrer) is verified with its annotations as one signature on the platform image. A bundle on a BuildKit attestation manifest
//! (Docker's github-builder) is verified with that manifest and its statements, which must name
//! the platform image.

use futures_util::future::join_all;
use opk_registry::{Client, FoundSignature, Reference, SignatureKind, SignedSubject, Transport};
use opk_verify::limits::{Limit, MAX_BUNDLE_BYTES, MAX_ENVELOPE_BYTES, MAX_STATEMENT_BYTES};
use opk_verify::oci::Manifest;
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::signatures::Accepted;
use opk_verify::sigstore::{Artifact, CosignLayer, SigstoreTrust};
use opk_verify::Rejected;

use crate::context::VerifyContext;
use crate::outcome::{AttestationFailure, Outcome, Scheme};
use crate::sigstore_trust::TrustUnavailable;
use crate::verify_image::AttestationReport;

/// Why a Notation signature is listed and not verified.
pub const NOTATION_NOT_VERIFIED: &str = "Notation signature — not verified";
/// Why a message-signature bundle over another payload is not bound to the image.
pub const PAYLOAD_NOT_BOUND: &str =
    "message signature over a payload the registry does not hold — not bound to this image";
/// Why a Sigstore or cosign signature was not checked in a page whose verifier module did not
/// load (fetched on first use): [`Outcome::VerifierNotLoaded`].
pub const VERIFIER_NOT_LOADED: &str =
    "the Sigstore verifier (a second module of this page) did not load";
/// A signature kind this version does not know.
pub const UNKNOWN_KIND: &str = "a signature of a kind this version does not verify";

/// One report per signature layer of `found`, in discovery order.
pub async fn signature_reports<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    found: &[FoundSignature],
    image_digest: &Digest,
    cx: &VerifyContext<'_>,
) -> Vec<AttestationReport> {
    join_all(found.iter().flat_map(|sig| {
        sig.layers.iter().map(move |layer| async move {
            // What the signature must name: the platform image, or the index listing it
            // (whose verified bytes bind the platform image's digest).
            let signed = match &sig.subject {
                SignedSubject::Index(index) => index,
                _ => image_digest,
            };
            let (scheme, outcome) = match sig.kind {
                SignatureKind::SigstoreBundle => match &sig.subject {
                    SignedSubject::AttestationManifest(a) => (
                        Some(Scheme::Sigstore),
                        verify_manifest_bundle(client, reference, layer, a, image_digest, cx).await,
                    ),
                    _ => (
                        Some(Scheme::Sigstore),
                        verify_bundle_layer(client, reference, layer, signed, cx).await,
                    ),
                },
                SignatureKind::CosignSignature | SignatureKind::CosignAttestation => (
                    Some(Scheme::Cosign),
                    verify_cosign_layer(client, reference, layer, signed, cx).await,
                ),
                SignatureKind::Notation => (
                    Some(Scheme::Notation),
                    Outcome::NotVerified(NOTATION_NOT_VERIFIED),
                ),
                _ => (None, Outcome::NotVerified(UNKNOWN_KIND)),
            };
            AttestationReport {
                scheme,
                manifest: sig.manifest.digest.clone(),
                found: sig.found,
                on_index: matches!(sig.subject, SignedSubject::Index(_)),
                layer: layer.clone(),
                predicate_hint: None,
                outcome,
            }
        })
    }))
    .await
}

fn fetch_failed(e: opk_registry::RegistryError) -> Outcome {
    Outcome::Failed(AttestationFailure::Fetch(e))
}

/// What `fetch` fetched and the Sigstore trust to verify it under, with the page's Sigstore
/// verifier module loading beside the fetch (the second module arrives while the signature
/// does) and parsing the trust when the first signature needs it; else the outcome to report:
/// the fetch's failure first, then a verifier that did not load, then a trusted root that does
/// not parse. Natively the verifier is linked in.
async fn fetched_with_trust<'c, T>(
    fetch: impl std::future::Future<Output = Result<T, opk_registry::RegistryError>>,
    cx: &VerifyContext<'c>,
) -> Result<(T, &'c SigstoreTrust), Outcome> {
    #[cfg(target_arch = "wasm32")]
    let (fetched, loaded) = futures_util::future::join(fetch, cx.sigstore_verifier.loaded()).await;
    #[cfg(not(target_arch = "wasm32"))]
    let (fetched, loaded) = (fetch.await, Ok::<(), ()>(()));
    let fetched = fetched.map_err(fetch_failed)?;
    loaded.map_err(|_| Outcome::VerifierNotLoaded)?;
    let trust = cx.sigstore.load(cx).await.map_err(|e| match e {
        TrustUnavailable::VerifierNotLoaded => Outcome::VerifierNotLoaded,
        TrustUnavailable::Invalid(error) => {
            Outcome::Failed(AttestationFailure::Rejected(Rejected {
                error,
                checks: Vec::new(),
            }))
        }
    })?;
    Ok((fetched, trust))
}

/// A Sigstore bundle about the image itself.
async fn verify_bundle_layer<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    image_digest: &Digest,
    cx: &VerifyContext<'_>,
) -> Outcome {
    let blob = client.blob(reference, layer, MAX_BUNDLE_BYTES, Limit::BundleBytes);
    let (bytes, trust) = match fetched_with_trust(blob, cx).await {
        Ok(x) => x,
        Err(outcome) => return outcome,
    };
    // A parsed `Digest` is 64 lowercase hex; anything else is an error, never a pass.
    let Some(digest) = opk_verify::hex::decode(image_digest.hex()) else {
        return Outcome::Failed(AttestationFailure::Fetch(
            opk_registry::RegistryError::Verify(opk_verify::VerifyError::InvalidField {
                what: "image digest",
                field: "sha256",
            }),
        ));
    };
    // A message signature is about the image only if its digest is the image's; one over
    // another payload (cosign's simple-signing document) cannot be bound from here. A bundle
    // that does not parse is left to the verifier, which says why.
    // (In the page the bundle is read by the verifier module, which the parsing is part of.)
    #[cfg(target_arch = "wasm32")]
    let named = cx.sigstore_verifier.message_digest(&bytes).await;
    #[cfg(not(target_arch = "wasm32"))]
    let named = opk_verify::sigstore::message_digest(&bytes);
    if let Some((HashAlg::Sha256, d)) = named {
        if d != digest {
            return Outcome::NotVerified(PAYLOAD_NOT_BOUND);
        }
    }
    let artifact = Artifact::Digest(HashAlg::Sha256, &digest);
    #[cfg(target_arch = "wasm32")]
    let verified = match crate::webcrypto::verify_bundle(
        cx.sigstore_verifier,
        &bytes,
        artifact,
        trust,
        cx.policy,
        cx.now,
    )
    .await
    {
        Ok(v) => v,
        Err(_) => return Outcome::VerifierNotLoaded,
    };
    #[cfg(not(target_arch = "wasm32"))]
    let verified = opk_verify::sigstore::verify_bundle(&bytes, artifact, trust, cx.policy, cx.now);
    match verified {
        Ok(v) => Outcome::Sigstore(v),
        Err(r) => Outcome::Failed(AttestationFailure::Rejected(r)),
    }
}

/// One layer of a cosign v2 signature manifest: its blob by digest, its annotations from the
/// manifest (the signature, certificate and Rekor bundle), verified about the image.
async fn verify_cosign_layer<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    image_digest: &Digest,
    cx: &VerifyContext<'_>,
) -> Outcome {
    let blob = client.blob(reference, layer, MAX_ENVELOPE_BYTES, Limit::EnvelopeBytes);
    let (bytes, trust) = match fetched_with_trust(blob, cx).await {
        Ok(x) => x,
        Err(outcome) => return outcome,
    };
    let cosign = CosignLayer {
        media_type: &layer.media_type,
        annotations: &layer.annotations,
        bytes: &bytes,
    };
    #[cfg(target_arch = "wasm32")]
    let verified = {
        let module = cx.sigstore_verifier;
        let image = image_digest.hex();
        let checks = module
            .cosign_signature_checks(cosign, image, trust, cx.policy, cx.now)
            .await;
        let accepted = crate::webcrypto::sigstore_accepted(checks).await;
        module
            .verify_cosign_layer(cosign, image, trust, cx.policy, cx.now, &accepted)
            .await
    };
    #[cfg(not(target_arch = "wasm32"))]
    let verified = opk_verify::sigstore::verify_cosign_layer(
        cosign,
        image_digest.hex(),
        trust,
        cx.policy,
        cx.now,
        &Accepted::default(),
    );
    match verified {
        Ok(v) => Outcome::Sigstore(v),
        Err(r) => Outcome::Failed(AttestationFailure::Rejected(r)),
    }
}

/// A Sigstore bundle on the attestation manifest `manifest` of the image: the bundle, the
/// manifest (by digest) and its in-toto layers (by digest), verified together by opk-verify.
async fn verify_manifest_bundle<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    manifest: &Digest,
    image_digest: &Digest,
    cx: &VerifyContext<'_>,
) -> Outcome {
    let fetched = async {
        let bundle = client
            .blob(reference, layer, MAX_BUNDLE_BYTES, Limit::BundleBytes)
            .await?;
        let bytes = client.manifest(reference, manifest, None).await?;
        let m = Manifest::parse(&bytes)?;
        let mut statements = Vec::new();
        for (d, signed) in m.attestation_layers() {
            if !signed {
                statements.push(
                    client
                        .blob(reference, d, MAX_STATEMENT_BYTES, Limit::StatementBytes)
                        .await?,
                );
            }
        }
        Ok::<_, opk_registry::RegistryError>((bundle, bytes, statements))
    };
    let ((bundle, bytes, statements), trust) = match fetched_with_trust(fetched, cx).await {
        Ok(x) => x,
        Err(outcome) => return outcome,
    };
    let layers: Vec<&[u8]> = statements.iter().map(Vec::as_slice).collect();
    let image = image_digest.hex();
    #[cfg(target_arch = "wasm32")]
    let verified = {
        let module = cx.sigstore_verifier;
        let accepted = accepted(&bundle, &bytes, trust, cx).await;
        let (policy, now) = (cx.policy, cx.now);
        module
            .verify_signed_manifest(
                &bundle, &bytes, &layers, image, trust, policy, now, &accepted,
            )
            .await
    };
    #[cfg(not(target_arch = "wasm32"))]
    let verified = opk_verify::sigstore::verify_signed_manifest(
        &bundle,
        &bytes,
        &layers,
        image,
        trust,
        cx.policy,
        cx.now,
        &Accepted::default(),
    );
    match verified {
        Ok(v) => Outcome::SignedManifest(v),
        Err(r) => Outcome::Failed(AttestationFailure::Rejected(r)),
    }
}

/// In the browser, the bundle's signatures WebCrypto accepts (the core verifies the rest).
#[cfg(target_arch = "wasm32")]
async fn accepted(
    bundle: &[u8],
    manifest: &[u8],
    trust: &SigstoreTrust,
    cx: &VerifyContext<'_>,
) -> Accepted {
    let digest = Digest::of(manifest);
    let Some(raw) = opk_verify::hex::decode(digest.hex()) else {
        return Accepted::default();
    };
    let artifact = Artifact::Digest(HashAlg::Sha256, &raw);
    let checks = cx
        .sigstore_verifier
        .signature_checks(bundle, artifact, trust, cx.policy, cx.now)
        .await;
    crate::webcrypto::sigstore_accepted(checks).await
}
