//! RFC 3161 timestamps (`TimeStampResp` → CMS `SignedData` → `TSTInfo`), read from the DER as
//! received. A timestamp establishes a signing time only if: the response granted it; the
//! signed attributes name TSTInfo and carry its digest; the authority's signature over those
//! attributes verifies; the imprint is the digest of the bundle's signature; and one trusted
//! timestamp authority, alone, vouches for the signer at that time — its pinned leaf (or a
//! certificate it issued, for authorities listing only CAs), time-stamping its only, critical
//! extended key usage, the whole path valid at the time, the time inside the authority's window
//! (TOB-SIGSTORE-11; sigstore-conformance `rekor2-timestamp-*`).

use const_oid::ObjectIdentifier;
use der::Decode as _;

use super::cert::{Cert, TIME_STAMPING};
use super::chain::{self, ParsedAuthority};
use super::der_raw::{children, tlv};
use super::keys::{HashAlg, PublicKey, Scheme};
use super::signatures::Signatures;
use super::time::{from_fields, Millis};
use super::trusted_root::Authority;
use crate::VerifyError;

const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const ATTR_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const ATTR_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::TimestampInvalid { reason }
}

fn oid_of(tlv_bytes: &[u8]) -> Option<ObjectIdentifier> {
    ObjectIdentifier::from_der(tlv_bytes).ok()
}

/// An AlgorithmIdentifier's OID.
fn algorithm(tlv_bytes: &[u8]) -> Option<ObjectIdentifier> {
    let (_, c, _) = tlv(tlv_bytes)?;
    oid_of(children(c)?.first()?)
}

/// A parsed timestamp token (unverified).
#[derive(Debug, Clone)]
pub struct Timestamp {
    /// The signed attributes, re-tagged as `SET OF` (what the signature covers).
    signed_attrs: Vec<u8>,
    digest_alg: HashAlg,
    signature_alg: ObjectIdentifier,
    signature: Vec<u8>,
    /// The signer's issuer name and serial number DER (IssuerAndSerialNumber), if given so.
    sid_issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
    /// Certificates the token embeds (for path building only, never anchors).
    embedded: Vec<Vec<u8>>,
    /// `genTime`.
    pub gen_time: Millis,
    imprint: (HashAlg, Vec<u8>),
}

/// `YYYYMMDDHHMMSS[.f…]Z`.
fn generalized_time(contents: &[u8]) -> Option<Millis> {
    let s = core::str::from_utf8(contents).ok()?;
    let (main, rest) = s.split_at_checked(14)?;
    if !main.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| main.get(a..b)?.parse::<i64>().ok();
    let ms = match rest.strip_suffix('Z')? {
        "" => 0,
        frac => {
            let digits = frac.strip_prefix('.')?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let padded = format!("{digits:0<3}");
            padded.get(..3)?.parse::<i64>().ok()?
        }
    };
    from_fields(
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
        ms,
    )
}

impl Timestamp {
    /// Parses a DER `TimeStampResp`.
    pub fn parse(der: &[u8]) -> Result<Self, VerifyError> {
        Self::parse_inner(der).ok_or(invalid("not a well-formed RFC 3161 response"))?
    }

    fn parse_inner(der: &[u8]) -> Option<Result<Self, VerifyError>> {
        let (_, resp, rest) = tlv(der)?;
        if !rest.is_empty() {
            return None;
        }
        let resp = children(resp)?;
        let (_, status, _) = tlv(resp.first()?)?;
        let (_, code, _) = tlv(children(status)?.first()?)?;
        if code != [0] && code != [1] {
            return Some(Err(invalid("the authority did not grant the timestamp")));
        }
        let (_, content_info, _) = tlv(resp.get(1)?)?;
        let ci = children(content_info)?;
        if oid_of(ci.first()?)?.to_string() != SIGNED_DATA {
            return None;
        }
        let (_, explicit, _) = tlv(ci.get(1)?)?;
        let (_, signed_data, _) = tlv(explicit)?;
        let sd = children(signed_data)?;
        // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
        let (_, encap, _) = tlv(sd.get(2)?)?;
        let encap = children(encap)?;
        if oid_of(encap.first()?)?.to_string() != TST_INFO {
            return Some(Err(invalid("the token does not hold a TSTInfo")));
        }
        let (_, econtent, _) = tlv(encap.get(1)?)?;
        let (_, tst_info, _) = tlv(econtent)?;
        let mut embedded = Vec::new();
        let mut signer_infos = None;
        for part in sd.get(3..)? {
            match part.first()? {
                0xa0 => {
                    embedded = children(tlv(part)?.1)?
                        .into_iter()
                        .map(<[u8]>::to_vec)
                        .collect()
                }
                0xa1 => {}
                0x31 => signer_infos = Some(children(tlv(part)?.1)?),
                _ => return None,
            }
        }
        let infos = signer_infos?;
        let [info] = infos.as_slice() else {
            return Some(Err(invalid("the token needs exactly one signer")));
        };
        let si = children(tlv(info)?.1)?;
        // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature, …
        let sid = si.get(1)?;
        let sid_issuer_serial = if sid.first() == Some(&0x30) {
            let kids = children(tlv(sid)?.1)?;
            Some((kids.first()?.to_vec(), kids.get(1)?.to_vec()))
        } else {
            None
        };
        let digest_alg = HashAlg::from_oid(&algorithm(si.get(2)?)?)?;
        let attrs = si.get(3)?;
        if attrs.first() != Some(&0xa0) {
            return Some(Err(invalid("the token has no signed attributes")));
        }
        let mut signed_attrs = attrs.to_vec();
        *signed_attrs.first_mut()? = 0x31;
        let signature_alg = algorithm(si.get(4)?)?;
        let signature = tlv(si.get(5)?)?.1.to_vec();
        // The signed attributes: contentType is TSTInfo, messageDigest is its digest.
        let mut content_type_ok = false;
        let mut digest_ok = false;
        for attr in children(tlv(attrs)?.1)? {
            let kids = children(tlv(attr)?.1)?;
            let kind = oid_of(kids.first()?)?.to_string();
            let values = children(tlv(kids.get(1)?)?.1)?;
            let [value] = values.as_slice() else {
                return Some(Err(invalid("a signed attribute with several values")));
            };
            if kind == ATTR_CONTENT_TYPE {
                content_type_ok = oid_of(value)?.to_string() == TST_INFO;
            } else if kind == ATTR_MESSAGE_DIGEST {
                digest_ok = tlv(value)?.1 == digest_alg.digest(tst_info).as_slice();
            }
        }
        if !content_type_ok {
            return Some(Err(invalid("the signed attributes do not name TSTInfo")));
        }
        if !digest_ok {
            return Some(Err(invalid(
                "the signed attributes' digest is not the TSTInfo's",
            )));
        }
        let tst = children(tlv(tst_info)?.1)?;
        // version, policy, messageImprint, serialNumber, genTime, …
        let imprint = children(tlv(tst.get(2)?)?.1)?;
        let imprint_alg = HashAlg::from_oid(&algorithm(imprint.first()?)?);
        let Some(imprint_alg) = imprint_alg else {
            return Some(Err(invalid("imprint hash algorithm not allowed")));
        };
        let hashed = tlv(imprint.get(1)?)?.1.to_vec();
        let gen_tlv = tst.get(4)?;
        if gen_tlv.first() != Some(&0x18) {
            return None;
        }
        let gen_time = generalized_time(tlv(gen_tlv)?.1)?;
        Some(Ok(Self {
            signed_attrs,
            digest_alg,
            signature_alg,
            signature,
            sid_issuer_serial,
            embedded,
            gen_time,
            imprint: (imprint_alg, hashed),
        }))
    }

    fn scheme(&self, key: &PublicKey) -> Option<Scheme> {
        let named = match self.signature_alg.to_string().as_str() {
            "1.2.840.10045.4.3.2" => Scheme::Ecdsa(HashAlg::Sha256),
            "1.2.840.10045.4.3.3" => Scheme::Ecdsa(HashAlg::Sha384),
            "1.2.840.10045.4.3.4" => Scheme::Ecdsa(HashAlg::Sha512),
            "1.2.840.10045.2.1" => Scheme::Ecdsa(self.digest_alg),
            "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(HashAlg::Sha256),
            "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(HashAlg::Sha384),
            "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(HashAlg::Sha512),
            "1.2.840.113549.1.1.1" => Scheme::RsaPkcs1(self.digest_alg),
            "1.3.101.112" => Scheme::Ed25519,
            _ => return None,
        };
        match (named, key) {
            (Scheme::Ecdsa(_), PublicKey::P256(_) | PublicKey::P384(_))
            | (Scheme::RsaPkcs1(_), PublicKey::Rsa(_))
            | (Scheme::Ed25519, PublicKey::Ed25519(_)) => Some(named),
            _ => None,
        }
    }

    /// Verifies this timestamp over `signature` (the bundle's signature bytes) against the
    /// trusted timestamp authorities; returns its time.
    pub fn verify(
        &self,
        signature: &[u8],
        authorities: &[Authority],
        sigs: &Signatures<'_>,
    ) -> Result<Millis, VerifyError> {
        let (alg, hashed) = &self.imprint;
        if alg.digest(signature) != *hashed {
            return Err(invalid("the timestamp is over another signature"));
        }
        let embedded: Vec<Cert> = self
            .embedded
            .iter()
            .filter_map(|d| Cert::parse(d).ok())
            .collect();
        let mut last = invalid("no trusted timestamp authority signed it");
        for authority in authorities.iter().filter(|a| !a.chain.is_empty()) {
            let parsed = ParsedAuthority::parse(authority)?;
            // The signer: the authority's pinned leaf, or for an authority of CAs only, an
            // embedded certificate one of them issued.
            let pinned = parsed
                .certs
                .first()
                .filter(|c| !matches!(c.basic_constraints(), Ok((true, _))));
            let candidates: Vec<&Cert> = match pinned {
                Some(leaf) => vec![leaf],
                None => embedded.iter().collect(),
            };
            for signer in candidates {
                match self.check_signer(signer, &parsed, pinned.is_some(), sigs) {
                    Ok(()) => return Ok(self.gen_time),
                    Err(e) => last = e,
                }
            }
        }
        Err(last)
    }

    fn check_signer(
        &self,
        signer: &Cert,
        authority: &ParsedAuthority<'_>,
        pinned: bool,
        sigs: &Signatures<'_>,
    ) -> Result<(), VerifyError> {
        if let Some((issuer, serial)) = &self.sid_issuer_serial {
            if *issuer != signer.issuer || *serial != signer.serial {
                return Err(invalid("the token names another signer"));
            }
        }
        let scheme = self
            .scheme(&signer.key)
            .ok_or(invalid("signature algorithm does not fit the key"))?;
        if !sigs.verify(&signer.key, scheme, &self.signed_attrs, &self.signature) {
            return Err(invalid("the authority's signature does not verify"));
        }
        signer.check_leaf(TIME_STAMPING, true)?;
        let t = self.gen_time;
        if !authority.authority.valid_for.contains(t) {
            return Err(VerifyError::OutsideValidity {
                what: "timestamp authority",
                time: t.to_string(),
            });
        }
        if !signer.valid_at(t) {
            return Err(VerifyError::OutsideValidity {
                what: "timestamp authority certificate",
                time: t.to_string(),
            });
        }
        if pinned {
            // The rest of the authority's chain must still be valid at the time.
            let rest = ParsedAuthority {
                authority: authority.authority,
                certs: authority.certs.get(1..).unwrap_or_default().to_vec(),
            };
            if rest.certs.is_empty() {
                return Ok(());
            }
            chain::verify_at(signer, &rest, t, TIME_STAMPING, sigs).map(|_| ())
        } else {
            chain::verify_at(signer, authority, t, TIME_STAMPING, sigs).map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times() {
        assert_eq!(
            generalized_time(b"20250612120220Z"),
            super::super::time::parse_rfc3339("2025-06-12T12:02:20Z")
        );
        assert_eq!(
            generalized_time(b"20250612120220.5Z").map(|m| m.0 % 1000),
            Some(500)
        );
        assert_eq!(
            generalized_time(b"20250612120220.123456Z").map(|m| m.0 % 1000),
            Some(123)
        );
        for bad in [
            &b"20250612120220"[..],
            b"2025061212022Z",
            b"20250612120220.Z",
            b"20251312120220Z",
        ] {
            assert_eq!(generalized_time(bad), None);
        }
    }
}
