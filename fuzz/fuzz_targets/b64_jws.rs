//! Strict base64 (both alphabets) and compact JWS parsing and verification: never a panic;
//! whatever decodes re-encodes to the same text (canonical).
#![no_main]
use libfuzzer_sys::fuzz_target;
use opk_verify::b64;
use opk_verify::jose::{jws, Jwks};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = b64::decode_url(s, "fuzz") {
        assert_eq!(
            b64::encode_url(&bytes),
            s,
            "base64url decoding must be canonical"
        );
    }
    let _ = b64::decode_dsse(s, "fuzz");
    let _ = jws::CompactJws::parse(s);
    let _ = jws::verify_compact(s, &Jwks::default());
});
