//! `verify IMAGE`: fetch the image's index, pick the platform, find every attestation and
//! signature it has — BuildKit attestation manifests (OpenPubkey envelopes) and the signatures
//! kept as referrers or cosign tags (Sigstore bundles; cosign v2 and Notation listed) — verify
//! each against the platform manifest digest, then require the policy's predicate types from
//! the verified ones, whichever scheme signed them. The same function serves the CLI, the web
//! page and the JS API.

use futures_util::future::{join, join_all};
use opk_registry::{
    attestations, signature_lookups, Client, Found, Image, Reference, RegistryError, Resolved,
    Transport,
};
use opk_verify::limits::{Limit, MAX_ENVELOPE_BYTES};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::{check_required_predicates, EnvelopeOutcome, ExpectedSubject, Verified};

use crate::context::VerifyContext;
use crate::outcome::{AttestationFailure, Outcome, Scheme, State};
use crate::signature_reports::signature_reports;

/// One attestation or signature and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationReport {
    /// The scheme that signed it (`None` for an unsigned statement).
    pub scheme: Option<Scheme>,
    /// The manifest it is in (an attestation manifest, a referrer, a cosign tag's manifest).
    pub manifest: Digest,
    /// Where that manifest was listed.
    pub found: Found,
    /// Whether it signs the image index that lists the platform image (verified against the
    /// index's digest), not the platform image itself.
    pub on_index: bool,
    /// The layer (envelope, bundle, statement or signature).
    pub layer: Descriptor,
    /// The predicate type a listing claims (an unsigned hint), if any.
    pub predicate_hint: Option<String>,
    /// What became of it.
    pub outcome: Outcome,
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
    /// The subject name required of OpenPubkey statements for a tag reference.
    pub purl: Option<String>,
    /// Every attestation and signature: BuildKit's in index and manifest order, then the
    /// others in discovery order.
    pub attestations: Vec<AttestationReport>,
    /// `None` when everything signed verified and every required predicate type is present.
    pub error: Option<RegistryError>,
}

impl ImageVerdict {
    /// True when the image verified.
    pub fn verified(&self) -> bool {
        self.error.is_none()
    }

    /// The verdict's state.
    pub fn state(&self) -> State {
        self.error
            .as_ref()
            .map_or(State::Verified, State::of_attestation_error)
    }
}

/// Verifies the attestations and signatures of `reference` for `platform`. `Err` means
/// verification could not reach them (fetching, platform, none found or withheld).
pub async fn verify_image<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    platform: &str,
    cx: &VerifyContext<'_>,
) -> Result<ImageVerdict, RegistryError> {
    let image = Image::fetch(client, reference).await?;
    let target = image.image_for(platform)?;
    let purl = reference.purl(platform);
    // BuildKit's attestations are verified as soon as their manifests are in, beside the
    // search for other signatures (referrers, cosign tags), whose reports follow theirs.
    let (purl_ref, image_digest) = (purl.as_deref(), &target.digest);
    let opk = async {
        let sets = match attestations(client, &image, image_digest).await {
            Ok(sets) => sets,
            Err(RegistryError::AttestationNotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        // Every layer is fetched side by side; each is verified as soon as its bytes are in.
        let reports = join_all(sets.iter().flat_map(|set| {
            set.layers.iter().map(move |(layer, signed)| async move {
                let outcome = if *signed {
                    match verify_layer(client, reference, layer, image_digest, purl_ref, cx).await {
                        Ok(v) => Outcome::OpenPubkey(v),
                        Err(e) => Outcome::Failed(e),
                    }
                } else {
                    Outcome::Unsigned
                };
                AttestationReport {
                    scheme: signed.then_some(Scheme::OpenPubkey),
                    manifest: set.descriptor.digest.clone(),
                    found: set.found,
                    on_index: false,
                    layer: layer.clone(),
                    predicate_hint: layer.annotations.get("in-toto.io/predicate-type").cloned(),
                    outcome,
                }
            })
        }))
        .await;
        Ok((sets.is_empty(), reports))
    };
    // Each lookup's signatures are verified as soon as that lookup is in, not after the
    // slowest (a bundle's blob need not wait for cosign's tags to 404); the reports keep
    // discovery order, and the first lookup that failed is the error, as before.
    let others = async {
        let lookups = signature_lookups(client, &image, image_digest)?;
        let done = join_all(lookups.into_iter().map(|lookup| async move {
            let found = lookup.await?;
            let reports = signature_reports(client, reference, &found, image_digest, cx).await;
            Ok::<_, RegistryError>((found.len(), reports))
        }))
        .await;
        let (mut found, mut reports) = (0, Vec::new());
        for lookup in done {
            let (n, r) = lookup?;
            found += n;
            reports.extend(r);
        }
        Ok::<_, RegistryError>((found, reports))
    };
    let (opk, others) = join(opk, others).await;
    let (no_sets, mut reports) = opk?;
    let (found, others) = others?;
    if no_sets && found == 0 {
        return Err(RegistryError::AttestationNotFound {
            image: target.digest.to_string(),
        });
    }
    reports.extend(others);
    let error = verdict(&reports, &target.digest, cx);
    Ok(ImageVerdict {
        platform: platform.to_owned(),
        resolved: image.resolved,
        image_digest: target.digest,
        purl,
        attestations: reports,
        error,
    })
}

async fn verify_layer<T: Transport>(
    client: &Client<T>,
    reference: &Reference,
    layer: &Descriptor,
    image_digest: &Digest,
    purl: Option<&str>,
    cx: &VerifyContext<'_>,
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
    let outcome =
        crate::webcrypto::verify_envelope(&bytes, subject, cx.trust, cx.policy, cx.now).await;
    #[cfg(not(target_arch = "wasm32"))]
    let outcome = opk_verify::verify_envelope(&bytes, subject, cx.trust, cx.policy, cx.now);
    outcome.map_err(AttestationFailure::Rejected)
}

/// The first failure, else nothing verified (unsigned), else a missing required predicate type.
fn verdict(
    reports: &[AttestationReport],
    image: &Digest,
    cx: &VerifyContext<'_>,
) -> Option<RegistryError> {
    for r in reports {
        match &r.outcome {
            Outcome::Failed(AttestationFailure::Fetch(e)) => return Some(e.clone()),
            Outcome::Failed(AttestationFailure::Rejected(rej)) => {
                return Some(RegistryError::Verify(rej.error.clone()))
            }
            _ => {}
        }
    }
    // A signature nobody checked leaves the verdict open, whatever else verified.
    if reports
        .iter()
        .any(|r| matches!(r.outcome, Outcome::VerifierNotLoaded))
    {
        return Some(RegistryError::VerifierNotLoaded {
            image: image.to_string(),
        });
    }
    let verified: Vec<&str> = reports
        .iter()
        .flat_map(|r| r.outcome.verified_predicates())
        .collect();
    if verified.is_empty() {
        return Some(RegistryError::Unsigned {
            image: image.to_string(),
        });
    }
    check_required_predicates(cx.policy, &verified)
        .err()
        .map(RegistryError::Verify)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opk_verify::oci::Descriptor;
    use opk_verify::{Policy, TrustRoots, UnixTime};

    fn report(outcome: Outcome) -> AttestationReport {
        AttestationReport {
            scheme: Some(Scheme::Sigstore),
            manifest: Digest::of(b"referrer manifest"),
            found: Found::ReferrersTag,
            on_index: false,
            layer: Descriptor {
                media_type: "application/vnd.dev.sigstore.bundle.v0.3+json".into(),
                digest: Digest::of(b"bundle"),
                size: 6,
                annotations: Default::default(),
                platform: None,
                artifact_type: None,
            },
            predicate_hint: None,
            outcome,
        }
    }

    fn verdict_of(outcomes: Vec<Outcome>) -> Option<RegistryError> {
        let policy = Policy::builder().repository_owner_id("1").build().unwrap();
        let trust = TrustRoots::default();
        let sigstore = crate::LazySigstoreTrust::public_good();
        let cx = VerifyContext {
            trust: &trust,
            sigstore: &sigstore,
            policy: &policy,
            now: UnixTime(0),
            #[cfg(target_arch = "wasm32")]
            sigstore_verifier: &crate::sigstore_module::Linked,
        };
        let reports: Vec<_> = outcomes.into_iter().map(report).collect();
        verdict(&reports, &Digest::of(b"image"), &cx)
    }

    #[test]
    fn a_signature_nobody_checked_leaves_the_verdict_open_not_unsigned() {
        let image = Digest::of(b"image").to_string();
        let open = verdict_of(vec![Outcome::Unsigned, Outcome::VerifierNotLoaded]);
        assert_eq!(open, Some(RegistryError::VerifierNotLoaded { image }));
        let e = open.unwrap();
        assert_eq!(e.code(), "verifier_not_loaded");
        assert_eq!(State::of_attestation_error(&e), State::NotVerified);
        // Without it the same image reads unsigned: the variant is what changes the verdict.
        let unsigned = verdict_of(vec![Outcome::Unsigned]).unwrap();
        assert_eq!(unsigned.code(), "unsigned");
        assert_eq!(
            Outcome::VerifierNotLoaded.state(),
            crate::outcome::AttestationState::NotVerified
        );
    }

    #[test]
    fn a_signature_that_failed_outranks_one_nobody_checked() {
        let fetch = RegistryError::Http {
            url: "http://r.test/v2/x/blobs/sha256:00".into(),
            status: 500,
            detail: String::new(),
        };
        let failed = Outcome::Failed(AttestationFailure::Fetch(fetch.clone()));
        let v = verdict_of(vec![Outcome::VerifierNotLoaded, failed]);
        assert_eq!(v, Some(fetch));
    }
}
