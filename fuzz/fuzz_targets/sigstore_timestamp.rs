//! RFC 3161 timestamp responses: the DER/CMS parse and verification against the public-good
//! timestamp authorities over a fixed signature. Never a panic; a fuzzed timestamp never
//! verifies (the imprint would have to be SHA-2 of `fuzz`, signed by a trusted TSA).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::sigstore::signatures::Signatures;
use opk_verify::sigstore::tsa::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(ts) = Timestamp::parse(data) else {
        return;
    };
    let authorities = &common::public_good().timestamp_authorities;
    assert!(
        ts.verify(b"fuzz", authorities, &Signatures::native())
            .is_err(),
        "a fuzzed timestamp verified"
    );
});
