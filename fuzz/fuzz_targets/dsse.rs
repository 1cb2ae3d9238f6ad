//! DSSE envelopes through parsing and the whole envelope verifier: never a panic, never accepted.
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = opk_verify::dsse::Envelope::parse(data);
    let subject = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
    let r = opk_verify::verify_envelope(
        data,
        subject,
        common::trust(),
        common::policy(),
        common::NOW,
    );
    assert!(r.is_err(), "a fuzzed envelope verified");
});
