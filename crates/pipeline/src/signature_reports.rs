//! The signatures discovery found besides BuildKit's attestation manifests, verified: each
//! Sigstore bundle on the image is fetched by digest and verified by opk-verify against the
//! platform image digest (a DSSE statement must name it; a message signature must be over it),
//! under the Sigstore trust and the one policy. What this tool does not verify is reported as
//! such, never counted either way: Notation signatures, cosign v2 tags, message signatures over
//! a payload the registry does not hold, and bundles on a BuildKit attestation manifest.

use futures_util::future::join_all;
use opk_registry::{Client, FoundSignature, Reference, SignatureKind, SignedSubject, Transport};
use opk_verify::limits::{Limit, MAX_BUNDLE_BYTES};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::sigstore::bundle::{Bundle, Content};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::Artifact;

use crate::context::VerifyContext;
use crate::outcome::{AttestationFailure, Outcome, Scheme};
use crate::verify_image::AttestationReport;

/// Why a Notation signature is listed and not verified.
pub const NOTATION_NOT_VERIFIED: &str = "Notation signature — not verified";
/// Why a cosign v2 tag is listed and not verified.
pub const COSIGN_NOT_VERIFIED: &str = "cosign v2 signature — not verified by this version";
/// Why a message-signature bundle over another payload is not bound to the image.
pub const PAYLOAD_NOT_BOUND: &str =
    "message signature over a payload the registry does not hold — not bound to this image";
/// A signature kind this version does not know.
pub const UNKNOWN_KIND: &str = "a signature of a kind this version does not verify";
/// Why a bundle on an attestation manifest is not yet bound to the image.
pub const ON_ATTESTATION_MANIFEST: &str =
    "Sigstore bundle on the BuildKit attestation manifest — not verified by this version";

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
            let (scheme, outcome) = match sig.kind {
                SignatureKind::SigstoreBundle => match &sig.subject {
                    SignedSubject::Image => (
                        Some(Scheme::Sigstore),
                        verify_bundle_layer(client, reference, layer, image_digest, cx).await,
                    ),
                    SignedSubject::AttestationManifest(_) => (
                        Some(Scheme::Sigstore),
                        Outcome::NotVerified(ON_ATTESTATION_MANIFEST),
                    ),
                },
                SignatureKind::CosignSignature | SignatureKind::CosignAttestation => (
                    Some(Scheme::Cosign),
                    Outcome::NotVerified(COSIGN_NOT_VERIFIED),
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
                layer: layer.clone(),
                predicate_hint: None,
                outcome,
            }
        })
    }))
    .await
}

/// A Sigstore bundle about the image itself.
async fn verify_bundle_layer<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    image_digest: &Digest,
    cx: &VerifyContext<'_>,
) -> Outcome {
    let bytes = match client
        .blob(reference, layer, MAX_BUNDLE_BYTES, Limit::BundleBytes)
        .await
    {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(AttestationFailure::Fetch(e)),
    };
    let Some(digest) = opk_verify::hex::decode(image_digest.hex()) else {
        return Outcome::NotVerified(PAYLOAD_NOT_BOUND);
    };
    // A message signature is about the image only if its digest is the image's; one over
    // another payload (cosign's simple-signing document) cannot be bound from here. A bundle
    // that does not parse is left to the verifier, which says why.
    if let Ok(bundle) = Bundle::parse(&bytes) {
        if let Content::MessageSignature {
            digest: Some((HashAlg::Sha256, d)),
            ..
        } = &bundle.content
        {
            if *d != digest {
                return Outcome::NotVerified(PAYLOAD_NOT_BOUND);
            }
        }
    }
    let artifact = Artifact::Digest(HashAlg::Sha256, &digest);
    #[cfg(target_arch = "wasm32")]
    let verified =
        crate::webcrypto::verify_bundle(&bytes, artifact, cx.sigstore, cx.policy, cx.now).await;
    #[cfg(not(target_arch = "wasm32"))]
    let verified =
        opk_verify::sigstore::verify_bundle(&bytes, artifact, cx.sigstore, cx.policy, cx.now);
    match verified {
        Ok(v) => Outcome::Sigstore(v),
        Err(r) => Outcome::Failed(AttestationFailure::Rejected(r)),
    }
}
