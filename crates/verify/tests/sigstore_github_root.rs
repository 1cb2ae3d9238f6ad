//! The bundled GitHub trusted root (`public/trust/sigstore/github.trusted_root.json`) on a real
//! bundle GitHub's instance signed: the release attestation in cli/cli's test data (provenance
//! in `vectors/PROVENANCE.md`). Its RFC 3161 timestamp verifies against GitHub's timestamp
//! authority and its certificate chains to `fulcio.githubapp.com` at that time — evidence the
//! bundled root holds GitHub's real authorities. Release attestations are signed by GitHub
//! itself, not through OIDC: the certificate has no OIDC issuer, so no identity policy accepts
//! it (the exact error, after those checks passed). Under the public-good root, whose
//! instance logs everything, a bundle with no log entry is refused first. Natively and in
//! headless Chromium.

use opk_verify::sigstore::trusted_root::TrustedRoot;
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust};
use opk_verify::{hex, Policy, UnixTime, VerifyError};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const BUNDLE: &[u8] = include_bytes!("vectors/github-release/github_release_bundle.json");
/// The statement's subject `artifact.zip`.
const SUBJECT: &str = "e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3";
const NOW: UnixTime = UnixTime(1_796_601_600);

fn verify(root: TrustedRoot) -> opk_verify::Rejected {
    let digest = hex::decode(SUBJECT).unwrap();
    let policy = Policy::builder().any_identity_unsafe().build().unwrap();
    let trust = SigstoreTrust {
        root,
        keys: Vec::new(),
    };
    verify_bundle(
        BUNDLE,
        Artifact::Digest(opk_verify::sigstore::keys::HashAlg::Sha256, &digest),
        &trust,
        &policy,
        NOW,
    )
    .unwrap_err()
}

#[test]
fn githubs_timestamp_authority_and_ca_verify_a_release_attestation() {
    let root = TrustedRoot::github().unwrap();
    assert_eq!(root.tlogs.len(), 0);
    assert_eq!(root.certificate_authorities.len(), 6);
    let r = verify(root);
    let passed: Vec<&str> = r
        .checks
        .iter()
        .filter(|c| c.ok)
        .map(|c| c.message.as_str())
        .collect();
    assert!(
        passed.contains(&"Verified RFC 3161 timestamp 2025-05-30T20:13:39Z"),
        "{passed:?}"
    );
    assert!(
        passed.contains(
            &"Verified the certificate chain to fulcio.githubapp.com at every verified time"
        ),
        "{passed:?}"
    );
    assert_eq!(
        r.error,
        VerifyError::CertificateInvalid {
            reason: "no OIDC issuer extension"
        }
    );
}

#[test]
fn the_public_good_root_does_not_vouch_for_github() {
    let r = verify(TrustedRoot::public_good().unwrap());
    assert_eq!(
        r.error,
        VerifyError::TlogEntryInvalid {
            reason: "no transparency log entry (the trusted root has logs)"
        }
    );
}
