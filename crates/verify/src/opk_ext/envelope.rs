//! The envelope `SignInTotoStatementExt` writes (openpubkey/signed-attestation, spec
//! sigstore.md §6): DSSE whose one signature is an ECDSA P-256 signature (DER) by the PK
//! token's ephemeral key over the PAE, carrying `extension: {kind: "OPK", ext: {pkt, tl}}` —
//! the PK token (its JSON, base64) and the Rekor entry (`LogEntryAnon`) that logged a
//! self-signed certificate holding that token.

use super::log_entry;
use crate::json::raw::{self, Members, Unknown};
use crate::limits::{self, Limit};
use crate::sigstore::bundle::TlogEntry;
use crate::{b64, VerifyError};

pub(super) const WHAT: &str = "OpenPubkey Ext envelope";

/// A parsed, unverified Ext envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtEnvelope {
    /// `payloadType` as received.
    pub payload_type: String,
    /// The decoded payload (the in-toto statement).
    pub payload: Vec<u8>,
    /// The signature's `keyid`: hex SHA-256 of the ephemeral key's SubjectPublicKeyInfo.
    pub keyid: String,
    /// The signature (ASN.1 DER ECDSA) over the PAE.
    pub sig: Vec<u8>,
    /// The PK token's JSON, decoded from `ext.pkt`.
    pub pkt: Vec<u8>,
    /// The Rekor entry, from `ext.tl`.
    pub tl: TlogEntry,
}

pub(super) fn object<'a>(
    raw: &'a serde_json::value::RawValue,
    what: &'static str,
    known: &[&'static str],
) -> Result<Members<'a>, VerifyError> {
    if !raw.get().starts_with('{') {
        return Err(VerifyError::MalformedJson { what });
    }
    raw::members_of(raw, what, known, Unknown::Refuse)
}

fn required<'a>(
    m: &Members<'a>,
    name: &'static str,
    what: &'static str,
) -> Result<&'a serde_json::value::RawValue, VerifyError> {
    m.get(name)
        .ok_or(VerifyError::MissingField { what, field: name })
}

impl ExtEnvelope {
    /// Parses an Ext envelope: bounded like any envelope, every object closed (an unknown
    /// member is refused), exactly one signature — the Go verifier loops over the signatures,
    /// so an envelope with none verifies there; here it is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let crate::dsse::Head {
            payload_type,
            payload,
            signatures: sigs,
        } = crate::dsse::head(bytes, WHAT)?;
        let [sig] = sigs.as_slice() else {
            return Err(VerifyError::UnsupportedFormat {
                reason: "an OpenPubkey Ext envelope has exactly one signature",
            });
        };
        let s = object(sig, WHAT, &["keyid", "sig", "extension"])?;
        let ext = object(required(&s, "extension", WHAT)?, WHAT, &["kind", "ext"])?;
        if ext.str("kind")? != "OPK" {
            return Err(VerifyError::UnsupportedFormat {
                reason: "the signature's extension kind is not OPK",
            });
        }
        let inner = object(required(&ext, "ext", WHAT)?, WHAT, &["pkt", "tl"])?;
        let pkt_b64 = inner.str("pkt")?;
        // Base64 of at most the PK-token limit, checked before decoding.
        limits::check(
            pkt_b64.len() / 4 * 3,
            limits::MAX_PK_TOKEN_BYTES,
            Limit::PkTokenBytes,
        )?;
        let pkt = b64::decode_dsse(&pkt_b64, "ext.pkt")?;
        let tl = log_entry::parse(required(&inner, "tl", WHAT)?)?;
        Ok(Self {
            payload_type,
            payload,
            keyid: s.opt_str("keyid")?.unwrap_or_default().into_owned(),
            sig: b64::decode_dsse(&s.str("sig")?, "DSSE sig")?,
            pkt,
            tl,
        })
    }

    /// The PAE of this envelope's payload type and payload.
    pub fn pae(&self) -> Vec<u8> {
        crate::dsse::pae(self.payload_type.as_bytes(), &self.payload)
    }
}
