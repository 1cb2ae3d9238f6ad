//! The test CT log: one P-256 key, and the embedded SCT list (RFC 6962 §3.2–3.3) for a
//! precertificate — signed over the TBS without the SCT extension and the issuer's key hash,
//! exactly what a verifier rebuilds from the final certificate.

use p256::ecdsa::SigningKey;
use sha2::{Digest as _, Sha256};

use crate::der;

/// The CT log's base URL.
pub const CT_URL: &str = "https://ctfe.opk.test/test";

/// The CT log's key.
pub fn key() -> SigningKey {
    SigningKey::from_slice(&[22u8; 32]).unwrap()
}

/// Its log id: SHA-256 of its SubjectPublicKeyInfo.
pub fn log_id() -> [u8; 32] {
    Sha256::digest(der::spki(&key())).into()
}

/// The X.509 extension value (an OCTET STRING around the TLS-encoded list) carrying one SCT
/// for the precertificate `tbs` issued by the key with SubjectPublicKeyInfo `issuer_spki`.
pub fn sct_list(tbs: &[u8], issuer_spki: &[u8], timestamp_ms: u64) -> Vec<u8> {
    let tbs_len = u32::try_from(tbs.len()).unwrap().to_be_bytes();
    let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
    signed.extend_from_slice(&timestamp_ms.to_be_bytes());
    signed.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
    signed.extend_from_slice(&Sha256::digest(issuer_spki));
    signed.extend_from_slice(&tbs_len[1..]);
    signed.extend_from_slice(tbs);
    signed.extend_from_slice(&0u16.to_be_bytes()); // no extensions
    let sig = der::sign(&key(), &signed);
    let mut sct = vec![0u8];
    sct.extend_from_slice(&log_id());
    sct.extend_from_slice(&timestamp_ms.to_be_bytes());
    sct.extend_from_slice(&0u16.to_be_bytes());
    sct.extend_from_slice(&[4, 3]); // SHA-256, ECDSA
    sct.extend_from_slice(&u16::try_from(sig.len()).unwrap().to_be_bytes());
    sct.extend_from_slice(&sig);
    let mut one = u16::try_from(sct.len()).unwrap().to_be_bytes().to_vec();
    one.extend_from_slice(&sct);
    let mut list = u16::try_from(one.len()).unwrap().to_be_bytes().to_vec();
    list.extend_from_slice(&one);
    der::octets(&list)
}
