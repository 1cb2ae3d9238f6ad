//! DSSE envelopes (secure-systems-lab/dsse v1) and the pre-authentication encoding (PAE).

use crate::json::{self, Fields};
use crate::limits::{self, Limit};
use crate::{b64, VerifyError};

/// The only payload type OpenPubkey attestations use.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// DSSE defines these members and no others (secure-systems-lab/dsse envelope.md): anything else
/// is refused rather than ignored.
fn only_members(
    map: &serde_json::Map<String, serde_json::Value>,
    what: &'static str,
    allowed: &[&str],
) -> Result<(), VerifyError> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(VerifyError::UnknownMember {
            what,
            member: k.clone(),
        }),
        None => Ok(()),
    }
}

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
    /// Parses envelope JSON, bounded in size and signature count.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        const WHAT: &str = "DSSE envelope";
        limits::check(
            bytes.len(),
            limits::MAX_ENVELOPE_BYTES,
            Limit::EnvelopeBytes,
        )?;
        let map = json::parse_object(bytes, WHAT)?;
        only_members(&map, WHAT, &["payloadType", "payload", "signatures"])?;
        let f = Fields::new(&map, WHAT);
        let payload_type = f.str("payloadType")?.to_owned();
        let payload = b64::decode_dsse(f.str("payload")?, "DSSE payload")?;
        let sigs = f.array("signatures")?;
        if sigs.is_empty() {
            return Err(VerifyError::MissingField {
                what: WHAT,
                field: "signatures",
            });
        }
        limits::check(
            sigs.len(),
            limits::MAX_DSSE_SIGNATURES,
            Limit::DsseSignatures,
        )?;
        let signatures = sigs
            .iter()
            .map(|s| {
                let obj = s.as_object().ok_or(VerifyError::InvalidField {
                    what: WHAT,
                    field: "signatures",
                })?;
                only_members(obj, "DSSE signature", &["keyid", "sig"])?;
                let sf = Fields::new(obj, "DSSE signature");
                Ok(DsseSignature {
                    keyid: sf.opt_str("keyid")?.unwrap_or_default().to_owned(),
                    sig: b64::decode_dsse(sf.str("sig")?, "DSSE sig")?,
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
