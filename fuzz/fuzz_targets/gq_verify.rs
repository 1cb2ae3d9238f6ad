//! GQ verification with fuzzed proofs, identities and messages under the test OP's RSA key, on
//! both arithmetics (crypto-bigint's `U2048` natively, and the exact-`f64` ring every browser
//! runs): never a panic, and no fuzzed proof verifies for a message it was not made for.
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;
use opk_verify::gq::{self, with_arithmetic, Arithmetic};

fuzz_target!(|input: (Vec<u8>, Vec<u8>, Vec<u8>)| {
    let (identity, message, proof) = input;
    for arithmetic in Arithmetic::ALL {
        assert!(
            !with_arithmetic(arithmetic, || gq::verify(
                &common::op().key,
                &identity,
                &message,
                &proof
            )),
            "a fuzzed GQ proof verified on {arithmetic:?}"
        );
    }
});
