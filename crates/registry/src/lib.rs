//! # opk-registry
//!
//! The OCI distribution side of OPK Explorer, shared by the CLI and the browser. Nothing a
//! registry or proxy says is trusted: content is addressed by digest and checked by `opk-verify`.
//!
//! - [`Reference`]: image references parsed the way docker and crane parse them.
//! - [`Client`]: manifests, blobs, tag resolution, the token flow and referrers over any
//!   [`Transport`] ([`NativeTransport`] with ureq, [`BrowserTransport`] with fetch), routed
//!   directly or through an untrusted CORS proxy ([`Route`]).
//! - [`Image`] and [`attestations`]: an image's platforms and attestation manifests;
//!   [`signatures`]: its Sigstore, cosign and Notation signatures wherever they are kept.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod auth;
mod blob_stream;
mod client;
mod discover;
mod error;
mod progress;
pub mod redirect;
mod reference;
mod referrers;
mod route;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod scripted;
mod shared_listing;
mod signature_discovery;
mod tags;
mod transport;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod native;

pub use auth::{Challenge, Credentials};
pub use client::{Client, DigestCheck, FetchRecord, Resolved, ACCEPT_MANIFESTS};
pub use discover::{attestations, parse_top_level, AttestationManifest, Found, Image, TopLevel};
pub use error::RegistryError;
pub use reference::{is_loopback_host, Reference, ReferenceError, Scheme};
pub use referrers::{Referrers, ReferrersSource};
pub use route::Route;
pub use signature_discovery::{
    signature_lookups, signatures, FoundSignature, SignatureKind, SignatureLookup, SignedSubject,
};
pub use tags::{TagsPage, TAGS_PAGE_SIZE};
pub use transport::{
    BodySink, Method, Request, Response, Transport, TransportError, MAX_ERROR_BODY,
};

#[cfg(target_arch = "wasm32")]
pub use browser::BrowserTransport;
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeTransport;
