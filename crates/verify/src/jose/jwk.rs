//! JWK and JWKS import (RFC 7517) with key validation before any key is used.
//!
//! RSA: 2048–4096-bit odd modulus, exponent exactly 65537 (the GQ `t` formula of F0 is unsound for
//! other exponents, spec §7.4; every real OP key uses it). EC: P-256 only, 32-byte coordinates,
//! the point must be on the curve. Private members (`d`, `p`, …) are refused: a trust file holding
//! a private key is a mistake worth stopping for. Header-supplied keys (`jwk`, `jku`, `x5c`) are
//! never looked at anywhere in this crate; trust comes only from here.

use crypto_bigint::{BoxedUint, Odd};
use serde_json::{Map, Value};

use crate::json::{self, Fields};
use crate::limits::{self, Limit};
use crate::{b64, VerifyError};

/// A validated RSA public key.
#[derive(Debug, Clone)]
pub struct RsaKey {
    n: Odd<BoxedUint>,
    n_bytes: Vec<u8>,
    rsa: rsa::PublicKey,
}

impl RsaKey {
    /// The only public exponent accepted.
    pub const EXPONENT: u32 = 65537;

    /// Builds a key from big-endian modulus bytes and exponent bytes, validating both.
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Result<Self, VerifyError> {
        let n_trim: &[u8] = {
            let start = n.iter().position(|b| *b != 0).unwrap_or(n.len());
            n.get(start..).unwrap_or_default()
        };
        let e_trim: &[u8] = {
            let start = e.iter().position(|b| *b != 0).unwrap_or(e.len());
            e.get(start..).unwrap_or_default()
        };
        // Sizes first: nothing below touches big numbers until the modulus is known to be bounded.
        let bits = bit_len(n_trim);
        if bits < limits::RSA_MIN_BITS {
            return Err(VerifyError::WeakKey {
                reason: "RSA modulus shorter than 2048 bits",
            });
        }
        if bits > limits::RSA_MAX_BITS {
            return Err(VerifyError::WeakKey {
                reason: "RSA modulus longer than 4096 bits",
            });
        }
        if e_trim != [0x01, 0x00, 0x01] {
            return Err(VerifyError::WeakKey {
                reason: "RSA exponent is not 65537",
            });
        }
        let n_uint = BoxedUint::from_be_slice_vartime(n_trim);
        let n_odd: Option<Odd<BoxedUint>> = Odd::new(n_uint.clone()).into();
        let n_odd = n_odd.ok_or(VerifyError::WeakKey {
            reason: "RSA modulus is even",
        })?;
        let e_uint = BoxedUint::from_be_slice_vartime(e_trim);
        let rsa = rsa::PublicKey::new(n_uint, e_uint).map_err(|_| VerifyError::WeakKey {
            reason: "RSA key rejected by the rsa crate",
        })?;
        Ok(Self {
            n: n_odd,
            n_bytes: n_trim.to_vec(),
            rsa,
        })
    }

    /// The modulus.
    pub fn modulus(&self) -> &Odd<BoxedUint> {
        &self.n
    }
    /// The modulus, big-endian, without leading zeros.
    pub fn modulus_bytes(&self) -> &[u8] {
        &self.n_bytes
    }
    /// The modulus length in bytes (the RS256 signature length and GQ `nBytes`).
    pub fn modulus_len(&self) -> usize {
        self.n_bytes.len()
    }
    /// The modulus length in bits.
    pub fn modulus_bits(&self) -> u32 {
        bit_len(&self.n_bytes)
    }
    pub(crate) fn rsa(&self) -> &rsa::PublicKey {
        &self.rsa
    }
}

fn bit_len(be: &[u8]) -> u32 {
    match be.first() {
        None => 0,
        Some(first) => {
            let rest = u32::try_from(be.len().saturating_sub(1)).unwrap_or(u32::MAX);
            rest.saturating_mul(8)
                .saturating_add(8 - first.leading_zeros())
        }
    }
}

/// A validated P-256 public key.
#[derive(Debug, Clone)]
pub struct EcKey {
    key: p256::ecdsa::VerifyingKey,
    xy: [u8; 64],
}

impl EcKey {
    /// Builds a key from 32-byte big-endian affine coordinates; the point must be on the curve.
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self, VerifyError> {
        if x.len() != 32 || y.len() != 32 {
            return Err(VerifyError::WeakKey {
                reason: "P-256 coordinate is not 32 bytes",
            });
        }
        let mut sec1 = [0u8; 65];
        sec1[0] = 0x04;
        sec1[1..33].copy_from_slice(x);
        sec1[33..].copy_from_slice(y);
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| {
            VerifyError::WeakKey {
                reason: "point is not on P-256",
            }
        })?;
        let mut xy = [0u8; 64];
        xy.copy_from_slice(&sec1[1..]);
        Ok(Self { key, xy })
    }
    pub(crate) fn verifying_key(&self) -> &p256::ecdsa::VerifyingKey {
        &self.key
    }
    /// The raw `x‖y` coordinates.
    pub fn coordinates(&self) -> &[u8; 64] {
        &self.xy
    }
}

/// A public key of a supported type.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// RSA, usable for RS256 and GQ.
    Rsa(RsaKey),
    /// P-256, usable for ES256.
    Ec(EcKey),
}

impl PublicKey {
    fn same_key(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Rsa(a), Self::Rsa(b)) => a.n_bytes == b.n_bytes,
            (Self::Ec(a), Self::Ec(b)) => a.xy == b.xy,
            _ => false,
        }
    }
}

/// One imported JWK.
#[derive(Debug, Clone)]
pub struct Jwk {
    /// Its `kid`, if any.
    pub kid: Option<String>,
    /// Its `alg`, if any (must match the key type when present).
    pub alg: Option<String>,
    /// The validated key.
    pub key: PublicKey,
}

const WHAT: &str = "JWK";
const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

impl Jwk {
    /// Imports one JWK object. `Ok(None)` means "not a signature key we could ever use" (an
    /// encryption key, `oct`/HMAC, an unknown `kty`): a JWKS skips those.
    pub fn from_object(map: &Map<String, Value>) -> Result<Option<Self>, VerifyError> {
        let f = Fields::new(map, WHAT);
        if PRIVATE_MEMBERS.iter().any(|m| map.contains_key(*m)) {
            return Err(VerifyError::WeakKey {
                reason: "JWK contains private key material",
            });
        }
        if let Some(usage) = f.opt_str("use")? {
            if usage != "sig" {
                return Ok(None);
            }
        }
        if let Some(ops) = map.get("key_ops") {
            let ok = ops
                .as_array()
                .is_some_and(|a| a.iter().any(|o| o.as_str() == Some("verify")));
            if !ok {
                return Ok(None);
            }
        }
        let kid = f.opt_str("kid")?.map(str::to_owned);
        let alg = f.opt_str("alg")?.map(str::to_owned);
        let key = match f.str("kty")? {
            "RSA" => {
                if alg.as_deref().is_some_and(|a| a != "RS256") {
                    return Err(VerifyError::KeyAlgMismatch {
                        alg: alg.unwrap_or_default(),
                    });
                }
                let n = b64::decode_jwk_member(f.str("n")?, "JWK n")?;
                let e = b64::decode_jwk_member(f.str("e")?, "JWK e")?;
                PublicKey::Rsa(RsaKey::from_be_bytes(&n, &e)?)
            }
            "EC" => {
                if f.str("crv")? != "P-256" {
                    return Err(VerifyError::WeakKey {
                        reason: "EC curve is not P-256",
                    });
                }
                if alg.as_deref().is_some_and(|a| a != "ES256") {
                    return Err(VerifyError::KeyAlgMismatch {
                        alg: alg.unwrap_or_default(),
                    });
                }
                let x = b64::decode_url(f.str("x")?, "JWK x")?;
                let y = b64::decode_url(f.str("y")?, "JWK y")?;
                PublicKey::Ec(EcKey::from_coordinates(&x, &y)?)
            }
            _ => return Ok(None),
        };
        Ok(Some(Self { kid, alg, key }))
    }

    /// Imports one JWK from JSON bytes; unusable keys are an error here.
    pub fn from_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        limits::check(bytes.len(), limits::MAX_JWKS_BYTES, Limit::JwksBytes)?;
        let map = json::parse_object(bytes, WHAT)?;
        Self::from_object(&map)?.ok_or(VerifyError::WeakKey {
            reason: "not a signature key",
        })
    }
}

/// An imported JWK set: usable signature keys, `kid`s unambiguous.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// Imports `{"keys":[…]}`; bounded in bytes and key count; duplicate `kid`s naming different
    /// keys are [`VerifyError::AmbiguousKey`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, VerifyError> {
        limits::check(bytes.len(), limits::MAX_JWKS_BYTES, Limit::JwksBytes)?;
        let map = json::parse_object(bytes, "JWKS")?;
        let arr = Fields::new(&map, "JWKS").array("keys")?;
        limits::check(arr.len(), limits::MAX_JWKS_KEYS, Limit::JwksKeys)?;
        let mut keys: Vec<Jwk> = Vec::new();
        for entry in arr {
            let obj = entry.as_object().ok_or(VerifyError::InvalidField {
                what: "JWKS",
                field: "keys",
            })?;
            let Some(jwk) = Jwk::from_object(obj)? else {
                continue;
            };
            if let Some(prev) = keys.iter().find(|k| k.kid == jwk.kid) {
                if prev.key.same_key(&jwk.key) {
                    continue;
                }
                return Err(VerifyError::AmbiguousKey {
                    kid: jwk.kid.unwrap_or_default(),
                });
            }
            keys.push(jwk);
        }
        Ok(Self { keys })
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
    }

    #[test]
    fn rsa_rules() {
        let mut n = vec![0xc5u8; 256];
        n[255] = 0xc5;
        assert!(RsaKey::from_be_bytes(&n, &[1, 0, 1]).is_ok());
        assert_eq!(
            RsaKey::from_be_bytes(&n, &[3]).unwrap_err(),
            VerifyError::WeakKey {
                reason: "RSA exponent is not 65537"
            }
        );
        assert_eq!(
            RsaKey::from_be_bytes(&n[..128], &[1, 0, 1]).unwrap_err(),
            VerifyError::WeakKey {
                reason: "RSA modulus shorter than 2048 bits"
            }
        );
        let huge = vec![0xffu8; 2048];
        assert_eq!(
            RsaKey::from_be_bytes(&huge, &[1, 0, 1]).unwrap_err(),
            VerifyError::WeakKey {
                reason: "RSA modulus longer than 4096 bits"
            }
        );
        let mut even = n.clone();
        even[255] = 0xc4;
        assert_eq!(
            RsaKey::from_be_bytes(&even, &[1, 0, 1]).unwrap_err(),
            VerifyError::WeakKey {
                reason: "RSA modulus is even"
            }
        );
    }

    #[test]
    fn ec_point_must_be_on_curve() {
        assert_eq!(
            EcKey::from_coordinates(&[1u8; 32], &[2u8; 32]).unwrap_err(),
            VerifyError::WeakKey {
                reason: "point is not on P-256"
            }
        );
        assert!(EcKey::from_coordinates(&[1u8; 31], &[2u8; 32]).is_err());
    }

    #[test]
    fn jwks_skips_unusable_and_rejects_private_and_ambiguous() {
        let oct =
            br#"{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"RSA","use":"enc","n":"AA","e":"AQAB"}]}"#;
        assert_eq!(Jwks::from_json(oct).unwrap().keys().len(), 0);
        let private = br#"{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}]}"#;
        assert_eq!(
            Jwks::from_json(private).unwrap_err(),
            VerifyError::WeakKey {
                reason: "JWK contains private key material"
            }
        );
        let big = format!("{{\"keys\":[{}]}}", vec![r#"{"kty":"oct"}"#; 33].join(","));
        assert_eq!(
            Jwks::from_json(big.as_bytes()).unwrap_err(),
            VerifyError::LimitExceeded {
                limit: Limit::JwksKeys
            }
        );
    }
}
