//! Shared fixtures: the vectors (embedded with include_bytes!, so the same tests can run on
//! wasm32), trust roots and policies. Provenance of every file: vectors/PROVENANCE.md.
#![allow(dead_code)]

use opk_verify::jose::Jwks;
use opk_verify::{KeySource, Policy, TrustRoots, UnixTime, GITHUB_ACTIONS_ISSUER};

pub const DSSE_PROVENANCE: &[u8] = include_bytes!("../vectors/dsse_provenance.json");
pub const DSSE_SPDX: &[u8] = include_bytes!("../vectors/dsse_spdx.json");
pub const SYNTHETIC_JWKS: &[u8] = include_bytes!("../vectors/synthetic_op_jwks.json");
pub const SYNTHETIC_IDTOKENS: &str = include_str!("../vectors/synthetic_op_issued_idtokens.txt");
pub const GQ_OVER_REAL_2022: &str =
    include_str!("../vectors/gq_dfa5678_over_real_github_idtoken_2022-08.jwt");
pub const GH_TOKEN_2022: &str = include_str!("../vectors/github_idtoken_2022-08_stepsecurity.jwt");
pub const GH_TOKEN_2023_10: &str = include_str!("../vectors/github_idtoken_2023-10_qoomon.jwt");
pub const GH_TOKEN_2023_12: &str = include_str!("../vectors/github_idtoken_2023-12_csas-ops.jwt");
pub const GH_JWKS_2022: &[u8] = include_bytes!("../vectors/github_jwks_2022-08_stepsecurity.json");
pub const GH_JWKS_2025_05: &[u8] = include_bytes!("../vectors/github_jwks_2025-05_cratesio.json");
pub const GOOGLE_JWKS: &[u8] = include_bytes!("../vectors/google_jwk_6083dd59_from_sui.json");
pub const GOOGLE_PKT_0529: &[u8] = include_bytes!(
    "../vectors/google_pktoken_2023-05-29_openpubkey_initial_commit_ca_test.compact"
);
pub const GOOGLE_PKT_0531: &[u8] = include_bytes!(
    "../vectors/google_pktoken_2023-05-31_openpubkey_initial_commit_signer_test.compact"
);
pub const F1_PKT: &[u8] =
    include_bytes!("../vectors/signed-attestation_tl_test_pktoken_from_cert_ski.json");
pub const F1_PAE: &[u8] = include_bytes!("../vectors/signed-attestation_tl_test_pae.txt");
pub const ISO_GQ: &[u8] = include_bytes!("../vectors/gq_iso14888-2_vector.json");

pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// The platform manifest digest both Go-reference statements name.
pub const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
/// A fixed "now" (2026-11-25): verification never reads a clock.
pub const NOW: UnixTime = UnixTime(1_795_000_000);

/// Bundled history plus the synthetic Go-reference key for the GitHub issuer.
pub fn trust_synthetic() -> TrustRoots {
    let mut t = TrustRoots::bundled().unwrap();
    let jwks = Jwks::from_json(SYNTHETIC_JWKS).unwrap();
    t.add_jwks(
        GITHUB_ACTIONS_ISSUER,
        &jwks,
        &KeySource::UserSupplied {
            label: "synthetic_op_jwks.json".into(),
        },
    )
    .unwrap();
    t
}

pub fn trust_google() -> TrustRoots {
    let mut t = TrustRoots::bundled().unwrap();
    let jwks = Jwks::from_json(GOOGLE_JWKS).unwrap();
    t.add_jwks(
        GOOGLE_ISSUER,
        &jwks,
        &KeySource::UserSupplied {
            label: "google".into(),
        },
    )
    .unwrap();
    t
}

pub fn demo_policy() -> Policy {
    Policy::builder()
        .repository_owner_id("145685596")
        .repository("openpubkey/demo")
        .build()
        .unwrap()
}

pub fn any_github() -> Policy {
    Policy::builder().any_identity_unsafe().build().unwrap()
}

pub fn any_google() -> Policy {
    Policy::builder()
        .issuer(GOOGLE_ISSUER)
        .any_identity_unsafe()
        .build()
        .unwrap()
}

#[allow(unused_imports)]
pub use opk_testkit::hex_decode;

/// The PK token JSON inside an envelope's first signature.
pub fn pk_token_of(envelope: &[u8]) -> Vec<u8> {
    let env = opk_verify::dsse::Envelope::parse(envelope).unwrap();
    env.signatures[0].sig.clone()
}
#[allow(unused_imports)]
pub use opk_testkit::forge;

/// Runs `check` on each GQ arithmetic: natively crypto-bigint's `U2048` (what the CLI runs)
/// and the exact-`f64` ring every browser runs; on wasm32 there is only the f64 ring.
pub fn on_every_ring(check: impl Fn()) {
    let all: &[opk_verify::gq::Arithmetic] = if cfg!(target_arch = "wasm32") {
        &[opk_verify::gq::Arithmetic::Fastest]
    } else {
        &opk_verify::gq::Arithmetic::ALL
    };
    for a in all {
        opk_verify::gq::with_arithmetic(*a, &check);
    }
}
