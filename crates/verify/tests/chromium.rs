//! opk-verify's suites in headless Chromium as one test binary: one wasm link and one browser
//! start instead of one per suite (`scripts/test` measured 9 binaries at 36 s of running and
//! about 30 s of linking, 2026-12-07). Natively they are `tests/suites.rs` and `tests/memory.rs`;
//! this one is empty there.
#![cfg(target_arch = "wasm32")]
// The conformance and mutation suites each load the case table as their own module, as their
// own binaries must.
#![allow(clippy::duplicate_mod)]

#[path = "limits.rs"]
mod limits;
#[path = "memory.rs"]
mod memory;
#[path = "opk_ext.rs"]
mod opk_ext;
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
#[path = "wasm.rs"]
mod wasm;
