//! Signature checks made elsewhere — the browser's WebCrypto, about ten times faster than `p256`
//! and `rsa` in WebAssembly — that the core may take in place of its own: ES256 (CIC
//! signatures) and RS256 (OP signatures of PK tokens and JWTs).
//!
//! The core stays the reference: [`checks`] lists exactly the (key, message, signature) triples
//! a verification will ask about, the caller verifies them however it likes and hands back only
//! those that verified ([`Prechecked::accepted_unsafe`]). During verification a triple found there,
//! byte for byte, counts as verified; anything else — a triple the caller rejected, skipped or
//! never saw — is verified by `p256` or `rsa` as always. So a fast path can only save time: it
//! cannot turn a rejection into an acceptance unless the other implementation itself accepts
//! that exact signature (the browser tests check both agree, high-S and short signatures
//! included).

use crate::b64;
use crate::dsse::Envelope;
use crate::jose::{jws, CompactJws, EcKey, RsaKey};
use crate::pktoken::{self, Cic, Entry, PkToken};
use crate::trust::{self, TrustRoots};

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

/// One RS256 verification: a trusted key's modulus (its exponent is always
/// [`RsaKey::EXPONENT`], the only one the core accepts), the signed bytes, the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rs256Check {
    /// The modulus, big-endian, without leading zero bytes.
    pub modulus: Vec<u8>,
    /// The exact signed bytes (a JWS signing input).
    pub message: Vec<u8>,
    /// The signature, exactly the modulus length.
    pub signature: Vec<u8>,
}

/// The triples verifying one input will ask about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// Each PK token's CIC signature.
    pub es256: Vec<Es256Check>,
    /// Each OP signature whose header says RS256, with the trusted key its issuer and `kid`
    /// name.
    pub rs256: Vec<Rs256Check>,
}

/// The checks verifying `input` — a DSSE envelope, a PK token or a compact JWT — under `trust`
/// will make. Best effort: a GQ proof, an unknown key or anything that does not parse is left
/// out (verification will then report it). The input is parsed once.
pub fn checks(input: &[u8], trust: &TrustRoots) -> Checks {
    if let Some(text) = crate::verify::as_jwt(input) {
        if text.len() > crate::limits::MAX_PK_TOKEN_BYTES {
            return Checks {
                es256: Vec::new(),
                rs256: Vec::new(),
            };
        }
        let rs256 = CompactJws::parse(text)
            .ok()
            .and_then(|jwt| rs256_check(&Entry::of_jwt(&jwt).ok()?, jwt.payload_b64, trust));
        return Checks {
            es256: Vec::new(),
            rs256: rs256.into_iter().collect(),
        };
    }
    let tokens: Vec<PkToken> = match Envelope::parse(input) {
        Ok(env) => env
            .signatures
            .iter()
            .filter_map(|sig| PkToken::parse(&sig.sig).ok())
            .collect(),
        Err(_) => PkToken::parse(input).into_iter().collect(),
    };
    Checks {
        es256: tokens.iter().filter_map(es256_check).collect(),
        rs256: tokens
            .iter()
            .filter_map(|pkt| rs256_check(&pkt.op, &pkt.payload_b64, trust))
            .collect(),
    }
}

fn es256_check(pkt: &PkToken) -> Option<Es256Check> {
    let cic = Cic::from_header(&pkt.cic.header).ok()?;
    Some(Es256Check {
        key_xy: *cic.upk().coordinates(),
        message: jws::signing_input(&pkt.cic.protected_b64, &pkt.payload_b64).into_bytes(),
        signature: b64::decode_url(&pkt.cic.signature_b64, "CIC signature").ok()?,
    })
}

fn rs256_check(op: &Entry, payload_b64: &str, trust: &TrustRoots) -> Option<Rs256Check> {
    if op.header.alg() != Some("RS256") {
        return None;
    }
    let claims = pktoken::decode_claims(payload_b64).ok()?;
    let iss = claims.get("iss")?.as_str()?;
    let key = trust::rsa_of(trust.find(iss, op.header.kid()?).ok()?).ok()?;
    let signature = b64::decode_url(&op.signature_b64, "OP signature").ok()?;
    // A labelled compact token whose signature is not the modulus length carries a GQ proof.
    (signature.len() == key.modulus_len()).then(|| Rs256Check {
        modulus: key.modulus_bytes().to_vec(),
        message: jws::signing_input(&op.protected_b64, payload_b64).into_bytes(),
        signature,
    })
}

/// Triples another implementation verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prechecked(Checks);

impl Prechecked {
    /// Nothing prechecked: every signature is verified by the core.
    pub fn none() -> Self {
        Self::default()
    }

    /// The triples another implementation (WebCrypto) accepted: the core takes them as
    /// verified and does not check them again, hence the name — pass only exact triples that
    /// implementation really verified (`opk_pipeline::webcrypto` does).
    pub fn accepted_unsafe(accepted: Checks) -> Self {
        Self(accepted)
    }

    /// How many triples were accepted elsewhere.
    pub fn len(&self) -> usize {
        self.0.es256.len() + self.0.rs256.len()
    }

    /// Whether nothing was accepted elsewhere.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether exactly this ES256 triple was accepted elsewhere.
    pub(crate) fn contains_es256(&self, key: &EcKey, message: &[u8], signature: &[u8]) -> bool {
        self.0.es256.iter().any(|c| {
            c.key_xy == *key.coordinates() && c.message == message && c.signature == signature
        })
    }

    /// Whether exactly this RS256 triple was accepted elsewhere.
    pub(crate) fn contains_rs256(&self, key: &RsaKey, message: &[u8], signature: &[u8]) -> bool {
        self.0.rs256.iter().any(|c| {
            c.modulus == key.modulus_bytes() && c.message == message && c.signature == signature
        })
    }
}
