//! `verify IMAGE`: fetch the image's index, pick the platform, find its attestations, fetch
//! each signed layer by digest and verify it with opk-verify against the platform manifest
//! digest (and, for a tag, the subject name BuildKit writes), then require the policy's
//! predicate types. The same function serves the CLI, the web page and the JS API.

use futures_util::future::join_all;
use opk_verify::limits::{Limit, MAX_ENVELOPE_BYTES};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::{
    check_required_predicates, EnvelopeOutcome, ExpectedSubject, Policy, Rejected, TrustRoots,
    UnixTime, Verified,
};

use opk_registry::{
    attestations, Client, Found, Image, Reference, RegistryError, Resolved, Transport,
};

/// Why one attestation did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationFailure {
    /// Its blob could not be fetched or failed its digest check.
    Fetch(RegistryError),
    /// opk-verify rejected it (with the checks that ran).
    Rejected(Rejected),
}

impl AttestationFailure {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Fetch(e) => e.code(),
            Self::Rejected(r) => r.error.code(),
        }
    }
}

impl std::fmt::Display for AttestationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fetch(e) => e.fmt(f),
            Self::Rejected(r) => r.error.fmt(f),
        }
    }
}

/// One attestation layer and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationReport {
    /// The attestation manifest it is in.
    pub manifest: Digest,
    /// Where that manifest was listed.
    pub found: Found,
    /// The layer.
    pub layer: Descriptor,
    /// The layer's `in-toto.io/predicate-type` annotation (an unsigned hint).
    pub predicate_hint: Option<String>,
    /// `None` for an unsigned (`application/vnd.in-toto+json`) layer, which is not verified.
    pub outcome: Option<Result<Verified<EnvelopeOutcome>, AttestationFailure>>,
}

/// The verdict for one platform of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageVerdict {
    /// The platform (`os/arch[/variant]`).
    pub platform: String,
    /// How the reference resolved (the tag step is unverified).
    pub resolved: Resolved,
    /// The platform image manifest digest every statement must name.
    pub image_digest: Digest,
    /// The subject name required for a tag reference.
    pub purl: Option<String>,
    /// Every attestation layer, in index and manifest order.
    pub attestations: Vec<AttestationReport>,
    /// `None` when everything verified and every required predicate type is present.
    pub error: Option<RegistryError>,
}

impl ImageVerdict {
    /// True when the image verified.
    pub fn verified(&self) -> bool {
        self.error.is_none()
    }
}

/// Verifies the attestations of `reference` for `platform`. `Err` means verification could not
/// reach the attestations (fetching, platform, none found or withheld).
pub async fn verify_image<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    platform: &str,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<ImageVerdict, RegistryError> {
    let image = Image::fetch(client, reference).await?;
    let target = image.image_for(platform)?;
    let purl = reference.purl(platform);
    let sets = attestations(client, &image, &target.digest).await?;
    // Every layer is fetched side by side; each is verified as soon as its bytes are in.
    let (purl_ref, image_digest) = (purl.as_deref(), &target.digest);
    let reports = join_all(sets.iter().flat_map(|set| {
        set.layers.iter().map(move |(layer, signed)| {
            let purl = purl_ref;
            async move {
                let outcome = if *signed {
                    Some(
                        verify_layer(
                            client,
                            reference,
                            layer,
                            image_digest,
                            purl,
                            trust,
                            policy,
                            now,
                        )
                        .await,
                    )
                } else {
                    None
                };
                AttestationReport {
                    manifest: set.descriptor.digest.clone(),
                    found: set.found,
                    layer: layer.clone(),
                    predicate_hint: layer.annotations.get("in-toto.io/predicate-type").cloned(),
                    outcome,
                }
            }
        })
    }))
    .await;
    let error = verdict(&reports, &target.digest, policy);
    Ok(ImageVerdict {
        platform: platform.to_owned(),
        resolved: image.resolved,
        image_digest: target.digest,
        purl,
        attestations: reports,
        error,
    })
}

#[allow(clippy::too_many_arguments)]
async fn verify_layer<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    image_digest: &Digest,
    purl: Option<&str>,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<EnvelopeOutcome>, AttestationFailure> {
    let bytes = client
        .blob(reference, layer, MAX_ENVELOPE_BYTES, Limit::EnvelopeBytes)
        .await
        .map_err(AttestationFailure::Fetch)?;
    let mut subject = ExpectedSubject::digest(image_digest.as_str());
    if let Some(name) = purl {
        subject = subject.with_name(name);
    }
    // In the browser, WebCrypto checks the ES256 and RS256 signatures first (a fast path; the
    // core still verifies anything WebCrypto did not accept).
    #[cfg(target_arch = "wasm32")]
    let outcome = crate::webcrypto::verify_envelope(&bytes, subject, trust, policy, now).await;
    #[cfg(not(target_arch = "wasm32"))]
    let outcome = opk_verify::verify_envelope(&bytes, subject, trust, policy, now);
    outcome.map_err(AttestationFailure::Rejected)
}

/// The first failure, else unsigned-only, else a missing required predicate type.
fn verdict(
    reports: &[AttestationReport],
    image: &Digest,
    policy: &Policy,
) -> Option<RegistryError> {
    for r in reports {
        match &r.outcome {
            Some(Err(AttestationFailure::Fetch(e))) => return Some(e.clone()),
            Some(Err(AttestationFailure::Rejected(rej))) => {
                return Some(RegistryError::Verify(rej.error.clone()))
            }
            _ => {}
        }
    }
    let verified: Vec<&str> = reports
        .iter()
        .filter_map(|r| match &r.outcome {
            Some(Ok(v)) => Some(v.statement.predicate_type.as_str()),
            _ => None,
        })
        .collect();
    if verified.is_empty() {
        return Some(RegistryError::Unsigned {
            image: image.to_string(),
        });
    }
    check_required_predicates(policy, &verified)
        .err()
        .map(RegistryError::Verify)
}
