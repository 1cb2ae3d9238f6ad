//! What ties an Ext envelope's parts together, beyond the PK token's own checks: `att` over
//! this PAE, the envelope signature by the token's ephemeral key, `keyid` naming that key, and
//! the Rekor entry — in the log the trusted root names (SET, inclusion proof, signed
//! checkpoint), over this PAE's digest and this signature, logging a certificate whose
//! SubjectKeyId is this very PK token and whose key is the token's ephemeral key, integrated
//! while that certificate was valid. The Go verifier checks neither the signature in the
//! entry, nor the certificate's key, nor the checkpoint (spec sigstore.md §6 (b)–(d)).

use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};

use super::envelope::ExtEnvelope;
use crate::json::raw;
use crate::pktoken::Cic;
use crate::report::Checklist;
use crate::sigstore::bundle::Content;
use crate::sigstore::cert::Cert;
use crate::sigstore::keys::{HashAlg, PublicKey, Scheme};
use crate::sigstore::rekor::{self, Expected};
use crate::sigstore::signatures::Signatures;
use crate::sigstore::time::Millis;
use crate::sigstore::trusted_root::TrustedRoot;
use crate::sigstore::{der_raw, pem};
use crate::{b64, hex, UnixTime, VerifyError};

/// The DER prefix of a P-256 SubjectPublicKeyInfo before its uncompressed point
/// (id-ecPublicKey, prime256v1, BIT STRING of 66 bytes).
const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];

/// id-ce-subjectKeyIdentifier.
const SUBJECT_KEY_ID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.14");

/// What the log proves about an Ext envelope.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtLog {
    /// The log's base URL.
    pub log: String,
    /// The entry's index.
    pub log_index: u64,
    /// When the log integrated the entry (verified by its SET).
    pub integrated_time: UnixTime,
    /// The trusted root that named the log ([`TrustedRoot::label`]).
    pub trusted_root: String,
}

fn cert_mismatch(field: &'static str) -> VerifyError {
    VerifyError::ExtCertificateMismatch { field }
}

/// The certificate a hashedrekord 0.0.1 body logs (`spec.signature.publicKey.content`: base64
/// of a PEM certificate); refuses any other entry kind.
fn logged_certificate(body: &[u8]) -> Result<Cert, VerifyError> {
    let invalid = |reason| VerifyError::TlogEntryInvalid { reason };
    let text = core::str::from_utf8(body).map_err(|_| invalid("the body is not UTF-8"))?;
    let body: &RawValue =
        serde_json::from_str(text).map_err(|_| invalid("the body is not JSON"))?;
    let at = |path: &[&str]| raw::pointer(body, path).and_then(raw::string);
    if at(&["kind"]).as_deref() != Some("hashedrekord")
        || at(&["apiVersion"]).as_deref() != Some("0.0.1")
    {
        return Err(invalid("an Ext envelope's entry is hashedrekord 0.0.1"));
    }
    let content = at(&["spec", "signature", "publicKey", "content"]).ok_or(
        VerifyError::TlogBodyMismatch {
            field: "signature.publicKey",
        },
    )?;
    let pem_text = b64::decode_dsse(&content, "signature.publicKey")?;
    let (_, der) = pem::decode(&String::from_utf8_lossy(&pem_text))
        .filter(|(label, _)| label == "CERTIFICATE")
        .ok_or(VerifyError::CertificateInvalid {
            reason: "the logged public key is not a PEM certificate",
        })?;
    Cert::parse(&der)
}

/// The SubjectKeyIdentifier's bytes.
fn subject_key_id(cert: &Cert) -> Option<&[u8]> {
    let ext = cert.extension(&SUBJECT_KEY_ID)?;
    match der_raw::tlv(&ext.value)? {
        (whole, id, []) if whole.first() == Some(&0x04) => Some(id),
        _ => None,
    }
}

/// Runs the binding checks, each a checklist step.
pub(super) fn verify(
    env: &ExtEnvelope,
    cic: &Cic,
    iat: Option<i64>,
    root: &TrustedRoot,
    now: UnixTime,
    ck: &mut Checklist,
) -> Result<ExtLog, VerifyError> {
    let pae = env.pae();
    let digest = Sha256::digest(&pae).to_vec();
    ck.step("att", cic.check_att(&pae), |()| {
        "Verified att binds the PK token to this attestation (SHA-256 of the DSSE PAE)".into()
    })?;
    let upk = PublicKey::P256(*cic.upk().verifying_key());
    let signed = upk.verify(Scheme::Ecdsa(HashAlg::Sha256), &pae, &env.sig);
    ck.step(
        "ext.signature",
        if signed {
            Ok(())
        } else {
            Err(VerifyError::SignatureInvalid {
                what: "the envelope signature by the PK token's ephemeral key",
            })
        },
        |()| "Verified the envelope signature by the PK token's ephemeral key".into(),
    )?;
    let mut spki = P256_SPKI_PREFIX.to_vec();
    spki.extend_from_slice(cic.upk().coordinates());
    let key_id = hex::encode(&Sha256::digest(&spki));
    ck.step(
        "ext.keyid",
        if env.keyid == key_id {
            Ok(())
        } else {
            Err(VerifyError::InvalidField {
                what: "OpenPubkey Ext signature",
                field: "keyid (not the SHA-256 of the ephemeral key)",
            })
        },
        |()| format!("Verified keyid {key_id} names the ephemeral key"),
    )?;
    let cert = ck.step(
        "ext.certificate",
        logged_certificate(&env.tl.body).and_then(|cert| {
            if subject_key_id(&cert) != Some(env.pkt.as_slice()) {
                return Err(cert_mismatch("its SubjectKeyId is not this PK token"));
            }
            if cert.spki != spki {
                return Err(cert_mismatch("its key is not the PK token's ephemeral key"));
            }
            Ok(cert)
        }),
        |_| "Verified the logged certificate carries this PK token and its ephemeral key".into(),
    )?;
    let content = Content::MessageSignature {
        digest: Some((HashAlg::Sha256, digest.clone())),
        signature: env.sig.clone(),
    };
    let expected = Expected {
        content: &content,
        artifact_digest: Some((HashAlg::Sha256, &digest)),
        signer_der: &cert.der,
        signer_is_certificate: true,
        signer_key: &cert.key,
    };
    let entry = ck.step(
        "tlog",
        rekor::verify_entry(
            &env.tl,
            &root.tlogs,
            &expected,
            true,
            Millis::from_secs(now.0),
            &Signatures::native(),
        ),
        |e| {
            format!(
                "Verified transparency log entry {} in {} (trusted root: {})",
                e.log_index,
                e.log,
                root.label()
            )
        },
    )?;
    let integrated = entry.integrated_time.ok_or(VerifyError::NoVerifiedTime {
        reason: "the entry's SET gave no integrated time",
    })?;
    ck.step(
        "ext.time",
        if integrated >= cert.not_before && integrated <= cert.not_after {
            Ok(())
        } else {
            Err(VerifyError::OutsideValidity {
                what: "logged certificate",
                time: integrated.to_string(),
            })
        },
        |()| match iat {
            Some(iat) => format!(
                "Logged at {integrated}, inside the certificate's validity (ID token issued at {})",
                UnixTime(iat)
            ),
            None => format!("Logged at {integrated}, inside the certificate's validity"),
        },
    )?;
    Ok(ExtLog {
        log: entry.log,
        log_index: entry.log_index,
        integrated_time: integrated.unix_time(),
        trusted_root: root.label(),
    })
}
