//! sigstore-conformance's bundle-verification suite (`test/assets/bundle-verify/`, the commit in
//! `vectors/sigstore-conformance/PROVENANCE.md`): every case gives its expected outcome — a
//! `_fail` case is refused, every other verifies — with the trust root it names (the
//! public-good root otherwise), its identity and issuer (or its key). Natively and, compiled to
//! wasm32, in headless Chromium. A case that fails to be rejected fails this test.

#[path = "common/sigstore_case.rs"]
mod sigstore_case;
mod sigstore_cases;

use opk_verify::sigstore::signatures::Accepted;
use opk_verify::sigstore::{
    signature_checks, verify_bundle, verify_bundle_accepting, Artifact, ArtifactHasher,
};
use sigstore_cases::{Case, CASES};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// How the artifact reaches the verifier.
#[derive(Clone, Copy)]
enum Given {
    /// Its bytes, as the conformance protocol gives them.
    Bytes,
    /// Its digests, hashed in pieces as a large file is read.
    Hashed,
}

/// Verifies one case as the conformance CLI protocol says; the error's code on failure.
fn run(case: &Case) -> Result<(), String> {
    run_given(case, Given::Bytes)
}

fn run_given(case: &Case, given: Given) -> Result<(), String> {
    let (trust, policy) = sigstore_case::setup(case)?;
    let bytes = sigstore_case::artifact(case);
    let mut hasher = ArtifactHasher::new();
    for piece in bytes.chunks(7) {
        hasher.update(piece);
    }
    let digests = hasher.finish();
    let artifact = match given {
        Given::Bytes => Artifact::Bytes(bytes),
        Given::Hashed => Artifact::Hashed(&digests),
    };
    verify_bundle(case.bundle, artifact, &trust, &policy, sigstore_case::NOW)
        .map(|_| ())
        .map_err(|r| format!("{}: {}", r.error.code(), r.error))
}

/// Why each `_fail` case must fail: the error code of the check its README names (a case
/// refused for another reason would hide a check that does not work).
const WHY: &[(&str, &str)] = &[
    ("bundle-empty-certificate-chain_fail", "certificate_invalid"),
    ("bundle-from-wrong-instance_fail", "tlog_entry_invalid"),
    ("bundle-invalid-base64-signature_fail", "bad_base64"),
    ("bundle-malformed-json_fail", "malformed_json"),
    ("bundle-negative-log-index_fail", "invalid_field"),
    ("bundle-unknown-version_fail", "unsupported_bundle_version"),
    ("bundle-with-root-cert_fail", "certificate_invalid"),
    ("checkpoint-bad-keyhint_fail", "checkpoint_invalid"),
    ("checkpoint-wrong-roothash_fail", "checkpoint_invalid"),
    ("dsse-invalid-sig_fail", "signature_invalid"),
    ("dsse-mismatch-envelope_fail", "tlog_body_mismatch"),
    ("dsse-mismatch-sig_fail", "tlog_body_mismatch"),
    (
        "inclusion-proof-corrupted-hash_fail",
        "inclusion_proof_invalid",
    ),
    ("incorrect-public-key_fail", "tlog_body_mismatch"),
    ("integrated-time-in-future_fail", "outside_validity"),
    ("intoto-expired-certificate_fail", "outside_validity"),
    ("intoto-log-entry-mismatch_fail", "tlog_body_mismatch"),
    (
        "intoto-missing-inclusion-proof_fail",
        "inclusion_proof_invalid",
    ),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        "outside_validity",
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "outside_validity",
    ),
    ("invalid-checkpoint-signature_fail", "checkpoint_invalid"),
    ("invalid-ct-key_fail", "sct_invalid"),
    ("invalid-inclusion-proof_fail", "inclusion_proof_invalid"),
    ("managed-key-no-key_fail", "unsupported_format"),
    // Its key.pub is not a key: refused before verifying.
    ("managed-key-wrong-key_fail", "key"),
    ("message-digest-mismatch_fail", "digest_mismatch"),
    (
        "rekor2-checkpoint-missing-log-signature_fail",
        "checkpoint_invalid",
    ),
    (
        "rekor2-checkpoint-missing-origin_fail",
        "checkpoint_invalid",
    ),
    (
        "rekor2-checkpoint-missing-root-hash_fail",
        "checkpoint_invalid",
    ),
    ("rekor2-checkpoint-missing-size_fail", "checkpoint_invalid"),
    (
        "rekor2-checkpoint-no-matching-signature_fail",
        "checkpoint_invalid",
    ),
    ("rekor2-dsse-invalid-sig_fail", "signature_invalid"),
    ("rekor2-dsse-mismatch-envelope_fail", "tlog_body_mismatch"),
    ("rekor2-dsse-mismatch-sig_fail", "tlog_body_mismatch"),
    ("rekor2-no-inclusion-proof_fail", "inclusion_proof_invalid"),
    ("rekor2-no-timestamp_fail", "no_verified_time"),
    (
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
        "outside_validity",
    ),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        "outside_validity",
    ),
    (
        "rekor2-timestamp-payload-mismatch_fail",
        "timestamp_invalid",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "timestamp_invalid",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        "timestamp_invalid",
    ),
    // Its timestamp's base64 is wrapped in newlines (`base64 response.tsr`): our base64 is
    // strict, so it is refused there, before its time is read.
    ("rekor2-timestamp-with-incorrect-time_fail", "bad_base64"),
    ("set-invalid-signature_fail", "set_invalid"),
    ("signature-mismatch_fail", "signature_invalid"),
    (
        "trust-root-tlog-missing-validity-start_fail",
        "trusted root: trusted_root_invalid",
    ),
    ("wrong-hashedrekord-artifact_fail", "tlog_body_mismatch"),
    ("wrong-hashedrekord-cert-and-sig_fail", "tlog_body_mismatch"),
    ("wrong-hashedrekord-entry_fail", "tlog_body_mismatch"),
    ("wrong-material_fail", "digest_mismatch"),
];

#[test]
fn every_conformance_case_gives_its_expected_outcome() {
    let mut wrong = Vec::new();
    for case in CASES {
        let must_fail = case.name.ends_with("_fail");
        let why = WHY.iter().find(|(n, _)| *n == case.name).map(|(_, w)| *w);
        match (must_fail, run(case)) {
            (false, Ok(())) => {}
            (true, Err(e)) => match why {
                Some(code) if e.starts_with(code) => {}
                Some(code) => {
                    wrong.push(format!("{}: should fail with {code}, got {e}", case.name))
                }
                None => wrong.push(format!(
                    "{}: no expected reason listed (got {e})",
                    case.name
                )),
            },
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

/// A file too large to hold is hashed as it is read: every case has the same outcome from its
/// streamed digests as from its bytes.
#[test]
fn every_case_has_the_same_outcome_from_streamed_digests() {
    let mut differ = Vec::new();
    for case in CASES {
        let (bytes, hashed) = (run(case), run_given(case, Given::Hashed));
        if bytes != hashed {
            differ.push(format!("{}: {bytes:?} vs {hashed:?}", case.name));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// The signatures a case's verification checks, as listed for another implementation: taking
/// the ones that verify (here checked by the core itself, as WebCrypto does in the browser:
/// `opk-registry`'s `sigstore_webcrypto.rs`) as already verified gives every case the same
/// outcome; the happy paths list the artifact's or envelope's signature, the chain's, the SCT,
/// the SET and the checkpoint.
#[test]
fn every_case_has_the_same_outcome_with_its_signatures_checked_elsewhere() {
    let mut differ = Vec::new();
    let mut listed = 0;
    for case in CASES {
        let Ok((trust, policy)) = sigstore_case::setup(case) else {
            continue;
        };
        let artifact = Artifact::Bytes(sigstore_case::artifact(case));
        let now = sigstore_case::NOW;
        let checks = signature_checks(case.bundle, artifact, &trust, &policy, now);
        listed += checks.len();
        let accepted = Accepted::new_unsafe(checks.into_iter().filter(|c| c.verify()).collect());
        let code = |r: Result<_, opk_verify::Rejected>| r.map(|_| ()).map_err(|r| r.error);
        let alone = code(verify_bundle(case.bundle, artifact, &trust, &policy, now));
        let with = code(verify_bundle_accepting(
            case.bundle,
            artifact,
            &trust,
            &policy,
            now,
            &accepted,
        ));
        if alone != with {
            differ.push(format!("{}: {alone:?} vs {with:?}", case.name));
        }
        if case.name == "happy-path-v0.3" {
            assert!(accepted.len() >= 5, "{}", accepted.len());
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert!(listed >= 150, "{listed} signatures listed over the suite");
}

#[test]
#[ignore = "prints every case's outcome"]
fn print_outcomes() {
    for case in CASES {
        println!("{:55} {:?}", case.name, run(case));
    }
}
