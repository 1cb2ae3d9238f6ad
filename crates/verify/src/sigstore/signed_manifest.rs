//! Attestations a Sigstore signature covers through the manifest that holds them. Docker's
//! github-builder signs each BuildKit attestation manifest A of a platform image P with cosign
//! (`sigstore.md` §1.5), not P: the bundle's statement must name A; A is the exact bytes given
//! (their digest is computed here); each unsigned in-toto layer A lists must be given, match its
//! descriptor (size and digest) and name P. Only then are those statements verified — by the
//! signature on the manifest that holds them.

use super::artifact::Artifact;
use super::keys::HashAlg;
use super::signatures::{Accepted, Signatures};
use super::verify::{pipeline, BundleOutcome, Context, SigstoreTrust};
use crate::intoto::Statement;
use crate::oci::{Digest, Manifest};
use crate::report::Checklist;
use crate::{hex, Policy, Rejected, UnixTime, Verified, VerifyError};

/// A verified signature on an attestation manifest, and the statements it covers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SignedManifest {
    /// The signature on the manifest (its statement names the manifest).
    pub signature: BundleOutcome,
    /// The manifest's digest, computed over the bytes given.
    pub manifest: String,
    /// The in-toto statements it holds, in manifest order, each naming the image.
    pub statements: Vec<Statement>,
    /// The checklist.
    pub checks: Vec<crate::Check>,
}

/// Verifies `bundle` as a signature on the attestation manifest `manifest` (its exact bytes),
/// and the manifest's unsigned in-toto layers (`layers`, their bytes in manifest order) as
/// statements about `image_sha256` (64 lowercase hex), under `trust` and `policy`.
#[allow(clippy::too_many_arguments)]
pub fn verify_signed_manifest(
    bundle: &[u8],
    manifest: &[u8],
    layers: &[&[u8]],
    image_sha256: &str,
    trust: &SigstoreTrust,
    policy: &Policy,
    now: UnixTime,
    accepted: &Accepted,
) -> Result<Verified<SignedManifest>, Rejected> {
    let sigs = Signatures::accepting(accepted);
    crate::verify::run(
        |ck| {
            let digest = Digest::of(manifest);
            let raw = hex::decode(digest.hex()).ok_or(VerifyError::InvalidField {
                what: "manifest digest",
                field: "sha256",
            })?;
            let artifact = Artifact::Digest(HashAlg::Sha256, &raw);
            let cx = Context::new(trust, policy, now, &sigs);
            let signature = pipeline(bundle, artifact, &cx, ck)?;
            let statements = covered(manifest, layers, image_sha256, ck)?;
            Ok(SignedManifest {
                signature,
                manifest: digest.to_string(),
                statements,
                checks: Vec::new(),
            })
        },
        |o, checks| o.checks = checks,
    )
}

fn covered(
    manifest: &[u8],
    layers: &[&[u8]],
    image_sha256: &str,
    ck: &mut Checklist,
) -> Result<Vec<Statement>, VerifyError> {
    let m = ck.step("manifest", Manifest::parse(manifest), |_| {
        "Parsed the signed attestation manifest".into()
    })?;
    let listed: Vec<_> = m
        .attestation_layers()
        .filter(|(_, signed)| !signed)
        .map(|(d, _)| d)
        .collect();
    if listed.is_empty() || listed.len() != layers.len() {
        return Err(ck.fail(
            "manifest.layers",
            VerifyError::UnsupportedFormat {
                reason:
                    "the signed manifest's in-toto layers and the layers given differ in number",
            },
        ));
    }
    let mut out = Vec::new();
    for (d, bytes) in listed.into_iter().zip(layers) {
        ck.step("manifest.layer", d.verify(bytes), |()| {
            format!("Verified layer {} against the signed manifest", d.digest)
        })?;
        let st = ck.step("statement", Statement::parse(bytes), |s| {
            format!("Verifying {} attestation", s.predicate_type)
        })?;
        ck.step(
            "subject",
            st.subject_with_sha256(image_sha256)
                .map(|_| ())
                .ok_or_else(|| VerifyError::SubjectMismatch {
                    expected: format!("sha256:{image_sha256}"),
                    found: st.named_digests(),
                }),
            |()| format!("Verified attestation refers to digest sha256:{image_sha256}"),
        )?;
        out.push(st);
    }
    Ok(out)
}
