//! How the Sigstore pipeline checks signatures: by itself (`p256`, `p384`, `rsa`,
//! `ed25519-dalek`), or — in the browser, where WebCrypto is about ten times faster than those
//! crates in WebAssembly — taking the exact signatures WebCrypto already accepted, as
//! [`crate::prechecked`] does for OpenPubkey.
//!
//! [`signature_checks`] lists the signatures a verification will ask about: it runs the same
//! pipeline, recording each signature check and answering "valid" to all of them, so every
//! later step is reached; its verdict is thrown away, and it returns nothing but the list. The
//! caller verifies them however it likes and hands back only those that verified
//! ([`Accepted`]); [`super::verify_bundle_accepting`] then takes a signature found there, byte
//! for byte (key, scheme, message, signature), as verified and checks every other one itself.
//! So a fast path can only save time: it cannot turn a rejection into an acceptance unless the
//! other implementation accepts that exact signature. Listed: ECDSA (P-256, P-384) and RSA
//! PKCS#1 v1.5, the schemes WebCrypto and the core define alike; Ed25519 (where WebCrypto's
//! small-order and canonicity rules may differ from `verify_strict`) and RSA-PSS are always
//! checked here.

use core::cell::RefCell;

use super::keys::{HashAlg, PublicKey, Scheme};

/// A public key as WebCrypto imports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// P-256: the uncompressed SEC1 point (`"raw"` import).
    P256(Vec<u8>),
    /// P-384: the uncompressed SEC1 point.
    P384(Vec<u8>),
    /// RSA: the modulus, big-endian (the exponent is always 65537).
    Rsa(Vec<u8>),
}

impl KeyMaterial {
    /// `key` in this form, for the schemes that are listed.
    fn of(key: &PublicKey) -> Option<Self> {
        Some(match key {
            PublicKey::P256(k) => Self::P256(k.to_sec1_point(false).as_bytes().to_vec()),
            PublicKey::P384(k) => Self::P384(k.to_sec1_point(false).as_bytes().to_vec()),
            PublicKey::Rsa(k) => Self::Rsa(k.modulus_bytes().to_vec()),
            PublicKey::Ed25519(_) => return None,
        })
    }
}

/// One signature a verification checks. Built by the core (or [`SignatureCheck::new`]), so the
/// form WebCrypto verifies is always the signature's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    key: KeyMaterial,
    scheme: Scheme,
    message: Vec<u8>,
    signature: Vec<u8>,
    webcrypto_signature: Option<Vec<u8>>,
}

impl SignatureCheck {
    /// A check of `signature` (ECDSA: DER) by `key` under `scheme` over the exact bytes
    /// `message`.
    pub fn new(key: KeyMaterial, scheme: Scheme, message: Vec<u8>, signature: Vec<u8>) -> Self {
        Self {
            webcrypto_signature: webcrypto_form(&key, scheme, &signature),
            key,
            scheme,
            message,
            signature,
        }
    }

    /// The key.
    pub fn key(&self) -> &KeyMaterial {
        &self.key
    }

    /// The scheme (ECDSA or RSA PKCS#1 v1.5, with its digest).
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The exact signed bytes.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// The signature as received (ECDSA: DER).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signature as WebCrypto takes it: ECDSA as `r ‖ s` (IEEE P1363) from the same strict
    /// DER parse the core makes (`None` where the core would refuse the encoding); RSA as is.
    /// Converted when the check is made, where the list is (in the web page, the Sigstore
    /// module), so a caller holding only the list needs no DER parser of its own.
    pub fn webcrypto_signature(&self) -> Option<&[u8]> {
        self.webcrypto_signature.as_deref()
    }

    /// The digest WebCrypto is to use: `SHA-256`, `SHA-384` or `SHA-512`.
    pub fn hash_name(&self) -> &'static str {
        let h = match self.scheme {
            Scheme::Ecdsa(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h) => h,
            Scheme::Ed25519 => HashAlg::Sha512,
        };
        match h {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }

    /// The core's own verdict on this check (the reference WebCrypto must agree with).
    pub fn verify(&self) -> bool {
        let key = match &self.key {
            KeyMaterial::P256(point) => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .ok()
                .map(PublicKey::P256),
            KeyMaterial::P384(point) => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .ok()
                .map(PublicKey::P384),
            KeyMaterial::Rsa(modulus) => crate::jose::RsaKey::from_be_bytes(
                modulus,
                &crate::jose::RsaKey::EXPONENT.to_be_bytes(),
            )
            .ok()
            .map(PublicKey::Rsa),
        };
        key.is_some_and(|k| k.verify(self.scheme, &self.message, &self.signature))
    }
}

/// `signature` as WebCrypto takes it (see [`SignatureCheck::webcrypto_signature`]).
fn webcrypto_form(key: &KeyMaterial, scheme: Scheme, signature: &[u8]) -> Option<Vec<u8>> {
    match (key, scheme) {
        (KeyMaterial::P256(_), Scheme::Ecdsa(_)) => {
            p256::ecdsa::DerSignature::from_bytes(signature)
                .ok()
                .and_then(|s| p256::ecdsa::Signature::try_from(s).ok())
                .map(|s| s.to_bytes().to_vec())
        }
        (KeyMaterial::P384(_), Scheme::Ecdsa(_)) => {
            p384::ecdsa::DerSignature::from_bytes(signature)
                .ok()
                .and_then(|s| p384::ecdsa::Signature::try_from(s).ok())
                .map(|s| s.to_bytes().to_vec())
        }
        (KeyMaterial::Rsa(_), Scheme::RsaPkcs1(_)) => Some(signature.to_vec()),
        _ => None,
    }
}

/// Whether `scheme` with `key` is listed (see the module header).
fn listed(key: &PublicKey, scheme: Scheme) -> bool {
    matches!(
        (key, scheme),
        (PublicKey::P256(_) | PublicKey::P384(_), Scheme::Ecdsa(_))
            | (PublicKey::Rsa(_), Scheme::RsaPkcs1(_))
    )
}

/// Signatures another implementation verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted(Vec<SignatureCheck>);

impl Accepted {
    /// The checks another implementation (WebCrypto) accepted: taken as verified and not
    /// checked again, hence the name — pass only exact checks it really verified.
    pub fn new_unsafe(accepted: Vec<SignatureCheck>) -> Self {
        Self(accepted)
    }
    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn contains(&self, key: &PublicKey, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        if self.0.is_empty() || !listed(key, scheme) {
            return false;
        }
        let Some(material) = KeyMaterial::of(key) else {
            return false;
        };
        self.0.iter().any(|c| {
            c.scheme == scheme
                && c.key == material
                && c.message == message
                && c.signature == signature
        })
    }
}

enum Mode<'a> {
    Native,
    Accepting(&'a Accepted),
    /// Lists every signature asked about and answers "valid": for [`signature_checks`] only,
    /// whose verdict is discarded.
    Record(RefCell<Vec<SignatureCheck>>),
}

/// How a verification checks signatures (see the module header).
pub struct Signatures<'a>(Mode<'a>);

impl<'a> Signatures<'a> {
    /// Every signature checked here.
    pub fn native() -> Self {
        Self(Mode::Native)
    }
    /// Those in `accepted` taken as verified; every other one checked here.
    pub fn accepting(accepted: &'a Accepted) -> Self {
        Self(Mode::Accepting(accepted))
    }
    pub(crate) fn record() -> Self {
        Self(Mode::Record(RefCell::new(Vec::new())))
    }
    pub(crate) fn recorded(self) -> Vec<SignatureCheck> {
        match self.0 {
            Mode::Record(list) => list.into_inner(),
            Mode::Native | Mode::Accepting(_) => Vec::new(),
        }
    }

    /// Whether `signature` by `key` under `scheme` signs the message whose digest is `digest`
    /// (an artifact given by its digest): never listed, so checked here.
    pub fn verify_digest(
        &self,
        key: &PublicKey,
        scheme: Scheme,
        digest: &[u8],
        signature: &[u8],
    ) -> bool {
        match &self.0 {
            Mode::Native | Mode::Accepting(_) => key.verify_digest(scheme, digest, signature),
            Mode::Record(_) => true,
        }
    }

    /// Whether `signature` by `key` under `scheme` signs `message`.
    pub fn verify(
        &self,
        key: &PublicKey,
        scheme: Scheme,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        match &self.0 {
            Mode::Native => key.verify(scheme, message, signature),
            Mode::Accepting(accepted) => {
                accepted.contains(key, scheme, message, signature)
                    || key.verify(scheme, message, signature)
            }
            Mode::Record(list) => {
                if let (true, Some(material)) = (listed(key, scheme), KeyMaterial::of(key)) {
                    list.borrow_mut().push(SignatureCheck::new(
                        material,
                        scheme,
                        message.to_vec(),
                        signature.to_vec(),
                    ));
                }
                true
            }
        }
    }
}
