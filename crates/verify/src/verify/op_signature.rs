//! The OP signature stage: the issuer allowed by the policy, its key found by `kid` in the
//! trust roots, and the OP's signature verified — RS256, or a GQ proof of it (F0 over the
//! original header, F2 over the identity, F3 over the GQ header).

use serde_json::{Map, Value};

use super::Context;
use crate::jose::{jws, rs256, Alg, Header};
use crate::pktoken::{Entry, Format, OpScheme};
use crate::policy::Policy;
use crate::report::Checklist;
use crate::trust::{self, TrustedKey};
use crate::{b64, gq, VerifyError};

/// The token's issuer, if the policy allows it (before any key is looked up).
pub(super) fn issuer_allowed(
    claims: &Map<String, Value>,
    policy: &Policy,
    ck: &mut Checklist,
) -> Result<String, VerifyError> {
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let r = if policy.issuers.contains(&iss) {
        Ok(iss)
    } else {
        Err(VerifyError::IssuerNotAllowed { issuer: iss })
    };
    ck.step("issuer", r, |i| {
        format!("Verified issuer {i} is allowed by the policy")
    })
}

/// The OP signature that verified: the key, the scheme, and for a GQ256 header the format its
/// proof showed (F3 over the header, F2 over the identity).
pub(super) struct OpVerified<'t> {
    pub key: &'t TrustedKey,
    pub scheme: &'static str,
    pub gq_format: Option<Format>,
}

/// What the OP signed: the signature entry, how its signature is to be read, the payload.
pub(super) struct OpInput<'a> {
    pub entry: &'a Entry,
    pub scheme: OpScheme,
    pub payload_b64: &'a str,
}

/// Members an F2 GQ header may carry; none but `kid` is covered by an F2 proof, and only `kid`
/// (bound through the identity) is ever used (P10).
const F2_HEADER_MEMBERS: [&str; 5] = ["alg", "kid", "typ", "jkt", "cic"];

/// Verifies the OP signature by a key of `iss` from the context's trust; `require_gq`: the raw
/// RSA signature is refused (GitHub PK tokens, P2).
pub(super) fn verify_op<'t>(
    input: &OpInput<'_>,
    iss: &str,
    require_gq: bool,
    cx: &Context<'t>,
    ck: &mut Checklist,
) -> Result<OpVerified<'t>, VerifyError> {
    let OpInput {
        entry: op,
        scheme,
        payload_b64,
    } = *input;
    let (trust, prechecked) = (cx.trust, cx.prechecked);
    let r = (|| {
        let sig = b64::decode_url(&op.signature_b64, "OP signature")?;
        let op_input = jws::signing_input(&op.protected_b64, payload_b64);
        if scheme == OpScheme::Gq256 {
            let f = op.header.fields("GQ header");
            if Alg::parse(op.header.alg(), "GQ header")? != Alg::Gq256 {
                return Err(VerifyError::UnsupportedAlg {
                    what: "GQ header",
                    alg: op.header.alg().unwrap_or_default().into(),
                });
            }
            if f.opt_str("typ")?.is_some_and(|t| t != "JWT") {
                return Err(VerifyError::InvalidField {
                    what: "GQ header",
                    field: "typ",
                });
            }
            let orig_b64 = f.str("kid")?;
            let orig = Header::decode(orig_b64, "original OP header")?;
            let of = orig.fields("original OP header");
            if Alg::parse(orig.alg(), "original OP header")? != Alg::Rs256 {
                return Err(VerifyError::UnsupportedAlg {
                    what: "original OP header",
                    alg: orig.alg().unwrap_or_default().into(),
                });
            }
            let key = trust.find(iss, of.str("kid")?)?;
            let rsa = trust::rsa_of(key)?;
            let identity = jws::signing_input(orig_b64, payload_b64);
            if gq::verify(rsa, identity.as_bytes(), op_input.as_bytes(), &sig) {
                return Ok(OpVerified {
                    key,
                    scheme: "GQ",
                    gq_format: Some(Format::F3),
                });
            }
            let f2_shape = op
                .header
                .map
                .keys()
                .all(|k| F2_HEADER_MEMBERS.contains(&k.as_str()));
            if f2_shape && gq::verify(rsa, identity.as_bytes(), identity.as_bytes(), &sig) {
                return Ok(OpVerified {
                    key,
                    scheme: "GQ",
                    gq_format: Some(Format::F2),
                });
            }
            return Err(VerifyError::OpSignatureInvalid { scheme: "GQ" });
        }
        let f = op.header.fields("OP header");
        if Alg::parse(op.header.alg(), "OP header")? != Alg::Rs256 {
            return Err(VerifyError::UnsupportedAlg {
                what: "OP header",
                alg: op.header.alg().unwrap_or_default().into(),
            });
        }
        let key = trust.find(iss, f.str("kid")?)?;
        let rsa = trust::rsa_of(key)?;
        let use_gq = match scheme {
            OpScheme::GqOriginalHeader => true,
            OpScheme::CompactRs256Labelled => sig.len() != rsa.modulus_len(),
            _ => false,
        };
        if require_gq && !use_gq {
            return Err(VerifyError::UnsupportedFormat {
                reason: "GitHub PK tokens must carry a GQ proof, not the RSA signature",
            });
        }
        let (scheme, ok) = if use_gq {
            (
                "GQ",
                gq::verify(rsa, op_input.as_bytes(), op_input.as_bytes(), &sig),
            )
        } else {
            let input = op_input.as_bytes();
            (
                "RS256",
                prechecked.contains_rs256(rsa, input, &sig) || rs256::verify(rsa, input, &sig),
            )
        };
        if ok {
            Ok(OpVerified {
                key,
                scheme,
                gq_format: None,
            })
        } else {
            Err(VerifyError::OpSignatureInvalid { scheme })
        }
    })();
    ck.step("op.signature", r, |o| {
        format!(
            "Verified OIDC token was signed by {iss} (key {}, {}; {})",
            o.key.kid,
            if o.scheme == "GQ" {
                "GQ proof of the RSA signature"
            } else {
                "RS256"
            },
            o.key.source.describe()
        )
    })
}
