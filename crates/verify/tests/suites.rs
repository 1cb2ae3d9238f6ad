//! opk-verify's native suites as one test binary: one compile and one link instead of one per
//! file (21 binaries, each compiled at the crate's `opt-level = 2`, measured 2026-12-07: about
//! 49 s of the 2-core machine's CPU in `cargo test --workspace`). Each file stays a suite of its
//! own (`cargo test -p opk-verify --test suites mutations::` runs one). `tests/memory.rs` is its
//! own binary natively: its counting allocator must see one test at a time, and the suites here
//! run in parallel threads. In Chromium the suites run as `tests/chromium.rs`.
#![cfg(not(target_arch = "wasm32"))]
// The conformance and mutation suites each load the case table as their own module, as they did
// as binaries of their own.
#![allow(clippy::duplicate_mod)]

#[path = "dsse_vectors.rs"]
mod dsse_vectors;
#[path = "limits.rs"]
mod limits;
#[path = "mutations.rs"]
mod mutations;
#[path = "oci_vectors.rs"]
mod oci_vectors;
#[path = "opk_ext.rs"]
mod opk_ext;
#[path = "prechecked.rs"]
mod prechecked;
#[path = "properties.rs"]
mod properties;
#[path = "sign.rs"]
mod sign;
#[path = "sigstore_conformance.rs"]
mod sigstore_conformance;
#[path = "sigstore_cosign_tag.rs"]
mod sigstore_cosign_tag;
#[path = "sigstore_github_root.rs"]
mod sigstore_github_root;
#[path = "sigstore_limits.rs"]
mod sigstore_limits;
#[path = "sigstore_mutations.rs"]
mod sigstore_mutations;
#[path = "sigstore_testkit.rs"]
mod sigstore_testkit;
#[path = "sigstore_tsa.rs"]
mod sigstore_tsa;
#[path = "vectors.rs"]
mod vectors;
#[path = "wycheproof.rs"]
mod wycheproof;
#[path = "wycheproof_jose.rs"]
mod wycheproof_jose;
