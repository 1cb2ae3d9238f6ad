//! JWK and JWKS import (size, key count, RSA/EC validation, dev-issuer marker): never a panic;
//! every imported RSA key is 2048-4096 bits with e = 65537.
#![no_main]
use libfuzzer_sys::fuzz_target;
use opk_verify::jose::{Jwk, PublicKey};
use opk_verify::JwksFile;

fuzz_target!(|data: &[u8]| {
    let _ = Jwk::from_json(data);
    if let Ok(f) = JwksFile::parse(data) {
        for k in f.jwks.keys() {
            if let PublicKey::Rsa(r) = &k.key {
                let bits = r.modulus_bytes().len() * 8;
                assert!((2048..=4096).contains(&bits), "{bits}-bit modulus imported");
            }
        }
    }
});
