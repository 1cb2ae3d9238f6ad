//! ES256: ECDSA over P-256 with SHA-256, fixed 64-byte `r‖s` only (no DER, no other lengths).

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::Signature;

use crate::jose::EcKey;

/// True when `sig` (64 bytes, big-endian `r‖s`, 0 < r,s < n) is a valid ES256 signature of `msg`.
pub fn verify(key: &EcKey, msg: &[u8], sig: &[u8]) -> bool {
    if sig.len() != 64 {
        return false;
    }
    let Ok(sig) = Signature::from_slice(sig) else {
        return false;
    };
    key.verifying_key().verify(msg, &sig).is_ok()
}
