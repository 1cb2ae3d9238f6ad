//! Public keys as Sigstore carries them — DER SubjectPublicKeyInfo in trusted roots and
//! certificates (PKCS#1 `RSAPublicKey` for the deprecated `PKCS1_RSA_PKCS1V5` key details) — and
//! signature verification with the scheme the key and the declared digest name together: ECDSA
//! P-256/P-384 with SHA-256/384/512 (DER signatures), RSA PKCS#1 v1.5 and PSS (2048–4096
//! bits, e = 65537), Ed25519. One parser for every key (a key's algorithm comes from its OID and
//! curve, never from the message); anything else is refused.

use const_oid::ObjectIdentifier;
use der::asn1::UintRef;
use der::{Decode as _, Sequence};
use sha2::{Digest as _, Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoRef;

use crate::jose::RsaKey;
use crate::VerifyError;

/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1.
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1.
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// rsaEncryption.
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-Ed25519.
pub(crate) const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The digest of `msg`.
    pub fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(msg).to_vec(),
            Self::Sha384 => Sha384::digest(msg).to_vec(),
            Self::Sha512 => Sha512::digest(msg).to_vec(),
        }
    }
    /// Its name as in-toto digest sets and OCI digests spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }
    /// Its output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
    /// The OID (NIST hash algorithms), for RFC 3161 and CMS.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match oid.to_string().as_str() {
            "2.16.840.1.101.3.4.2.1" => Some(Self::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(Self::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(Self::Sha512),
            _ => None,
        }
    }
}

/// How a signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// ECDSA with this digest, DER-encoded `(r, s)`.
    Ecdsa(HashAlg),
    /// RSASSA-PKCS1-v1_5 with this digest.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS with this digest (MGF1 with the same digest, salt its length).
    RsaPss(HashAlg),
    /// Ed25519 (pure: over the message, never a digest).
    Ed25519,
}

/// A public key.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// ECDSA P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// RSA, 2048–4096 bits, e = 65537.
    Rsa(RsaKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
}

#[derive(Sequence)]
struct RsaPublicKeyDer<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::WeakKey { reason }
}

impl PublicKey {
    /// A DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, VerifyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| invalid("not a DER SubjectPublicKeyInfo"))?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(invalid("public key bit string has unused bits"))?;
        let oid = spki.algorithm.oid;
        if oid == EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(invalid("EC key without a named curve"))?;
            if curve == P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(Self::P256)
                    .map_err(|_| invalid("P-256 point not on the curve"))
            } else if curve == P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(Self::P384)
                    .map_err(|_| invalid("P-384 point not on the curve"))
            } else {
                Err(invalid("EC curve other than P-256 and P-384"))
            }
        } else if oid == RSA {
            Self::from_pkcs1_der(bits)
        } else if oid == ED25519 {
            let raw: [u8; 32] = bits
                .try_into()
                .map_err(|_| invalid("Ed25519 key is not 32 bytes"))?;
            ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .map(Self::Ed25519)
                .map_err(|_| invalid("Ed25519 point invalid"))
        } else {
            Err(invalid("public key algorithm not supported"))
        }
    }

    /// A DER PKCS#1 `RSAPublicKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, VerifyError> {
        let k = RsaPublicKeyDer::from_der(der).map_err(|_| invalid("not a DER RSAPublicKey"))?;
        RsaKey::from_be_bytes(k.modulus.as_bytes(), k.public_exponent.as_bytes()).map(Self::Rsa)
    }

    /// The raw Ed25519 key, for signed-note key ids.
    pub fn ed25519_bytes(&self) -> Option<[u8; 32]> {
        match self {
            Self::Ed25519(k) => Some(k.to_bytes()),
            _ => None,
        }
    }

    /// Whether `sig` signs `msg` under `scheme` with this key (a scheme that does not fit the
    /// key never verifies).
    pub fn verify(&self, scheme: Scheme, msg: &[u8], sig: &[u8]) -> bool {
        match (self, scheme) {
            (Self::Ed25519(k), Scheme::Ed25519) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
                    return false;
                };
                k.verify_strict(msg, &sig).is_ok()
            }
            (_, Scheme::Ed25519) | (Self::Ed25519(_), _) => false,
            (_, Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h)) => {
                self.verify_digest(scheme, &h.digest(msg), sig)
            }
        }
    }

    /// Whether `sig` signs the message whose `scheme` digest is `digest` (not for Ed25519).
    pub fn verify_digest(&self, scheme: Scheme, digest: &[u8], sig: &[u8]) -> bool {
        use rsa::signature::hazmat::PrehashVerifier as _;
        let hash = match scheme {
            Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h) => h,
            Scheme::Ed25519 => return false,
        };
        if digest.len() != hash.output_len() {
            return false;
        }
        match (self, scheme) {
            (Self::P256(k), Scheme::Ecdsa(_)) => p256::ecdsa::DerSignature::from_bytes(sig)
                .ok()
                .and_then(|s| p256::ecdsa::Signature::try_from(s).ok())
                .is_some_and(|s| k.verify_prehash(digest, &s).is_ok()),
            (Self::P384(k), Scheme::Ecdsa(_)) => p384::ecdsa::DerSignature::from_bytes(sig)
                .ok()
                .and_then(|s| p384::ecdsa::Signature::try_from(s).ok())
                .is_some_and(|s| k.verify_prehash(digest, &s).is_ok()),
            (Self::Rsa(k), Scheme::RsaPkcs1(h)) => rsa_pkcs1(k, h, digest, sig),
            (Self::Rsa(k), Scheme::RsaPss(h)) => rsa_pss(k, h, digest, sig),
            _ => false,
        }
    }
}

/// An RSA signature over a prehashed digest with one of the `rsa` crate's schemes (its
/// `pkcs1v15` or `pss` module): the signature exactly the modulus long, then the scheme's check.
macro_rules! rsa_prehash {
    ($scheme:ident, $key:expr, $hash:expr, $digest:expr, $sig:expr) => {{
        use rsa::signature::hazmat::PrehashVerifier as _;
        use rsa::$scheme::{Signature, VerifyingKey};
        let (key, digest, sig): (&RsaKey, &[u8], &[u8]) = ($key, $digest, $sig);
        if sig.len() != key.modulus_len() {
            return false;
        }
        let Ok(sig) = Signature::try_from(sig) else {
            return false;
        };
        let k = key.rsa().clone();
        match $hash {
            HashAlg::Sha256 => VerifyingKey::<Sha256>::new(k).verify_prehash(digest, &sig),
            HashAlg::Sha384 => VerifyingKey::<Sha384>::new(k).verify_prehash(digest, &sig),
            HashAlg::Sha512 => VerifyingKey::<Sha512>::new(k).verify_prehash(digest, &sig),
        }
        .is_ok()
    }};
}

fn rsa_pkcs1(key: &RsaKey, hash: HashAlg, digest: &[u8], sig: &[u8]) -> bool {
    rsa_prehash!(pkcs1v15, key, hash, digest, sig)
}

fn rsa_pss(key: &RsaKey, hash: HashAlg, digest: &[u8], sig: &[u8]) -> bool {
    rsa_prehash!(pss, key, hash, digest, sig)
}
