//! GQ verification with fuzzed proofs, identities and messages under the test OP's RSA key:
//! never a panic, and no fuzzed proof verifies for a message it was not made for.
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::gq;

fuzz_target!(|input: (Vec<u8>, Vec<u8>, Vec<u8>)| {
    let (identity, message, proof) = input;
    assert!(
        !gq::verify(&common::op().key, &identity, &message, &proof),
        "a fuzzed GQ proof verified"
    );
});
