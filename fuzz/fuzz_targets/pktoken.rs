//! PK tokens in every format (JSON and compact, F0-F3) and plain JWTs, through the whole
//! verifier with the test OP's keys: never a panic, never accepted (no valid proof can be forged).
#![no_main]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (trust, policy) = (common::trust(), common::policy());
    let _ = opk_verify::pktoken::PkToken::parse(data);
    assert!(opk_verify::verify_pk_token(data, trust, policy, common::NOW).is_err());
    if let Ok(s) = std::str::from_utf8(data) {
        assert!(opk_verify::verify_jwt(s, trust, policy, common::NOW).is_err());
    }
});
