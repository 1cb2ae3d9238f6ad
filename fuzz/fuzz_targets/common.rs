// Shared by the targets: the test OP's trust roots and a policy accepting its identity, built once
// per process (building trust roots parses and validates every bundled key).
#![allow(dead_code)]

use std::sync::OnceLock;

use opk_testkit::forge::TestOp;
use opk_verify::{Policy, TrustRoots, UnixTime};

pub const NOW: UnixTime = UnixTime(1_698_142_000);

pub fn trust() -> &'static TrustRoots {
    static T: OnceLock<TrustRoots> = OnceLock::new();
    T.get_or_init(|| TestOp::new().trust())
}

pub fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        Policy::builder()
            .repository_owner_id("145685596")
            .build()
            .expect("policy")
    })
}

pub fn op() -> &'static TestOp {
    static O: OnceLock<TestOp> = OnceLock::new();
    O.get_or_init(TestOp::new)
}

/// The bundled Sigstore public-good trusted root, parsed once.
pub fn public_good() -> &'static opk_verify::sigstore::trusted_root::TrustedRoot {
    static R: OnceLock<opk_verify::sigstore::trusted_root::TrustedRoot> = OnceLock::new();
    R.get_or_init(|| {
        opk_verify::sigstore::trusted_root::TrustedRoot::public_good().expect("public-good root")
    })
}

/// 2026-12-07, the Sigstore targets' "now".
pub const SIGSTORE_NOW: UnixTime = UnixTime(1_796_601_600);
