//! sigstore-conformance's bundle-verification suite (`test/assets/bundle-verify/`, the commit in
//! `vectors/sigstore-conformance/PROVENANCE.md`): every case gives its expected outcome — a
//! `_fail` case is refused, every other verifies — with the trust root it names (the
//! public-good root otherwise), its identity and issuer (or its key). Natively and, compiled to
//! wasm32, in headless Chromium. A case that fails to be rejected fails this test.

mod sigstore_cases;

use opk_verify::sigstore::keys::PublicKey;
use opk_verify::sigstore::pem;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust, TrustedKey};
use opk_verify::{Policy, UnixTime};
use sigstore_cases::{Case, CASES, DEFAULT_ARTIFACT};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const PUBLIC_GOOD: &[u8] =
    include_bytes!("../../../public/trust/sigstore/public-good.trusted_root.json");
const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The suite's "now": the day these cases were last run (the verifier reads no clock).
const NOW: UnixTime = UnixTime(1_796_601_600); // 2026-12-07

fn text(bytes: Option<&[u8]>, default: &str) -> String {
    bytes
        .map(|b| String::from_utf8_lossy(b).trim().to_owned())
        .unwrap_or_else(|| default.to_owned())
}

/// Verifies one case as the conformance CLI protocol says; the error's code on failure.
fn run(case: &Case) -> Result<(), String> {
    let root = TrustedRoot::parse(
        case.trusted_root.unwrap_or(PUBLIC_GOOD),
        RootSource::Bundled {
            label: case.name.into(),
        },
    )
    .map_err(|e| format!("trusted root: {}", e.code()))?;
    let mut keys = Vec::new();
    let policy = match case.key {
        Some(pem_text) => {
            let (_, spki) = pem::decode(&String::from_utf8_lossy(pem_text)).ok_or("key.pub")?;
            keys.push(TrustedKey {
                label: "key.pub".into(),
                key: PublicKey::from_spki_der(&spki).map_err(|e| e.code().to_owned())?,
                spki,
                valid_for: None,
            });
            Policy::builder().trusted_key_only().build()
        }
        None => Policy::builder()
            .issuer(text(case.issuer, DEFAULT_ISSUER))
            .certificate_identity(text(case.identity, DEFAULT_IDENTITY))
            .build(),
    }
    .map_err(|e| e.to_string())?;
    let trust = SigstoreTrust { root, keys };
    let artifact = Artifact::Bytes(case.artifact.unwrap_or(DEFAULT_ARTIFACT));
    verify_bundle(case.bundle, artifact, &trust, &policy, NOW)
        .map(|_| ())
        .map_err(|r| format!("{}: {}", r.error.code(), r.error))
}

#[test]
fn every_conformance_case_gives_its_expected_outcome() {
    let mut wrong = Vec::new();
    for case in CASES {
        let must_fail = case.name.ends_with("_fail");
        match (must_fail, run(case)) {
            (false, Ok(())) | (true, Err(_)) => {}
            (false, Err(e)) => wrong.push(format!("{}: should verify, got {e}", case.name)),
            (true, Ok(())) => wrong.push(format!("{}: should fail, verified", case.name)),
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases wrong (sigstore-conformance {}):\n{}",
        wrong.len(),
        CASES.len(),
        sigstore_cases::COMMIT,
        wrong.join("\n")
    );
}

#[test]
#[ignore = "prints every case's outcome"]
fn print_outcomes() {
    for case in CASES {
        println!("{:55} {:?}", case.name, run(case));
    }
}
