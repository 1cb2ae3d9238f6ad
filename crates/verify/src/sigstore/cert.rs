//! X.509 certificates as the verifier needs them: the exact TBS bytes the issuer signed, the
//! key, the validity window, the extensions (key usage, extended key usage, basic constraints,
//! subject alternative names, Fulcio's identity extensions), and whether a signature by an
//! issuer's key verifies over those bytes.

use const_oid::ObjectIdentifier;
use der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::Certificate;

use super::der_raw;
use super::keys::{HashAlg, PublicKey, Scheme};
use super::signatures::Signatures;
use super::time::Millis;
use crate::VerifyError;

/// Key usage, extended key usage, basic constraints, subject alternative names.
const KU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const BC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// id-kp-codeSigning, id-kp-timeStamping, anyExtendedKeyUsage.
pub const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// id-kp-timeStamping.
pub const TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// The embedded SCT list and the CT precertificate poison.
pub const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
const CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");

/// Extensions a certificate may mark critical here (their meaning is checked or harmless).
const HANDLED_CRITICAL: [ObjectIdentifier; 4] = [KU, EKU, BC, SAN];

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::CertificateInvalid { reason }
}

/// One extension: OID, criticality, the DER value (the OCTET STRING's contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Its OID.
    pub oid: ObjectIdentifier,
    /// Whether it is critical.
    pub critical: bool,
    /// Its value.
    pub value: Vec<u8>,
}

/// A parsed certificate.
#[derive(Debug, Clone)]
pub struct Cert {
    /// The certificate's DER, as received.
    pub der: Vec<u8>,
    /// The TBSCertificate's DER, as received: what the issuer signed.
    pub tbs: Vec<u8>,
    signature_scheme: Option<Scheme>,
    signature: Vec<u8>,
    /// The issuer name's DER.
    pub issuer: Vec<u8>,
    /// The serial number's DER (an INTEGER).
    pub serial: Vec<u8>,
    /// The subject name's DER.
    pub subject: Vec<u8>,
    /// The SubjectPublicKeyInfo's DER.
    pub spki: Vec<u8>,
    /// The subject's key.
    pub key: PublicKey,
    /// notBefore.
    pub not_before: Millis,
    /// notAfter.
    pub not_after: Millis,
    /// Its extensions.
    pub extensions: Vec<Extension>,
}

/// The scheme a certificate signature algorithm names (PSS and others: unsupported).
fn scheme_of(oid: &ObjectIdentifier) -> Option<Scheme> {
    Some(match oid.to_string().as_str() {
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(HashAlg::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(HashAlg::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(HashAlg::Sha512),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(HashAlg::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(HashAlg::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(HashAlg::Sha512),
        "1.3.101.112" => Scheme::Ed25519,
        _ => return None,
    })
}

fn millis(t: x509_cert::time::Time) -> Millis {
    Millis::from_secs(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}

impl Cert {
    /// Parses a DER certificate.
    pub fn parse(der: &[u8]) -> Result<Self, VerifyError> {
        let cert =
            Certificate::from_der(der).map_err(|_| invalid("not a DER X.509 certificate"))?;
        let (_, outer, rest) = der_raw::tlv(der).ok_or(invalid("not a DER X.509 certificate"))?;
        if !rest.is_empty() {
            return Err(invalid("data after the certificate"));
        }
        let parts = der_raw::children(outer).ok_or(invalid("not a DER X.509 certificate"))?;
        let tbs = parts.first().ok_or(invalid("no TBSCertificate"))?;
        let t = cert.tbs_certificate();
        let spki = t
            .subject_public_key_info()
            .to_der()
            .map_err(|_| invalid("subject public key info"))?;
        let extensions = t
            .extensions()
            .map(|e| {
                e.iter()
                    .map(|x| Extension {
                        oid: x.extn_id,
                        critical: x.critical,
                        value: x.extn_value.as_bytes().to_vec(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let validity = t.validity();
        Ok(Self {
            der: der.to_vec(),
            tbs: tbs.to_vec(),
            signature_scheme: scheme_of(&cert.signature_algorithm().oid),
            signature: cert
                .signature()
                .as_bytes()
                .ok_or(invalid("signature bit string has unused bits"))?
                .to_vec(),
            issuer: t.issuer().to_der().map_err(|_| invalid("issuer name"))?,
            serial: t
                .serial_number()
                .to_der()
                .map_err(|_| invalid("serial number"))?,
            subject: t.subject().to_der().map_err(|_| invalid("subject name"))?,
            key: PublicKey::from_spki_der(&spki)
                .map_err(|_| invalid("subject public key not supported"))?,
            spki,
            not_before: millis(validity.not_before),
            not_after: millis(validity.not_after),
            extensions,
        })
    }

    /// Whether `issuer` (its subject and key) issued this certificate: names chain and the
    /// signature over the TBS bytes as received verifies.
    pub fn issued_by(&self, issuer: &Cert, sigs: &Signatures<'_>) -> bool {
        self.issuer == issuer.subject
            && self
                .signature_scheme
                .is_some_and(|s| sigs.verify(&issuer.key, s, &self.tbs, &self.signature))
    }

    /// Whether `t` is inside notBefore..=notAfter.
    pub fn valid_at(&self, t: Millis) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// The extension `oid`, if present.
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<&Extension> {
        self.extensions.iter().find(|e| &e.oid == oid)
    }

    /// Basic constraints: `(cA, pathLenConstraint)`; absent: not a CA.
    pub fn basic_constraints(&self) -> Result<(bool, Option<u8>), VerifyError> {
        match self.extension(&BC) {
            None => Ok((false, None)),
            Some(e) => BasicConstraints::from_der(&e.value)
                .map(|bc| (bc.ca, bc.path_len_constraint))
                .map_err(|_| invalid("basic constraints malformed")),
        }
    }

    fn key_usage(&self) -> Result<Option<KeyUsage>, VerifyError> {
        self.extension(&KU)
            .map(|e| KeyUsage::from_der(&e.value).map_err(|_| invalid("key usage malformed")))
            .transpose()
    }

    fn extended_key_usage(&self) -> Result<Option<Vec<ObjectIdentifier>>, VerifyError> {
        self.extension(&EKU)
            .map(|e| {
                ExtendedKeyUsage::from_der(&e.value)
                    .map(|x| x.0)
                    .map_err(|_| invalid("extended key usage malformed"))
            })
            .transpose()
    }

    /// Refuses critical extensions this verifier does not process (and a CT precertificate).
    fn known_critical(&self, also: &[ObjectIdentifier]) -> Result<(), VerifyError> {
        if self.extension(&CT_POISON).is_some() {
            return Err(invalid("a CT precertificate, not a certificate"));
        }
        match self
            .extensions
            .iter()
            .find(|e| e.critical && !HANDLED_CRITICAL.contains(&e.oid) && !also.contains(&e.oid))
        {
            Some(_) => Err(invalid("unhandled critical extension")),
            None => Ok(()),
        }
    }

    /// The profile of a signing leaf: not a CA, key usage with digitalSignature, extended key
    /// usage naming `eku` (code signing for Fulcio, time stamping for a TSA), no unhandled
    /// critical extension. `eku_only` also requires `eku` to be the only one (RFC 3161 §2.3).
    pub fn check_leaf(&self, eku: ObjectIdentifier, eku_only: bool) -> Result<(), VerifyError> {
        self.known_critical(&[])?;
        if self.basic_constraints()?.0 {
            return Err(invalid("the signing certificate is a CA"));
        }
        match self.key_usage()? {
            Some(ku) if ku.0.contains(KeyUsages::DigitalSignature) => {}
            Some(_) => return Err(invalid("key usage lacks digitalSignature")),
            None if eku == TIME_STAMPING => {}
            None => return Err(invalid("no key usage")),
        }
        let ekus = self
            .extended_key_usage()?
            .ok_or(invalid("no extended key usage"))?;
        if !ekus.contains(&eku) || (eku_only && ekus.len() != 1) {
            return Err(invalid("extended key usage does not allow this signature"));
        }
        if eku_only && !self.extension(&EKU).is_some_and(|e| e.critical) {
            return Err(invalid("time-stamping extended key usage is not critical"));
        }
        Ok(())
    }

    /// The profile of an issuing certificate in a path: a CA (basic constraints cA), allowed
    /// to sign certificates (keyCertSign, when key usage is present), its path length not
    /// exceeded (`below` CA certificates under it), and — when it restricts extended key
    /// usage — allowing `eku`.
    pub fn check_issuer(&self, below: usize, eku: ObjectIdentifier) -> Result<(), VerifyError> {
        self.known_critical(&[])?;
        let (ca, path_len) = self.basic_constraints()?;
        if !ca {
            return Err(VerifyError::ChainInvalid {
                reason: "an issuer is not a CA",
            });
        }
        if path_len.is_some_and(|max| below > usize::from(max)) {
            return Err(VerifyError::ChainInvalid {
                reason: "path length constraint exceeded",
            });
        }
        if self
            .key_usage()?
            .is_some_and(|ku| !ku.0.contains(KeyUsages::KeyCertSign))
        {
            return Err(VerifyError::ChainInvalid {
                reason: "an issuer may not sign certificates",
            });
        }
        if self
            .extended_key_usage()?
            .is_some_and(|ekus| !ekus.contains(&eku) && !ekus.contains(&ANY_EKU))
        {
            return Err(VerifyError::ChainInvalid {
                reason: "an issuer's extended key usage excludes this use",
            });
        }
        Ok(())
    }

    /// The subject alternative names: `(URIs, emails, other names)`; other names are their
    /// UTF-8 text where they hold one (Fulcio's username identity, 1.3.6.1.4.1.57264.1.7).
    pub fn subject_alt_names(&self) -> Result<Vec<String>, VerifyError> {
        let Some(e) = self.extension(&SAN) else {
            return Ok(Vec::new());
        };
        let san = SubjectAltName::from_der(&e.value).map_err(|_| invalid("SAN malformed"))?;
        Ok(san
            .0
            .into_iter()
            .filter_map(|n| match n {
                GeneralName::UniformResourceIdentifier(u) => Some(u.as_str().to_owned()),
                GeneralName::Rfc822Name(m) => Some(m.as_str().to_owned()),
                GeneralName::OtherName(o) => o
                    .value
                    .decode_as::<der::asn1::Utf8StringRef<'_>>()
                    .ok()
                    .map(|s| s.as_str().to_owned()),
                _ => None,
            })
            .collect())
    }
}
