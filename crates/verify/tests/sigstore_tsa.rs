//! RFC 3161 timestamps from the test Sigstore's authority (`opk_testkit::sigstore::tsa`)
//! against the core: a bundle whose log entry has no signed entry timestamp (as cosign v3
//! writes them for Rekor v2) takes its signing time from the authority alone; each part of the
//! token, the authority's certificates and the root's entry for it is load-bearing, and its
//! mutation fails with the exact error.

use opk_testkit::image::statement;
use opk_testkit::sigstore::bundle::{self, Timing};
use opk_testkit::sigstore::{fulcio, root, tsa};
use opk_verify::b64::encode_std as b64;
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{verify_bundle, Artifact, BundleOutcome, SigstoreTrust, TimeWitness};
use opk_verify::{hex, Policy, UnixTime, VerifyError};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// 2026-12-07T00:00:00Z: the certificate is issued (valid ten minutes).
const AT: i64 = 1_796_601_600;
/// The authority stamps the signature 30 s later.
const STAMPED: i64 = AT + 30;
const NOW: UnixTime = UnixTime(AT + 3600);
const IMAGE: &str = "1f0d8b3c4e5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn statement_bytes() -> Vec<u8> {
    statement(
        "https://spdx.dev/Document",
        "pkg:docker/openpubkey/demo@latest?platform=linux%2Famd64",
        IMAGE,
    )
}

fn stamped_bundle(at: i64) -> Vec<u8> {
    bundle::dsse_timed(
        &statement_bytes(),
        &fulcio::Identity::demo(),
        AT,
        Timing::Authority(at),
    )
}

fn policy() -> Policy {
    fulcio::Identity::demo_policy_builder().build().unwrap()
}

fn trust(root_json: &[u8]) -> SigstoreTrust {
    SigstoreTrust {
        root: TrustedRoot::parse(
            root_json,
            RootSource::Dev {
                label: "opk test Sigstore".into(),
            },
        )
        .unwrap(),
        keys: Vec::new(),
    }
}

fn root_json() -> Value {
    serde_json::from_slice(&root::trusted_root()).unwrap()
}

fn verify(bundle: &[u8], root: &Value) -> Result<BundleOutcome, VerifyError> {
    let d = hex::decode(IMAGE).unwrap();
    verify_bundle(
        bundle,
        Artifact::Digest(HashAlg::Sha256, &d),
        &trust(root.to_string().as_bytes()),
        &policy(),
        NOW,
    )
    .map(|v| v.into_inner())
    .map_err(|r| r.error)
}

/// The bundle with its one timestamp replaced by `der`.
fn with_timestamp(der: &[u8]) -> Vec<u8> {
    let mut b: Value = serde_json::from_slice(&stamped_bundle(STAMPED)).unwrap();
    b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
        ["signedTimestamp"] = Value::String(b64(der));
    b.to_string().into_bytes()
}

/// The bundle's DSSE signature (what the authority stamps).
fn dsse_signature() -> Vec<u8> {
    let b: Value = serde_json::from_slice(&stamped_bundle(STAMPED)).unwrap();
    let sig = b["dsseEnvelope"]["signatures"][0]["sig"].as_str().unwrap();
    opk_verify::b64::decode_dsse(sig, "sig").unwrap()
}

fn timestamp_invalid(reason: &'static str) -> VerifyError {
    VerifyError::TimestampInvalid { reason }
}

#[test]
fn the_signing_time_comes_from_the_authority_alone() {
    let out = verify(&stamped_bundle(STAMPED), &root_json()).unwrap();
    assert_eq!(out.timestamps, 1);
    assert_eq!(out.time_witness, TimeWitness::TimestampAuthority);
    assert_eq!(out.signed_at, vec!["2026-12-07T00:00:30Z".to_owned()]);
    assert_eq!(
        out.log_entries,
        vec![("https://rekor.opk.test".to_owned(), 4)]
    );
    let ids: Vec<&str> = out.checks.iter().map(|c| c.id).collect();
    assert!(ids.contains(&"timestamp"), "{ids:?}");
    // Without its timestamp the bundle has no verified time at all.
    let mut b: Value = serde_json::from_slice(&stamped_bundle(STAMPED)).unwrap();
    b["verificationMaterial"]
        .as_object_mut()
        .unwrap()
        .remove("timestampVerificationData");
    assert_eq!(
        verify(b.to_string().as_bytes(), &root_json()).unwrap_err(),
        VerifyError::NoVerifiedTime {
            reason: "neither a verified signed entry timestamp nor an RFC 3161 timestamp"
        }
    );
}

#[test]
fn a_root_without_the_authority_refuses_its_timestamps() {
    let mut r = root_json();
    r.as_object_mut().unwrap().remove("timestampAuthorities");
    assert_eq!(
        verify(&stamped_bundle(STAMPED), &r).unwrap_err(),
        timestamp_invalid("no trusted timestamp authority signed it")
    );
    // Another leaf pinned in the authority's place.
    let mut r = root_json();
    let other = p256::ecdsa::SigningKey::from_slice(&[78u8; 32]).unwrap();
    r["timestampAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] =
        Value::String(b64(&tsa::leaf_certificate_with(&other, true)));
    assert_eq!(
        verify(&stamped_bundle(STAMPED), &r).unwrap_err(),
        timestamp_invalid("the authority's signature does not verify")
    );
}

#[test]
fn a_timestamp_over_another_signature_is_refused() {
    let der = tsa::timestamp(b"another signature", STAMPED);
    assert_eq!(
        verify(&with_timestamp(&der), &root_json()).unwrap_err(),
        timestamp_invalid("the timestamp is over another signature")
    );
}

#[test]
fn a_changed_token_is_refused() {
    // TSTInfo changed after signing (its time one second later).
    let mut der = tsa::timestamp(&dsse_signature(), STAMPED);
    let at = der
        .windows(15)
        .position(|w| w == b"20261207000030Z")
        .unwrap();
    der[at + 13] = b'1';
    assert_eq!(
        verify(&with_timestamp(&der), &root_json()).unwrap_err(),
        timestamp_invalid("the signed attributes' digest is not the TSTInfo's")
    );
    // Signed by a key that is not the authority's.
    let other = p256::ecdsa::SigningKey::from_slice(&[79u8; 32]).unwrap();
    let der = tsa::response_with(
        &tsa::tst_info(&dsse_signature(), STAMPED),
        &other,
        &tsa::leaf_certificate(),
    );
    assert_eq!(
        verify(&with_timestamp(&der), &root_json()).unwrap_err(),
        timestamp_invalid("the authority's signature does not verify")
    );
    // Not DER at all.
    assert_eq!(
        verify(&with_timestamp(b"\x30\x03\x02\x01"), &root_json()).unwrap_err(),
        timestamp_invalid("not a well-formed RFC 3161 response")
    );
}

#[test]
fn the_authority_certificate_must_be_for_time_stamping_only() {
    let leaf = tsa::leaf_certificate_with(&tsa::leaf_key(), false);
    let mut r = root_json();
    r["timestampAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"] =
        Value::String(b64(&leaf));
    let der = tsa::response_with(
        &tsa::tst_info(&dsse_signature(), STAMPED),
        &tsa::leaf_key(),
        &leaf,
    );
    assert_eq!(
        verify(&with_timestamp(&der), &r).unwrap_err(),
        VerifyError::CertificateInvalid {
            reason: "time-stamping extended key usage is not critical"
        }
    );
}

#[test]
fn the_time_must_fall_in_every_window() {
    // After the signing certificate expired (ten minutes after issue).
    assert_eq!(
        verify(&stamped_bundle(AT + 601), &root_json()).unwrap_err(),
        VerifyError::OutsideValidity {
            what: "signing certificate",
            time: "2026-12-07T00:10:01Z".into(),
        }
    );
    // Outside the window the root gives the authority.
    let mut r = root_json();
    r["timestampAuthorities"][0]["validFor"]["end"] = Value::String("2026-12-01T00:00:00Z".into());
    assert_eq!(
        verify(&stamped_bundle(STAMPED), &r).unwrap_err(),
        VerifyError::OutsideValidity {
            what: "timestamp authority",
            time: "2026-12-07T00:00:30Z".into(),
        }
    );
}
