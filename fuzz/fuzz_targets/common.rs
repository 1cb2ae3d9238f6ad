// Shared by the targets: the test OP's trust roots and a policy accepting its identity.
#![allow(dead_code)]

use opk_testkit::forge::TestOp;
use opk_verify::{Policy, TrustRoots, UnixTime};

pub const NOW: UnixTime = UnixTime(1_698_142_000);

pub fn trust() -> TrustRoots {
    TestOp::new().trust()
}

pub fn policy() -> Policy {
    Policy::builder()
        .repository_owner_id("145685596")
        .build()
        .expect("policy")
}
