//! # opk-verify
//!
//! Pure, byte-exact verification of OpenPubkey PK tokens and of the OPK-signed DSSE/in-toto
//! attestations that Docker's BuildKit fork wrote (formats F0–F3, see `shared/spec/openpubkey.md`).
//!
//! No I/O, no clock, no randomness: bytes, trust roots, policy and the current time are
//! arguments, so the same code runs natively (the `opk` CLI) and in the browser (wasm32).
//!
//! Entry points: [`verify_envelope`], [`verify_pk_token`], [`verify_jwt`]. Each returns a
//! [`Verified`] outcome, which only this crate can build, or a [`Rejected`] with a
//! [`VerifyError`] (stable [`VerifyError::code`]) and the ordered checklist that ran.
//!
//! Callers must still: compute the subject digest themselves over the manifest bytes they
//! fetched (never trust a registry header or annotation), choose a [`Policy`] naming the signer
//! identity, and decide which extra JWKS to trust on top of the bundled key history.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod b64;
pub mod claimed;
pub mod dsse;
mod error;
pub mod gq;
pub mod hex;
pub mod intoto;
pub mod jose;
pub mod json;
pub mod limits;
pub mod oci;
pub mod opk_ext;
pub mod pktoken;
pub mod policy;
pub mod prechecked;
pub mod report;
pub mod setup;
pub mod sign;
pub mod sigstore;
pub mod time;
pub mod trust;
mod verified;
mod verify;

pub use error::VerifyError;
pub use intoto::ExpectedSubject;
pub use pktoken::Format;
pub use policy::{Policy, PolicyBuilder, PolicyError};
pub use report::{Check, Rejected};
pub use time::UnixTime;
pub use trust::{JwksFile, KeySource, TrustRoots, DEV_ISSUER_MEMBER, GITHUB_ACTIONS_ISSUER};
pub use verified::Verified;
pub use verify::{
    check_required_predicates, verify_envelope, verify_envelope_prechecked, verify_jwt,
    verify_pk_token, verify_token, verify_token_prechecked, EnvelopeOutcome, KeyInfo, TokenOutcome,
};

/// This crate's version, shown by the CLI and the page.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
