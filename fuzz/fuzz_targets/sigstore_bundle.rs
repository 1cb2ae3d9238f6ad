//! Sigstore bundles through parsing and the whole pipeline (Rekor entries, checkpoints, RFC 3161
//! timestamps, chains, SCTs) under the public-good root: never a panic, never accepted — no
//! bundle signs the artifact `fuzz` (seeded with sigstore-conformance's bundles).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust};
use opk_verify::Policy;
use std::sync::OnceLock;

fn trust() -> &'static SigstoreTrust {
    static T: OnceLock<SigstoreTrust> = OnceLock::new();
    T.get_or_init(|| SigstoreTrust {
        root: common::public_good().clone(),
        keys: Vec::new(),
    })
}

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        Policy::builder()
            .any_identity_unsafe()
            .build()
            .expect("policy")
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = opk_verify::sigstore::bundle::Bundle::parse(data);
    let r = verify_bundle(
        data,
        Artifact::Bytes(b"fuzz"),
        trust(),
        policy(),
        common::SIGSTORE_NOW,
    );
    assert!(r.is_err(), "a fuzzed bundle verified");
});
