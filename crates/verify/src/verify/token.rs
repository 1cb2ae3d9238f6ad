//! The token stage: a PK token (any format) or a plain JWT parsed within limits, its claims,
//! the issuer and OP signature ([`super::op_signature`]), the commitment to the client
//! instance and the CIC signature by the ephemeral key, then the time and identity stages.

use serde_json::{Map, Value};

use super::op_signature::{issuer_allowed, verify_op, OpInput, OpVerified};
use super::{identity, time_window, Context, KeyInfo, TokenOutcome};
use crate::jose::CompactJws;
use crate::pktoken::{self, Cic, Entry, Format, OpScheme, PkToken};
use crate::report::Checklist;
use crate::trust::GITHUB_ACTIONS_ISSUER;
use crate::{b64, VerifyError};

/// A PK token (any format) verified through every stage; returns it with its CIC (whose `att`
/// an envelope checks).
pub(crate) fn pk_token_core(
    bytes: &[u8],
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<(TokenOutcome, Cic), VerifyError> {
    let pkt = ck.step("pktoken.parse", PkToken::parse(bytes), |p| {
        format!(
            "Parsed PK token ({} form)",
            if p.serialization == pktoken::Serialization::Json {
                "JSON"
            } else {
                "compact"
            }
        )
    })?;
    let claims = ck.step("claims", claims_of(&pkt.payload_b64), |_| {
        "Parsed ID token claims".to_string()
    })?;
    let iss = issuer_allowed(&claims, cx.policy, ck)?;
    // A GitHub PK token must carry a GQ proof: the raw RSA signature would make the ID token a
    // replayable bearer token (P2).
    let require_gq = iss == GITHUB_ACTIONS_ISSUER;
    let input = OpInput {
        entry: &pkt.op,
        scheme: pkt.op_scheme,
        payload_b64: &pkt.payload_b64,
    };
    let op = verify_op(&input, &iss, require_gq, cx, ck)?;
    let format = match (pkt.format, op.gq_format) {
        (Format::F2 | Format::F3, Some(f)) => f,
        (Format::Compact2023, _) if op.scheme == "GQ" => Format::F0,
        (f, _) => f,
    };
    ck.pass(
        "pktoken.format",
        format!("Detected PK token format {format}"),
    );
    let typed_roles = matches!(format, Format::F2 | Format::F3);
    let cic = ck.step("cic.header", cic_of(&pkt.cic, typed_roles), |_| {
        "Parsed client-instance claims (ES256 ephemeral key)".to_string()
    })?;
    let claim_name = commitment_claim(&iss, &claims);
    let commitment_ok = match claims.get(claim_name) {
        Some(Value::String(v)) => {
            v == cic.commitment()
                || (format == Format::Compact2023 && v == cic.commitment_std_no_pad())
        }
        _ => false,
    };
    ck.step(
        "commitment",
        if commitment_ok {
            Ok(())
        } else {
            Err(VerifyError::CommitmentMismatch { claim: claim_name })
        },
        |()| {
            format!(
                "Verified {claim_name} commits to the client instance (SHA3-256 of the CIC header)"
            )
        },
    )?;
    // A signature segment that is not base64url is an encoding error, not a wrong signature.
    let cic_signature = b64::decode_url(&pkt.cic.signature_b64, "CIC signature").and_then(|_| {
        if cic.verify_signature(
            &pkt.cic.protected_b64,
            &pkt.payload_b64,
            &pkt.cic.signature_b64,
            cx.prechecked,
        ) {
            Ok(())
        } else {
            Err(VerifyError::CicSignatureInvalid)
        }
    });
    ck.step("cic.signature", cic_signature, |()| {
        "Verified CIC signature by the ephemeral key".to_string()
    })?;
    let signed = Signed {
        format: Some(format),
        op,
        claims,
        att: cic.att().map(str::to_owned),
        iss,
    };
    let token = finish(signed, cx, ck)?;
    Ok((token, cic))
}

/// A plain ID token (compact JWT) verified through every stage.
pub(super) fn jwt_inner(
    token: &str,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<TokenOutcome, VerifyError> {
    let jws = ck.step("jwt.parse", CompactJws::parse(token), |_| {
        "Parsed JWT".to_string()
    })?;
    let entry = Entry::of_jwt(&jws)?;
    let claims = ck.step("claims", claims_of(jws.payload_b64), |_| {
        "Parsed ID token claims".to_string()
    })?;
    let iss = issuer_allowed(&claims, cx.policy, ck)?;
    let scheme = match entry.header.alg() {
        Some("GQ256") => OpScheme::Gq256,
        _ => OpScheme::CompactRs256Labelled,
    };
    let input = OpInput {
        entry: &entry,
        scheme,
        payload_b64: jws.payload_b64,
    };
    let op = verify_op(&input, &iss, false, cx, ck)?;
    let signed = Signed {
        format: None,
        op,
        claims,
        att: None,
        iss,
    };
    finish(signed, cx, ck)
}

fn claims_of(payload_b64: &str) -> Result<Map<String, Value>, VerifyError> {
    let claims = pktoken::decode_claims(payload_b64)?;
    const WHAT: &str = "ID token payload";
    let f = crate::json::Fields::new(&claims, WHAT);
    f.str("iss")?;
    for t in ["iat", "exp", "nbf"] {
        f.opt_i64(t)?;
    }
    if f.opt_i64("iat")?.is_none() {
        return Err(VerifyError::MissingField {
            what: WHAT,
            field: "iat",
        });
    }
    match claims.get("aud") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(VerifyError::InvalidField {
                what: WHAT,
                field: "aud",
            })
        }
    }
    Ok(claims)
}

/// GitHub Actions commits in `aud`; other issuers in `nonce`, or in `aud` when they have no
/// nonce (GitHub-shaped issuers such as `opk dev-op`).
fn commitment_claim(iss: &str, claims: &Map<String, Value>) -> &'static str {
    if iss != GITHUB_ACTIONS_ISSUER && claims.contains_key("nonce") {
        "nonce"
    } else {
        "aud"
    }
}

/// The CIC of `entry`; F2/F3 type their roles (`typ: CIC`).
pub(crate) fn cic_of(entry: &Entry, typed_roles: bool) -> Result<Cic, VerifyError> {
    if typed_roles && entry.header.typ() != Some("CIC") {
        return Err(VerifyError::InvalidField {
            what: "CIC header",
            field: "typ",
        });
    }
    Cic::from_header(&entry.header)
}

/// A token whose OP signature verified, before its time and identity stages.
struct Signed<'t> {
    format: Option<Format>,
    op: OpVerified<'t>,
    claims: Map<String, Value>,
    att: Option<String>,
    iss: String,
}

/// The time and identity stages, then the outcome.
fn finish(
    s: Signed<'_>,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<TokenOutcome, VerifyError> {
    let Signed {
        format,
        op,
        claims,
        att,
        iss,
    } = s;
    time_window::check(&claims, op.key.window, cx, ck)?;
    identity::check(&claims, &iss, op.key, att.is_some(), cx.policy, ck)?;
    Ok(TokenOutcome {
        format,
        op_scheme: op.scheme,
        claims,
        key: KeyInfo {
            issuer: iss,
            kid: op.key.kid.clone(),
            source: op.key.source.clone(),
            window: op.key.window,
        },
        att,
        checks: Vec::new(),
    })
}
