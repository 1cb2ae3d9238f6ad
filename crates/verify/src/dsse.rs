//! DSSE envelopes (secure-systems-lab/dsse v1) and the pre-authentication encoding (PAE).

use crate::json::raw::{self, Unknown};
use crate::limits::{self, Limit};
use crate::{b64, VerifyError};

/// The only payload type OpenPubkey attestations use.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One DSSE signature: `keyid` and the decoded `sig` bytes (for OPK, a PK token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseSignature {
    /// The `keyid` (`OPK` for OpenPubkey; may be empty).
    pub keyid: String,
    /// The decoded signature bytes.
    pub sig: Vec<u8>,
}

/// A parsed DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `payloadType` as received.
    pub payload_type: String,
    /// The decoded payload bytes (the in-toto statement).
    pub payload: Vec<u8>,
    /// The signatures (1 to [`limits::MAX_DSSE_SIGNATURES`]).
    pub signatures: Vec<DsseSignature>,
}

impl Envelope {
    /// Parses envelope JSON, bounded in size and signature count, without building it: DSSE
    /// defines three members (secure-systems-lab/dsse envelope.md) and a signature two, and
    /// anything else is refused at its key, before its value is read; the payload's base64 is
    /// read in place and decoded once, and the signatures are counted as they are read.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "DSSE envelope";
        let Head {
            payload_type,
            payload,
            signatures: sigs,
        } = head(bytes, WHAT)?;
        if sigs.is_empty() {
            return Err(VerifyError::MissingField {
                what: WHAT,
                field: "signatures",
            });
        }
        let signatures = sigs
            .iter()
            .map(|s| {
                if !s.get().starts_with('{') {
                    return Err(VerifyError::InvalidField {
                        what: WHAT,
                        field: "signatures",
                    });
                }
                let sm = raw::members_of(s, "DSSE signature", &["keyid", "sig"], Unknown::Refuse)?;
                Ok(DsseSignature {
                    keyid: sm.opt_str("keyid")?.unwrap_or_default().into_owned(),
                    sig: b64::decode_dsse(&sm.str("sig")?, "DSSE sig")?,
                })
            })
            .collect::<Result<Vec<_>, VerifyError>>()?;
        Ok(Self {
            payload_type,
            payload,
            signatures,
        })
    }

    /// The PAE of this envelope's payload type and payload.
    pub fn pae(&self) -> Vec<u8> {
        pae(self.payload_type.as_bytes(), &self.payload)
    }
}

/// What every DSSE envelope shares, read in place: bounded in size, its three members and no
/// other (an unknown one is refused at its key), the payload decoded once, the signatures
/// counted as they are read (each left unread for the caller's own rules).
pub(crate) struct Head<'a> {
    /// `payloadType` as received.
    pub payload_type: String,
    /// The decoded payload.
    pub payload: Vec<u8>,
    /// The signatures, raw.
    pub signatures: Vec<&'a serde_json::value::RawValue>,
}

/// Reads the [`Head`] of envelope JSON (`what` names it in errors).
pub(crate) fn head<'a>(bytes: &'a [u8], what: &'static str) -> Result<Head<'a>, VerifyError> {
    limits::check(
        bytes.len(),
        limits::MAX_ENVELOPE_BYTES,
        Limit::EnvelopeBytes,
    )?;
    let m = raw::members(
        bytes,
        what,
        &["payloadType", "payload", "signatures"],
        Unknown::Refuse,
    )?;
    Ok(Head {
        payload_type: m.str("payloadType")?.into_owned(),
        payload: b64::decode_dsse(&m.str("payload")?, "DSSE payload")?,
        signatures: m.array(
            "signatures",
            limits::MAX_DSSE_SIGNATURES,
            Limit::DsseSignatures,
        )?,
    })
}

/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as ASCII decimal byte counts.
pub fn pae(payload_type: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + body.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type);
    out.push(b' ');
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_members_are_refused() {
        let ok =
            br#"{"payloadType":"x","payload":"e30=","signatures":[{"keyid":"OPK","sig":"AA=="}]}"#;
        assert!(Envelope::parse(ok).is_ok());
        for (bad, what, member) in [
            (
                r#"{"payloadType":"x","payload":"e30=","signatures":[{"jeyid":"OPK","sig":"AA=="}]}"#,
                "DSSE signature",
                "jeyid",
            ),
            (
                r#"{"payloadType":"x","payload":"e30=","signatures":[{"sig":"AA=="}],"extra":1}"#,
                "DSSE envelope",
                "extra",
            ),
        ] {
            assert_eq!(
                Envelope::parse(bad.as_bytes()).unwrap_err(),
                VerifyError::UnknownMember {
                    what,
                    member: member.into()
                }
            );
        }
    }

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // From the DSSE protocol document: PAE("http://example.com/HelloWorld", "hello world").
        assert_eq!(
            pae(b"http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn envelope_shape_is_enforced() {
        assert_eq!(
            Envelope::parse(br#"{"payloadType":"x","payload":"","signatures":[]}"#),
            Err(VerifyError::MissingField {
                what: "DSSE envelope",
                field: "signatures"
            })
        );
        assert_eq!(
            Envelope::parse(br#"{"payloadType":"x","payload":"e30 =","signatures":[{"sig":""}]}"#),
            Err(VerifyError::BadBase64 {
                what: "DSSE payload"
            })
        );
        let e = Envelope::parse(
            br#"{"payloadType":"x","payload":"e30=","signatures":[{"keyid":"OPK","sig":"AA=="}]}"#,
        )
        .unwrap();
        assert_eq!(e.payload, b"{}");
        assert_eq!(e.signatures[0].sig, vec![0]);
    }
}
