//! Embedded signed certificate timestamps (RFC 6962 §3.2): a Fulcio leaf carries the SCTs its CT
//! logs issued for its precertificate. Each is verified against the CT log of the trusted root
//! whose id it names, inside that log key's window, over the precertificate rebuilt from the
//! leaf (its SCT-list extension removed, the other bytes as received) and the key hash of the
//! leaf's *verified* issuer (not one found by name: SR 43a6a67).

use sha2::{Digest as _, Sha256};

use super::cert::{Cert, SCT_LIST};
use super::der_raw;
use super::keys::{HashAlg, Scheme};
use super::signatures::Signatures;
use super::time::Millis;
use super::trusted_root::LogInstance;
use crate::VerifyError;

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::SctInvalid { reason }
}

/// One SCT, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sct {
    /// The CT log's id (SHA-256 of its key).
    pub log_id: [u8; 32],
    /// Milliseconds since the epoch.
    pub timestamp: u64,
    /// Extensions, included verbatim in the signed data.
    pub extensions: Vec<u8>,
    /// `(hash, signature)` algorithm codes (TLS 1.2).
    pub algorithms: (u8, u8),
    /// The signature.
    pub signature: Vec<u8>,
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<usize> {
        let b = self.take(2)?;
        Some(usize::from(u16::from_be_bytes(b.try_into().ok()?)))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n)
    }
}

/// The SCTs embedded in `leaf` (none when it has no SCT-list extension).
pub fn embedded(leaf: &Cert) -> Result<Vec<Sct>, VerifyError> {
    let Some(ext) = leaf.extension(&SCT_LIST) else {
        return Ok(Vec::new());
    };
    let (_, list, rest) =
        der_raw::tlv(&ext.value).ok_or(invalid("SCT list is not an OCTET STRING"))?;
    if !rest.is_empty() || ext.value.first() != Some(&0x04) {
        return Err(invalid("SCT list is not an OCTET STRING"));
    }
    let mut r = Reader(list);
    let mut all = Reader(r.vec16().ok_or(invalid("SCT list length"))?);
    if !r.0.is_empty() {
        return Err(invalid("data after the SCT list"));
    }
    let mut out = Vec::new();
    while !all.0.is_empty() {
        let mut s = Reader(all.vec16().ok_or(invalid("SCT length"))?);
        let parsed = (|| {
            if s.u8()? != 0 {
                return None;
            }
            let log_id: [u8; 32] = s.take(32)?.try_into().ok()?;
            let timestamp = u64::from_be_bytes(s.take(8)?.try_into().ok()?);
            let extensions = s.vec16()?.to_vec();
            let algorithms = (s.u8()?, s.u8()?);
            let signature = s.vec16()?.to_vec();
            s.0.is_empty().then_some(Sct {
                log_id,
                timestamp,
                extensions,
                algorithms,
                signature,
            })
        })()
        .ok_or(invalid("malformed SCT"))?;
        out.push(parsed);
    }
    Ok(out)
}

/// The leaf's TBSCertificate with the SCT-list extension removed: the precertificate's TBS.
pub fn precertificate_tbs(leaf: &Cert) -> Result<Vec<u8>, VerifyError> {
    let bad = || invalid("the certificate's extensions cannot be rebuilt");
    let (_, tbs, _) = der_raw::tlv(&leaf.tbs).ok_or_else(bad)?;
    let mut fields = der_raw::children(tbs).ok_or_else(bad)?;
    let ext_at = fields
        .iter()
        .position(|f| f.first() == Some(&0xa3))
        .ok_or_else(bad)?;
    let (_, explicit, _) = der_raw::tlv(fields.get(ext_at).ok_or_else(bad)?).ok_or_else(bad)?;
    let (_, seq, _) = der_raw::tlv(explicit).ok_or_else(bad)?;
    let kept: Vec<u8> = der_raw::children(seq)
        .ok_or_else(bad)?
        .into_iter()
        .filter(|e| {
            let oid = der_raw::tlv(e)
                .and_then(|(_, c, _)| der_raw::tlv(c))
                .map(|(whole, _, _)| whole);
            oid != Some(&der_raw::wrap(0x06, SCT_LIST.as_bytes())[..])
        })
        .flat_map(|e| e.iter().copied())
        .collect();
    let rebuilt_ext = der_raw::wrap(0xa3, &der_raw::wrap(0x30, &kept));
    fields[ext_at] = &rebuilt_ext;
    let body: Vec<u8> = fields.concat();
    Ok(der_raw::wrap(0x30, &body))
}

/// Verifies the leaf's embedded SCTs: at least one from a trusted CT log, inside that log's
/// window, signed over the precertificate issued by `issuer`; an SCT naming a trusted log whose
/// signature fails is a rejection.
pub fn verify(
    leaf: &Cert,
    issuer: &Cert,
    ctlogs: &[LogInstance],
    sigs: &Signatures<'_>,
) -> Result<(), VerifyError> {
    let scts = embedded(leaf)?;
    if scts.is_empty() {
        return Err(invalid("the certificate carries no SCT"));
    }
    let tbs = precertificate_tbs(leaf)?;
    let tbs_len = u32::try_from(tbs.len()).map_err(|_| invalid("certificate too large"))?;
    let issuer_key_hash = Sha256::digest(&issuer.spki);
    let mut verified = 0;
    for sct in &scts {
        let Some(log) = ctlogs.iter().find(|l| l.log_id == sct.log_id) else {
            continue;
        };
        let ts = Millis(i64::try_from(sct.timestamp).unwrap_or(i64::MAX));
        if !log.valid_for.contains(ts) {
            return Err(invalid("the SCT's time is outside its CT log's window"));
        }
        let scheme = match sct.algorithms {
            (4, 3) => Scheme::Ecdsa(HashAlg::Sha256),
            (4, 1) => Scheme::RsaPkcs1(HashAlg::Sha256),
            _ => return Err(invalid("SCT signature algorithm not supported")),
        };
        let ext_len = u16::try_from(sct.extensions.len()).map_err(|_| invalid("SCT extensions"))?;
        let mut signed = vec![0u8, 0u8];
        signed.extend_from_slice(&sct.timestamp.to_be_bytes());
        signed.extend_from_slice(&1u16.to_be_bytes());
        signed.extend_from_slice(&issuer_key_hash);
        signed.extend_from_slice(&tbs_len.to_be_bytes()[1..]);
        signed.extend_from_slice(&tbs);
        signed.extend_from_slice(&ext_len.to_be_bytes());
        signed.extend_from_slice(&sct.extensions);
        if !sigs.verify(&log.key, scheme, &signed, &sct.signature) {
            return Err(invalid("an SCT's signature does not verify"));
        }
        verified += 1;
    }
    if verified == 0 {
        return Err(invalid("no SCT from a trusted CT log"));
    }
    Ok(())
}
