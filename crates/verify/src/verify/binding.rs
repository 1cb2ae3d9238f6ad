//! Binding an envelope to the image: each PK token's `att` commits to the DSSE PAE; the
//! statement parses, names the expected digest (and name, on request); SLSA provenance is
//! cross-checked against each GitHub token ([`super::provenance`]).

use super::provenance::{cross_checks, Slsa};
use super::{pk_token_core, Context, EnvelopeOutcome, TokenOutcome};
use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::intoto::{self, ExpectedSubject, Statement};
use crate::pktoken::Format;
use crate::policy::Policy;
use crate::report::Checklist;
use crate::trust::GITHUB_ACTIONS_ISSUER;
use crate::VerifyError;

/// A DSSE envelope: each signature's PK token verified and bound to the envelope by its `att`,
/// then the statement bound to the expected subject.
pub(super) fn envelope_inner(
    bytes: &[u8],
    subject: &ExpectedSubject,
    cx: &Context<'_>,
    ck: &mut Checklist,
) -> Result<EnvelopeOutcome, VerifyError> {
    // The caller's digest is checked before anything is parsed.
    expected_digest(subject)?;
    let env = ck.step("dsse.parse", Envelope::parse(bytes), |e| {
        format!(
            "Parsed DSSE envelope with {} signature(s)",
            e.signatures.len()
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
    let pae = env.pae();
    let mut tokens = Vec::with_capacity(env.signatures.len());
    for sig in &env.signatures {
        if !sig.keyid.is_empty() && sig.keyid != "OPK" {
            return Err(VerifyError::UnsupportedFormat {
                reason: "DSSE keyid is not OPK",
            });
        }
        let (token, cic) = pk_token_core(&sig.sig, cx, ck)?;
        ck.step("att", cic.check_att(&pae), |()| {
            "Verified att binds the PK token to this attestation (SHA-256 of the DSSE PAE)"
                .to_string()
        })?;
        tokens.push(token);
    }
    let statement = bind_statement(&env.payload, subject, &tokens, cx.policy, ck)?;
    let format = tokens.first().and_then(|t| t.format).unwrap_or(Format::F0);
    Ok(EnvelopeOutcome {
        format,
        tokens,
        statement,
        checks: Vec::new(),
    })
}

/// The subject digest the caller expects, without its `sha256:` prefix: 64 lowercase hex.
pub(crate) fn expected_digest(subject: &ExpectedSubject) -> Result<&str, VerifyError> {
    let expected = subject
        .sha256
        .strip_prefix("sha256:")
        .unwrap_or(&subject.sha256);
    if !crate::hex::is_lower_hex(expected, 64) {
        return Err(VerifyError::InvalidField {
            what: "expected subject digest",
            field: "sha256",
        });
    }
    Ok(expected)
}

/// The statement an envelope's verified signature(s) cover: parsed, naming the expected
/// subject (and name, on request), and for SLSA provenance cross-checked against each
/// GitHub token.
pub(crate) fn bind_statement(
    payload: &[u8],
    subject: &ExpectedSubject,
    tokens: &[TokenOutcome],
    policy: &Policy,
    ck: &mut Checklist,
) -> Result<Statement, VerifyError> {
    let expected = expected_digest(subject)?;
    let statement = ck.step("statement", Statement::parse(payload), |s| {
        format!("Verifying {} attestation", s.predicate_type)
    })?;
    ck.step(
        "subject",
        statement
            .subject_with_sha256(expected)
            .map(|_| ())
            .ok_or_else(|| VerifyError::SubjectMismatch {
                expected: format!("sha256:{expected}"),
                found: statement.named_digests(),
            }),
        |()| format!("Verified attestation refers to digest sha256:{expected}"),
    )?;
    if let Some(name) = &subject.name {
        // Compared as exact bytes after percent-decoding; a statement name with an invalid
        // escape matches nothing, and an expected name with one is the caller's error.
        let want = intoto::unescape_purl(name).ok_or(VerifyError::InvalidField {
            what: "expected subject name",
            field: "percent-escape",
        });
        let shown = want
            .as_ref()
            .ok()
            .and_then(|w| core::str::from_utf8(w).ok())
            .unwrap_or(name)
            .to_owned();
        let named = want.and_then(|want| {
            statement
                .subject
                .iter()
                .any(|s| {
                    s.sha256.as_deref() == Some(expected)
                        && intoto::unescape_purl(&s.name).as_ref() == Some(&want)
                })
                .then_some(())
                .ok_or(VerifyError::SubjectNameMismatch {
                    expected: shown.clone(),
                })
        });
        ck.step("subject.name", named, |()| {
            format!("Verified attestation refers to {shown}")
        })?;
    }
    let slsa = Slsa::of(&statement.predicate_type);
    if let Some(slsa) = slsa.filter(|_| policy.provenance_cross_checks) {
        for token in tokens {
            if token.key.issuer == GITHUB_ACTIONS_ISSUER || token.claims.contains_key("run_id") {
                cross_checks(slsa, &statement.predicate, &token.claims, ck)?;
            }
        }
    }
    Ok(statement)
}
