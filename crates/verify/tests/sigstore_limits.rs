//! Every Sigstore limit, one test each, on sigstore-conformance's real bundles grown one past
//! it: trusted root bytes and entries, bundle bytes, log entries and timestamps per bundle,
//! certificates per chain, inclusion-proof hashes, checkpoint bytes. One over fails with
//! `LimitExceeded` naming it, before the work it bounds; at the limit (where that is a
//! well-formed input) it parses. Natively and, in headless Chromium, on wasm32.

use opk_verify::limits::{self, Limit};
use opk_verify::sigstore::bundle::Bundle;
use opk_verify::sigstore::checkpoint::SignedNote;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::VerifyError;
use serde_json::{json, Value};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const ROOT: &[u8] = include_bytes!("../../../public/trust/sigstore/public-good.trusted_root.json");
const V01: &[u8] =
    include_bytes!("vectors/sigstore-conformance/happy-path-v0.1/bundle.sigstore.json");
const V03: &[u8] =
    include_bytes!("vectors/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json");

fn exceeded(limit: Limit) -> VerifyError {
    VerifyError::LimitExceeded { limit }
}

fn root(bytes: &[u8]) -> Result<TrustedRoot, VerifyError> {
    TrustedRoot::parse(
        bytes,
        RootSource::UserSupplied {
            label: "limits".into(),
        },
    )
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// `bytes` followed by white space up to `len` bytes.
fn padded(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.resize(len, b' ');
    out
}

/// The array at `pointer` made of `n` copies of its first element.
fn grown(doc: &[u8], pointer: &str, n: usize) -> Vec<u8> {
    let mut v = json_of(doc);
    let list = v.pointer_mut(pointer).unwrap();
    let first = list[0].clone();
    *list = Value::Array(vec![first; n]);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn trusted_root_bytes() {
    let max = limits::MAX_TRUSTED_ROOT_BYTES;
    assert!(root(&padded(ROOT, max)).is_ok());
    assert_eq!(
        root(&padded(ROOT, max + 1)).unwrap_err(),
        exceeded(Limit::TrustedRootBytes)
    );
}

#[test]
fn trusted_root_entries() {
    let max = limits::MAX_ROOT_ENTRIES;
    for list in [
        "/tlogs",
        "/ctlogs",
        "/certificateAuthorities",
        "/timestampAuthorities",
    ] {
        assert!(root(&grown(ROOT, list, max)).is_ok(), "{list}");
        assert_eq!(
            root(&grown(ROOT, list, max + 1)).unwrap_err(),
            exceeded(Limit::RootEntries),
            "{list}"
        );
    }
}

#[test]
fn certificates_per_chain() {
    let max = limits::MAX_CHAIN_CERTIFICATES;
    let path = "/verificationMaterial/x509CertificateChain/certificates";
    assert!(Bundle::parse(&grown(V01, path, max)).is_ok());
    assert_eq!(
        Bundle::parse(&grown(V01, path, max + 1)).unwrap_err(),
        exceeded(Limit::ChainCertificates)
    );
    // A trusted root's authority chain too.
    let root_path = "/certificateAuthorities/0/certChain/certificates";
    assert!(root(&grown(ROOT, root_path, max)).is_ok());
    assert_eq!(
        root(&grown(ROOT, root_path, max + 1)).unwrap_err(),
        exceeded(Limit::ChainCertificates)
    );
}

#[test]
fn bundle_bytes() {
    let max = limits::MAX_BUNDLE_BYTES;
    assert!(Bundle::parse(&padded(V03, max)).is_ok());
    assert_eq!(
        Bundle::parse(&padded(V03, max + 1)).unwrap_err(),
        exceeded(Limit::BundleBytes)
    );
}

#[test]
fn log_entries_and_timestamps_per_bundle() {
    let max = limits::MAX_BUNDLE_ENTRIES;
    let entries = "/verificationMaterial/tlogEntries";
    assert!(Bundle::parse(&grown(V03, entries, max)).is_ok());
    assert_eq!(
        Bundle::parse(&grown(V03, entries, max + 1)).unwrap_err(),
        exceeded(Limit::BundleEntries)
    );
    let with_timestamps = |n: usize| {
        let mut v = json_of(V03);
        let ts = json!({"signedTimestamp": "MAA="});
        v["verificationMaterial"]["timestampVerificationData"] =
            json!({ "rfc3161Timestamps": vec![ts; n] });
        serde_json::to_vec(&v).unwrap()
    };
    assert!(Bundle::parse(&with_timestamps(max)).is_ok());
    assert_eq!(
        Bundle::parse(&with_timestamps(max + 1)).unwrap_err(),
        exceeded(Limit::BundleEntries)
    );
}

#[test]
fn inclusion_proof_hashes() {
    let max = limits::MAX_PROOF_HASHES;
    let hashes = "/verificationMaterial/tlogEntries/0/inclusionProof/hashes";
    assert!(Bundle::parse(&grown(V03, hashes, max)).is_ok());
    assert_eq!(
        Bundle::parse(&grown(V03, hashes, max + 1)).unwrap_err(),
        exceeded(Limit::ProofHashes)
    );
}

#[test]
fn checkpoint_bytes() {
    let v = json_of(V03);
    let real = v["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]
        ["envelope"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(SignedNote::parse(&real).is_ok());
    // A note padded with more signature lines, one byte over.
    let line = real.lines().last().unwrap();
    let mut big = real.clone();
    while big.len() <= limits::MAX_CHECKPOINT_BYTES {
        big.push_str(line);
        big.push('\n');
    }
    assert_eq!(
        SignedNote::parse(&big).unwrap_err(),
        exceeded(Limit::CheckpointBytes)
    );
}
