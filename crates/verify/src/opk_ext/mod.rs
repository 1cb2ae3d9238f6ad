//! OpenPubkey "Ext" envelopes: openpubkey/signed-attestation's `SignInTotoStatementExt`
//! (spec sigstore.md §6) — an OPK-signed DSSE envelope whose signature also carries the PK
//! token and the Rekor entry of a self-signed certificate holding it, so the signing is in a
//! public transparency log.
//!
//! Order of checks: parse (exactly one signature) → payload type → the PK token, as for any
//! OPK envelope (issuer allow-list, OP signature or GQ proof, commitment, CIC signature, time,
//! identity policy) → `att` → the envelope signature by the ephemeral key → `keyid` → the
//! logged certificate (SubjectKeyId = this PK token, key = the ephemeral key) → the Rekor entry
//! under the trusted root (body = this digest and signature, SET, inclusion proof, signed
//! checkpoint) → integrated while the certificate was valid → statement and subject.

mod binding;
mod envelope;
mod log_entry;

pub use binding::ExtLog;
pub use envelope::ExtEnvelope;

use crate::dsse::IN_TOTO_PAYLOAD_TYPE;
use crate::intoto::{ExpectedSubject, Statement};
use crate::policy::Policy;
use crate::prechecked::Prechecked;
use crate::report::{Check, Checklist, Rejected};
use crate::sigstore::trusted_root::TrustedRoot;
use crate::trust::TrustRoots;
use crate::verify::{
    bind_statement, cic_of, expected_digest, pk_token_core, run, Context, TokenOutcome,
};
use crate::{pktoken, Format, UnixTime, Verified, VerifyError};

/// A verified Ext envelope.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExtOutcome {
    /// The verified PK token.
    pub token: TokenOutcome,
    /// What the transparency log proves.
    pub log: ExtLog,
    /// The verified statement.
    pub statement: Statement,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// What the log proves about an Ext envelope whose OP signature was not checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExtLogged {
    /// The PK token's format, as parsed.
    pub format: Format,
    /// The log entry.
    pub log: ExtLog,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// Whether `bytes` look like an Ext envelope: a JSON object whose first signature has an
/// `extension` member (what decides which verifier a caller runs; each then parses strictly).
pub fn has_extension(bytes: &[u8]) -> bool {
    let Ok(text) = core::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(raw) = serde_json::from_str::<&serde_json::value::RawValue>(text) else {
        return false;
    };
    crate::json::raw::pointer(raw, &["signatures"]).is_some_and(|sigs| {
        crate::json::raw::any_element(sigs, |s| {
            crate::json::raw::pointer(s, &["extension"]).is_some()
        })
    })
}

fn parse_checks(bytes: &[u8], ck: &mut Checklist) -> Result<ExtEnvelope, VerifyError> {
    let env = ck.step("dsse.parse", ExtEnvelope::parse(bytes), |e| {
        format!(
            "Parsed OpenPubkey Ext envelope: one signature, its PK token and Rekor entry {}",
            e.tl.log_index
        )
    })?;
    ck.step(
        "dsse.payload_type",
        if env.payload_type == IN_TOTO_PAYLOAD_TYPE {
            Ok(())
        } else {
            Err(VerifyError::UnsupportedFormat {
                reason: "DSSE payloadType is not application/vnd.in-toto+json",
            })
        },
        |()| format!("Verified payload type {IN_TOTO_PAYLOAD_TYPE}"),
    )?;
    Ok(env)
}

/// Verifies an Ext envelope: everything [`crate::verify_envelope`] checks of an OPK envelope,
/// and the transparency-log binding under `root`'s Rekor logs.
pub fn verify_ext_envelope(
    bytes: &[u8],
    subject: impl Into<ExpectedSubject>,
    trust: &TrustRoots,
    root: &TrustedRoot,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<ExtOutcome>, Rejected> {
    let subject = subject.into();
    run(
        |ck| {
            // The caller's digest is checked before anything is parsed.
            expected_digest(&subject)?;
            let env = parse_checks(bytes, ck)?;
            let none = Prechecked::none();
            let cx = Context::new(trust, policy, now, &none);
            let (token, cic) = pk_token_core(&env.pkt, &cx, ck)?;
            let iat = token.claims.get("iat").and_then(serde_json::Value::as_i64);
            let log = binding::verify(&env, &cic, iat, root, now, ck)?;
            let tokens = [token];
            let statement = bind_statement(&env.payload, &subject, &tokens, policy, ck)?;
            let [token] = tokens;
            Ok(ExtOutcome {
                token,
                log,
                statement,
                checks: Vec::new(),
            })
        },
        |o, checks| o.checks = checks,
    )
}

/// The transparency-log half of [`verify_ext_envelope`] alone: the PK token is parsed and its
/// client-instance claims read, but neither its OP signature nor its commitment nor any
/// identity policy is checked, and the statement is not bound to a subject. What it proves:
/// this envelope, signed by this token's ephemeral key, was logged with this token at the
/// time returned. For an envelope whose issuer's key is unknown (openpubkey's own test vector
/// uses a mock OP); never a verdict on who signed.
pub fn verify_ext_logged(
    bytes: &[u8],
    root: &TrustedRoot,
    now: UnixTime,
) -> Result<Verified<ExtLogged>, Rejected> {
    run(
        |ck| {
            let env = parse_checks(bytes, ck)?;
            let pkt = ck.step("pktoken.parse", pktoken::PkToken::parse(&env.pkt), |p| {
                format!("Parsed PK token (format {}, not verified)", p.format)
            })?;
            let typed_roles = matches!(pkt.format, Format::F2 | Format::F3);
            let cic = ck.step("cic.header", cic_of(&pkt.cic, typed_roles), |_| {
                "Parsed client-instance claims (ES256 ephemeral key)".to_string()
            })?;
            let iat = pktoken::decode_claims(&pkt.payload_b64)
                .ok()
                .and_then(|c| c.get("iat").and_then(serde_json::Value::as_i64));
            let log = binding::verify(&env, &cic, iat, root, now, ck)?;
            Ok(ExtLogged {
                format: pkt.format,
                log,
                checks: Vec::new(),
            })
        },
        |o, checks| o.checks = checks,
    )
}
