//! Each Sigstore check both ways, beyond what sigstore-conformance's cases cover: a real bundle
//! verifies, and one change to it, to its trusted root or to the policy fails with the exact
//! error of the check it breaks — identity fields (owner id, repository, ref, commit, workflow
//! ref, SAN exact and prefix, issuer), the CA's and the log's windows, the CT logs, the SET,
//! the inclusion proof, the checkpoint, the timestamp, the artifact and the DSSE subject.

mod sigstore_cases;

use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{verify_bundle, Artifact, BundleOutcome, Signer, SigstoreTrust};
use opk_verify::{Policy, PolicyBuilder, UnixTime, Verified, VerifyError};
use serde_json::{json, Value};
use sigstore_cases::{CASES, DEFAULT_ARTIFACT};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const PUBLIC_GOOD: &[u8] =
    include_bytes!("../../../public/trust/sigstore/public-good.trusted_root.json");
const NOW: UnixTime = UnixTime(1_796_601_600);
const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";

fn case(name: &str) -> &'static sigstore_cases::Case {
    CASES.iter().find(|c| c.name == name).unwrap()
}

fn root_of(bytes: &[u8]) -> TrustedRoot {
    TrustedRoot::parse(
        bytes,
        RootSource::Bundled {
            label: "test".into(),
        },
    )
    .unwrap()
}

fn beacon() -> PolicyBuilder {
    Policy::builder().certificate_identity(BEACON)
}

fn verify(
    bundle: &[u8],
    artifact: &[u8],
    root: &[u8],
    policy: &Policy,
) -> Result<Verified<BundleOutcome>, VerifyError> {
    let trust = SigstoreTrust {
        root: root_of(root),
        keys: Vec::new(),
    };
    verify_bundle(bundle, Artifact::Bytes(artifact), &trust, policy, NOW).map_err(|r| r.error)
}

fn edit(bytes: &[u8], f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(bytes).unwrap();
    f(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// Flips one bit of the base64 field at `pointer` (decoded, flipped, encoded again).
fn flip(bytes: &[u8], pointer: &str, at: usize) -> Vec<u8> {
    edit(bytes, |v| {
        let field = v.pointer_mut(pointer).unwrap();
        let mut raw = opk_verify::b64::decode_dsse(field.as_str().unwrap(), "t").unwrap();
        let at = at.min(raw.len() - 1);
        raw[at] ^= 1;
        *field = json!(opk_verify::b64::encode_std(&raw));
    })
}

#[test]
fn identity_fields_both_ways() {
    let bundle = case("happy-path-v0.3").bundle;
    let ok = verify(
        bundle,
        DEFAULT_ARTIFACT,
        PUBLIC_GOOD,
        &beacon().build().unwrap(),
    )
    .unwrap();
    let Signer::Certificate { identity, .. } = &ok.signer else {
        panic!("a certificate signer")
    };
    assert_eq!(identity.san, BEACON);
    assert_eq!(
        identity.issuer,
        "https://token.actions.githubusercontent.com"
    );
    // Each GitHub claim Fulcio copied, as an OpenPubkey policy names it.
    for (rule, claim) in [
        ("repository_owner_id", "repository_owner_id"),
        ("repository", "repository"),
        ("ref", "ref"),
        ("sha", "sha"),
        ("workflow_ref", "workflow_ref"),
    ] {
        let actual = identity.claim(claim).unwrap().to_owned();
        let with = |value: &str| {
            let b = Policy::builder();
            let b = match rule {
                "repository_owner_id" => b.repository_owner_id(value),
                "repository" => b.repository(value),
                "ref" => b.git_ref(value),
                "sha" => b.commit(value),
                _ => b.workflow_ref(value),
            };
            verify(bundle, DEFAULT_ARTIFACT, PUBLIC_GOOD, &b.build().unwrap())
        };
        assert!(with(&actual).is_ok(), "{rule} = {actual}");
        assert_eq!(
            with(&format!("{actual}x")).unwrap_err(),
            VerifyError::PolicyViolation {
                rule: if rule == "sha" { "sha" } else { rule },
                expected: format!("{actual}x"),
                actual: actual.clone(),
            }
        );
    }
    assert_eq!(
        identity.claim("repository"),
        Some("sigstore-conformance/extremely-dangerous-public-oidc-beacon")
    );
    // The SAN: exact, an anchored prefix, and what they refuse.
    let prefix = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@";
    let p = Policy::builder()
        .certificate_identity_prefix(prefix)
        .build()
        .unwrap();
    assert!(verify(bundle, DEFAULT_ARTIFACT, PUBLIC_GOOD, &p).is_ok());
    for wrong in [
        Policy::builder().certificate_identity(format!("{BEACON}x")),
        Policy::builder()
            .certificate_identity_prefix("https://github.com/sigstore-conformance/other/"),
    ] {
        assert!(matches!(
            verify(
                bundle,
                DEFAULT_ARTIFACT,
                PUBLIC_GOOD,
                &wrong.build().unwrap()
            )
            .unwrap_err(),
            VerifyError::PolicyViolation {
                rule: "certificate identity",
                ..
            }
        ));
    }
    // A prefix must end with @ or / (never matching a longer owner or file name).
    assert!(Policy::builder()
        .certificate_identity_prefix("https://github.com/sigstore-conf")
        .build()
        .is_err());
    // The issuer must be allowed.
    let other_issuer = beacon()
        .issuer("https://accounts.google.com")
        .build()
        .unwrap();
    assert_eq!(
        verify(bundle, DEFAULT_ARTIFACT, PUBLIC_GOOD, &other_issuer).unwrap_err(),
        VerifyError::IssuerNotAllowed {
            issuer: "https://token.actions.githubusercontent.com".into()
        }
    );
}

#[test]
fn windows_logs_and_artifact_both_ways() {
    let bundle = case("happy-path-v0.3").bundle;
    let policy = beacon().build().unwrap();
    assert!(verify(bundle, DEFAULT_ARTIFACT, PUBLIC_GOOD, &policy).is_ok());
    // The certificate authority's window ends before the signing time.
    let ca_ended = edit(PUBLIC_GOOD, |r| {
        for ca in r["certificateAuthorities"].as_array_mut().unwrap() {
            ca["validFor"]["end"] = json!("2023-01-01T00:00:00Z");
        }
    });
    assert!(matches!(
        verify(bundle, DEFAULT_ARTIFACT, &ca_ended, &policy).unwrap_err(),
        VerifyError::OutsideValidity {
            what: "certificate authority",
            ..
        }
    ));
    // The log key's window ends before the integrated time.
    let log_ended = edit(PUBLIC_GOOD, |r| {
        r["tlogs"][0]["publicKey"]["validFor"]["end"] = json!("2023-01-01T00:00:00Z");
    });
    assert!(matches!(
        verify(bundle, DEFAULT_ARTIFACT, &log_ended, &policy).unwrap_err(),
        VerifyError::OutsideValidity {
            what: "transparency log key",
            ..
        }
    ));
    // Without CT logs in the root, no SCT is required; with another CT key, none verifies.
    let no_ct = edit(PUBLIC_GOOD, |r| r["ctlogs"] = json!([]));
    assert!(verify(bundle, DEFAULT_ARTIFACT, &no_ct, &policy).is_ok());
    let other_ct = edit(PUBLIC_GOOD, |r| {
        for l in r["ctlogs"].as_array_mut().unwrap() {
            l["logId"]["keyId"] = json!(opk_verify::b64::encode_std(&[7u8; 32]));
        }
    });
    assert_eq!(
        verify(bundle, DEFAULT_ARTIFACT, &other_ct, &policy).unwrap_err(),
        VerifyError::SctInvalid {
            reason: "no SCT from a trusted CT log"
        }
    );
    // A CT log whose id is right but whose key is another (the Rekor key): its SCT's signature
    // does not verify.
    let wrong_ct_key = edit(PUBLIC_GOOD, |r| {
        let rekor_key = r["tlogs"][0]["publicKey"]["rawBytes"].clone();
        for l in r["ctlogs"].as_array_mut().unwrap() {
            l["publicKey"]["rawBytes"] = rekor_key.clone();
        }
    });
    assert_eq!(
        verify(bundle, DEFAULT_ARTIFACT, &wrong_ct_key, &policy).unwrap_err(),
        VerifyError::SctInvalid {
            reason: "an SCT's signature does not verify"
        }
    );
    // Fulcio authorities of another instance (staging): no path to a trusted authority.
    let staging: Value =
        serde_json::from_slice(case("rekor2-happy-path").trusted_root.unwrap()).unwrap();
    let other_ca = edit(PUBLIC_GOOD, |r| {
        r["certificateAuthorities"] = staging["certificateAuthorities"].clone();
    });
    assert_eq!(
        verify(bundle, DEFAULT_ARTIFACT, &other_ca, &policy).unwrap_err(),
        VerifyError::ChainInvalid {
            reason: "no certificate of the authority issued the signing certificate"
        }
    );
    // Another artifact.
    assert!(matches!(
        verify(bundle, b"another artifact\n", PUBLIC_GOOD, &policy).unwrap_err(),
        VerifyError::DigestMismatch { .. }
    ));
    // A flipped signature: the signature fails first (the log entry names the original).
    let sig = flip(bundle, "/messageSignature/signature", 20);
    assert!(matches!(
        verify(&sig, DEFAULT_ARTIFACT, PUBLIC_GOOD, &policy).unwrap_err(),
        VerifyError::SignatureInvalid { .. }
    ));
    // The SET, an inclusion-proof hash, the checkpoint's signature.
    let set = flip(
        bundle,
        "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
        40,
    );
    assert_eq!(
        verify(&set, DEFAULT_ARTIFACT, PUBLIC_GOOD, &policy).unwrap_err(),
        VerifyError::SetInvalid
    );
    let proof = flip(
        bundle,
        "/verificationMaterial/tlogEntries/0/inclusionProof/hashes/0",
        3,
    );
    assert!(matches!(
        verify(&proof, DEFAULT_ARTIFACT, PUBLIC_GOOD, &policy).unwrap_err(),
        VerifyError::InclusionProofInvalid { .. }
    ));
    let checkpoint = edit(bundle, |v| {
        let cp = v
            .pointer_mut("/verificationMaterial/tlogEntries/0/inclusionProof/checkpoint/envelope")
            .unwrap();
        let text = cp.as_str().unwrap().to_owned();
        // The tree size in the note changed: the log's signature no longer covers it.
        let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        lines[1] = format!("{}", lines[1].parse::<u64>().unwrap() + 1);
        *cp = json!(lines.join("\n"));
    });
    assert!(matches!(
        verify(&checkpoint, DEFAULT_ARTIFACT, PUBLIC_GOOD, &policy).unwrap_err(),
        VerifyError::CheckpointInvalid { .. }
    ));
}

#[test]
fn timestamps_and_dsse_subjects_both_ways() {
    let rekor2 = case("rekor2-happy-path");
    let root = rekor2.trusted_root.unwrap();
    let artifact = rekor2.artifact.unwrap_or(DEFAULT_ARTIFACT);
    let policy = Policy::builder()
        .certificate_identity(
            rekor2
                .identity
                .map(|i| String::from_utf8_lossy(i).trim().to_owned())
                .unwrap_or_else(|| BEACON.to_owned()),
        )
        .build()
        .unwrap();
    let ok = verify(rekor2.bundle, artifact, root, &policy).unwrap();
    assert_eq!(ok.timestamps, 1);
    // A flipped byte near the end of the timestamp (its signature): refused.
    let ts = edit(rekor2.bundle, |v| {
        let f = v
            .pointer_mut("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp")
            .unwrap();
        let mut raw = opk_verify::b64::decode_dsse(f.as_str().unwrap(), "t").unwrap();
        let n = raw.len();
        raw[n - 5] ^= 1;
        *f = json!(opk_verify::b64::encode_std(&raw));
    });
    assert_eq!(
        verify(&ts, artifact, root, &policy).unwrap_err(),
        VerifyError::TimestampInvalid {
            reason: "the authority's signature does not verify"
        }
    );
    // The TSA's window ends before the timestamp.
    let tsa_ended = edit(root, |r| {
        for t in r["timestampAuthorities"].as_array_mut().unwrap() {
            t["validFor"]["end"] = json!("2020-01-01T00:00:00Z");
            t["validFor"]["start"] = json!("2019-01-01T00:00:00Z");
        }
    });
    assert!(matches!(
        verify(rekor2.bundle, artifact, &tsa_ended, &policy).unwrap_err(),
        VerifyError::OutsideValidity {
            what: "timestamp authority",
            ..
        }
    ));
    // A DSSE bundle about another subject.
    let dsse = case("rekor2-dsse-happy-path");
    let dsse_root = dsse.trusted_root.unwrap();
    let dsse_artifact = dsse.artifact.unwrap_or(DEFAULT_ARTIFACT);
    assert!(verify(dsse.bundle, dsse_artifact, dsse_root, &policy).is_ok());
    assert!(matches!(
        verify(dsse.bundle, b"not the subject", dsse_root, &policy).unwrap_err(),
        VerifyError::SubjectMismatch { .. }
    ));
}
