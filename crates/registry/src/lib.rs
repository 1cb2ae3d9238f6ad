//! # opk-registry
//!
//! The OCI distribution side of OPK Explorer, shared by the CLI and the browser. Nothing a
//! registry or proxy says is trusted: content is addressed by digest and checked by `opk-verify`.
//!
//! Today: [`Reference`], image references parsed the way docker and crane parse them. The
//! fetching client (native and wasm32 transports), token flow, referrers and the proxy follow.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod reference;

pub use reference::{Reference, ReferenceError, Scheme};
