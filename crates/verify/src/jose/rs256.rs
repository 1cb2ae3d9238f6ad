//! RS256: RSASSA-PKCS1-v1_5 with SHA-256 via the `rsa` crate, over the exact signing input bytes.

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier as _;
use sha2::Sha256;

use crate::jose::RsaKey;

/// True when `sig` is a valid RS256 signature of `msg` by `key`. The signature must be exactly
/// the modulus length (RFC 8017 §8.2.2 step 1).
pub fn verify(key: &RsaKey, msg: &[u8], sig: &[u8]) -> bool {
    if sig.len() != key.modulus_len() {
        return false;
    }
    let Ok(sig) = Signature::try_from(sig) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.rsa().clone())
        .verify(msg, &sig)
        .is_ok()
}
