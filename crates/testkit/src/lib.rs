//! Test-only support for OPK Explorer's test suites (never shipped, `publish = false`).
//!
//! - [`forge`]: a test OpenID provider with a fixed RSA key, GQ proofs by the core's signer, PK
//!   tokens in every format, and BuildKit-style DSSE envelopes.
//! - [`ext_forge`]: OpenPubkey "Ext" envelopes logged in a test Rekor, with its trusted root.
//! - [`sigstore`]: a test Sigstore (CA, CT log, Rekor, trusted root) signing bundles v0.3;
//!   [`der`] the DER writer its certificates are made with; [`referrers`] signatures stored as
//!   OCI referrers, cosign tags and Notation referrers.
//! - [`image`]: 2-platform BuildKit-shaped images with signed provenance and SPDX attestations,
//!   as content-addressed blobs ready to push.
//! - Native only: [`registry`] starts Debian's `docker-registry` on 127.0.0.1 (with CORS headers,
//!   or token auth backed by [`token_issuer`]) and pushes fixtures through the registry API;
//!   [`hostile`] is a forwarding proxy that lies in one chosen way (on `opk-serve`, which
//!   idle browser connections cannot starve); [`redirect_front`] a registry
//!   front sending blobs to a store on another port that refuses credentials;
//!   [`referrers_front`] the OCI 1.1 referrers API in front of a registry without it; all
//!   forward through [`upstream`].

pub mod der;
pub mod ext_forge;
pub mod forge;
pub mod image;
pub mod referrers;
pub mod sigstore;
pub mod tarball;

#[cfg(not(target_arch = "wasm32"))]
pub mod hostile;
#[cfg(not(target_arch = "wasm32"))]
pub mod redirect_front;
#[cfg(not(target_arch = "wasm32"))]
pub mod referrers_front;
#[cfg(not(target_arch = "wasm32"))]
pub mod registry;
#[cfg(not(target_arch = "wasm32"))]
pub mod sigstore_demo;
#[cfg(not(target_arch = "wasm32"))]
pub mod token_issuer;
#[cfg(not(target_arch = "wasm32"))]
pub mod upstream;

/// Decodes lowercase or uppercase hex (test input only; panics on bad hex).
pub fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
