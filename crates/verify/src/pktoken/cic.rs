//! Client-instance claims (CIC): the protected header of the ephemeral key's signature —
//! `alg`, `upk` (the ephemeral public JWK), `rz` (blinding), optional `att` — and the commitment
//! `b64url(SHA3-256(decoded header bytes))` that the ID token carries as `aud` or `nonce`.
//!
//! The commitment hashes the raw decoded bytes, never a re-serialisation (spec P9).

use crate::jose::{es256, jws, EcKey, Header};
use crate::prechecked::Prechecked;
use crate::{b64, VerifyError};
use sha2::{Digest as _, Sha256};

const WHAT: &str = "CIC header";

/// Parsed and validated client-instance claims.
#[derive(Debug, Clone)]
pub struct Cic {
    upk: EcKey,
    att: Option<String>,
    rz: String,
    commitment: String,
    commitment_std_no_pad: String,
}

impl Cic {
    /// Validates a CIC header: `alg` ES256 (the allow-list; P4), `upk` an EC P-256 JWK without
    /// private members whose `alg`, if present, equals the header's, `rz` a string, `att` a
    /// string if present, and `typ` absent or `CIC`.
    pub fn from_header(header: &Header) -> Result<Self, VerifyError> {
        let f = header.fields(WHAT);
        match f.opt_str("alg")? {
            Some("ES256") => {}
            other => {
                return Err(VerifyError::UnsupportedAlg {
                    what: WHAT,
                    alg: other.unwrap_or_default().to_owned(),
                })
            }
        }
        if f.opt_str("typ")?.is_some_and(|t| t != "CIC") {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: "typ",
            });
        }
        let upk_map = f.opt_object("upk")?.ok_or(VerifyError::MissingField {
            what: WHAT,
            field: "upk",
        })?;
        let upk = crate::json::Fields::new(upk_map, "CIC upk");
        if upk_map.contains_key("d") {
            return Err(VerifyError::WeakKey {
                reason: "upk contains private key material",
            });
        }
        if upk.str("kty")? != "EC" || upk.str("crv")? != "P-256" {
            return Err(VerifyError::KeyAlgMismatch {
                alg: "ES256".into(),
            });
        }
        if upk.opt_str("alg")?.is_some_and(|a| a != "ES256") {
            return Err(VerifyError::KeyAlgMismatch {
                alg: "ES256".into(),
            });
        }
        let x = b64::decode_url(upk.str("x")?, "CIC upk x")?;
        let y = b64::decode_url(upk.str("y")?, "CIC upk y")?;
        let upk = EcKey::from_coordinates(&x, &y)?;
        let rz = f.str("rz")?.to_owned();
        let att = f.opt_str("att")?.map(str::to_owned);
        let digest = opk_monty::sha3_256(&header.raw);
        Ok(Self {
            upk,
            att,
            rz,
            commitment: b64::encode_url(&digest),
            commitment_std_no_pad: b64::encode_std_no_pad(&digest),
        })
    }

    /// `b64url(SHA3-256(decoded CIC header))`, what `aud`/`nonce` must equal.
    pub fn commitment(&self) -> &str {
        &self.commitment
    }
    /// The same hash in the standard alphabet without padding (May-2023 tokens used this).
    pub(crate) fn commitment_std_no_pad(&self) -> &str {
        &self.commitment_std_no_pad
    }
    /// The `att` claim, if any.
    pub fn att(&self) -> Option<&str> {
        self.att.as_deref()
    }
    /// The blinding value `rz`.
    pub fn rz(&self) -> &str {
        &self.rz
    }
    /// The ephemeral public key.
    pub fn upk(&self) -> &EcKey {
        &self.upk
    }

    /// Verifies the CIC signature (ES256 by `upk`) over `cic_protected_b64 "." payload_b64`:
    /// accepted if `prechecked` holds exactly this triple, else verified here.
    pub fn verify_signature(
        &self,
        cic_protected_b64: &str,
        payload_b64: &str,
        signature_b64: &str,
        prechecked: &Prechecked,
    ) -> bool {
        let Ok(sig) = b64::decode_url(signature_b64, "CIC signature") else {
            return false;
        };
        let input = jws::signing_input(cic_protected_b64, payload_b64);
        prechecked.contains_es256(&self.upk, input.as_bytes(), &sig)
            || es256::verify(&self.upk, input.as_bytes(), &sig)
    }

    /// Checks `att` against the DSSE PAE: it must be present, 64 lowercase hex digits, and equal
    /// to `hex(SHA-256(pae))`.
    pub fn check_att(&self, pae: &[u8]) -> Result<(), VerifyError> {
        let att = self.att.as_deref().ok_or(VerifyError::AttMismatch {
            reason: "att claim missing from CIC",
        })?;
        if !crate::hex::is_lower_hex(att, 64) {
            return Err(VerifyError::AttMismatch {
                reason: "att is not 64 lowercase hex digits",
            });
        }
        if att != crate::hex::encode(&Sha256::digest(pae)) {
            return Err(VerifyError::AttMismatch {
                reason: "att does not match the SHA-256 of the DSSE PAE",
            });
        }
        Ok(())
    }
}
