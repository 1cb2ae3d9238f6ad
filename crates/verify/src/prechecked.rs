//! ES256 checks made elsewhere — the browser's WebCrypto, ten times faster than `p256` in
//! WebAssembly — that the core may take in place of its own.
//!
//! The core stays the reference: [`es256_checks`] lists exactly the (key, message, signature)
//! triples an envelope's verification will ask about, the caller verifies them however it likes
//! and hands back only those that verified ([`Es256Prechecked::accepted`]). During verification
//! a triple found there, byte for byte, counts as verified; anything else — a triple the caller
//! rejected, skipped or never saw — is verified by `p256` as always. So a fast path can only
//! save time: it cannot turn a rejection into an acceptance unless the other implementation
//! itself accepts that exact signature (the browser tests check both agree, high-S included).

use crate::b64;
use crate::dsse::Envelope;
use crate::jose::{jws, EcKey};
use crate::pktoken::{Cic, PkToken};

/// One ES256 verification: public key `x ‖ y`, the signed bytes, the raw `r ‖ s` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Es256Check {
    /// Uncompressed affine coordinates `x ‖ y` (32 bytes each, big-endian).
    pub key_xy: [u8; 64],
    /// The exact signed bytes (a JWS signing input).
    pub message: Vec<u8>,
    /// The JWS signature `r ‖ s`.
    pub signature: Vec<u8>,
}

/// The ES256 checks verifying `envelope` will make: each PK token's CIC signature. Best effort:
/// what does not parse is left out (verification will then report it).
pub fn es256_checks(envelope: &[u8]) -> Vec<Es256Check> {
    let Ok(env) = Envelope::parse(envelope) else {
        return Vec::new();
    };
    env.signatures
        .iter()
        .filter_map(|sig| {
            let pkt = PkToken::parse(&sig.sig).ok()?;
            let cic = Cic::from_header(&pkt.cic.header).ok()?;
            Some(Es256Check {
                key_xy: *cic.upk().coordinates(),
                message: jws::signing_input(&pkt.cic.protected_b64, &pkt.payload_b64).into_bytes(),
                signature: b64::decode_url(&pkt.cic.signature_b64, "CIC signature").ok()?,
            })
        })
        .collect()
}

/// ES256 triples another implementation verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Es256Prechecked {
    accepted: Vec<Es256Check>,
}

impl Es256Prechecked {
    /// Nothing prechecked: every signature is verified by the core.
    pub fn none() -> Self {
        Self::default()
    }

    /// The triples the other implementation accepted (pass only those).
    pub fn accepted(accepted: Vec<Es256Check>) -> Self {
        Self { accepted }
    }

    /// How many triples were accepted elsewhere.
    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    /// Whether nothing was accepted elsewhere.
    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// Whether exactly this triple was accepted elsewhere.
    pub(crate) fn contains(&self, key: &EcKey, message: &[u8], signature: &[u8]) -> bool {
        self.accepted.iter().any(|c| {
            c.key_xy == *key.coordinates() && c.message == message && c.signature == signature
        })
    }
}
