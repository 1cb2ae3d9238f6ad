//! The static files the app serves from `public/` are what the verifier expects: the bundled
//! trust roots load, and the offline example verifies with its documented inputs.

use opk_verify::jose::Jwks;
use opk_verify::{KeySource, Policy, TrustRoots, UnixTime, GITHUB_ACTIONS_ISSUER};

const HISTORY: &[u8] = include_bytes!("../public/trust/github-actions.json");
const EXAMPLE: &[u8] = include_bytes!("../public/examples/go-reference-f0-provenance.dsse.json");
const EXAMPLE_JWKS: &[u8] =
    include_bytes!("../public/examples/go-reference-synthetic-op.jwks.json");
const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

#[test]
fn served_trust_history_is_the_embedded_one() {
    assert_eq!(HISTORY, opk_verify::trust::BUNDLED_GITHUB_HISTORY);
    let mut roots = TrustRoots::empty();
    roots.add_history(HISTORY, &KeySource::Bundled).unwrap();
    assert_eq!(roots.keys().len(), 8);
}

#[test]
fn offline_example_verifies_only_with_its_jwks() {
    let policy = Policy::builder()
        .repository_owner_id("145685596")
        .build()
        .unwrap();
    let now = UnixTime(1_795_000_000);
    let bundled = TrustRoots::bundled().unwrap();
    let err = opk_verify::verify_envelope(EXAMPLE, SUBJECT, &bundled, &policy, now).unwrap_err();
    assert_eq!(err.error.code(), "key_not_found");
    let mut trust = bundled;
    let jwks = Jwks::from_json(EXAMPLE_JWKS).unwrap();
    trust
        .add_jwks(
            GITHUB_ACTIONS_ISSUER,
            &jwks,
            &KeySource::UserSupplied {
                label: "example".into(),
            },
        )
        .unwrap();
    assert!(opk_verify::verify_envelope(EXAMPLE, SUBJECT, &trust, &policy, now).is_ok());
}
