//! # opk-pipeline
//!
//! From an image reference to verified results, for every front end (the CLI, the web page, the
//! JS API and `<opk-verify>`): `opk-registry` fetches and discovers (every object digest-checked),
//! `opk-verify` decides, and this crate runs the steps in order and reports what they found.
//!
//! - [`verify_image`]: one platform's attestations fetched and verified, with the policy's
//!   required predicate types.
//! - [`inspect_image`]: an image's structure, attestations and signatures, as JSON.
//! - [`report`]: the verdict as `docker verify`'s lines and as the `--json` object.
//! - [`explain`]: a failure in the reader's words (what it means, what to do).
//! - [`LazySigstoreTrust`]: the Sigstore trusted root, parsed when a signature first needs it.
//! - `sigstore_module` (wasm32): where the core's Sigstore verification runs — linked in, or
//!   (the web app's) a second module loaded on first use.
//! - `webcrypto` (wasm32): the browser's fast path — WebCrypto checks ES256/RS256/ECDSA
//!   signatures first, the core verifies whatever it did not accept.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod context;
pub mod explain;
mod inspect;
mod outcome;
pub mod report;
pub mod signature_reports;
#[cfg(target_arch = "wasm32")]
pub mod sigstore_module;
mod sigstore_trust;
mod verify_image;
#[cfg(target_arch = "wasm32")]
pub mod webcrypto;

pub use context::VerifyContext;
pub use inspect::inspect_image;
pub use outcome::{AttestationFailure, AttestationState, Outcome, Scheme, State};
pub use sigstore_trust::{LazySigstoreTrust, TrustUnavailable};
pub use verify_image::{verify_image, AttestationReport, ImageVerdict};
