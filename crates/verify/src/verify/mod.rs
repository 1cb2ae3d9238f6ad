//! The entry points — [`verify_pk_token`], [`verify_token`], [`verify_jwt`] and
//! [`verify_envelope`] — and the stages they run, one file each, every stage reading one
//! [`Context`] (trust, policy, time, prechecked signatures):
//!
//! - [`token`]: the PK token or JWT parsed, its claims, the commitment and the CIC signature;
//! - [`op_signature`]: the issuer allow-list, the trusted key, the OP signature (RS256 or GQ);
//! - [`time_window`]: the token's `iat` inside the key's window, not in the future, not too old;
//! - [`identity`]: the policy's claim rules (and the GitHub Actions run shown);
//! - [`binding`]: for envelopes, `att` to the DSSE PAE, the statement and its subject;
//! - [`provenance`]: SLSA provenance cross-checked against the GitHub token.
//!
//! Order of checks (spec §4.3, security.md §4.2): parse with limits → issuer allow-list (before
//! any key is looked up) → trusted key by `kid` → OP signature (RS256 or GQ) → commitment →
//! CIC signature → key window / age → identity policy; for envelopes then `att` → statement →
//! subject → provenance cross-checks. Identity claims are only ever read from a PK token that
//! verified (P1): an envelope with several signatures verifies each and applies the policy to
//! each.

mod binding;
mod identity;
mod op_signature;
mod provenance;
mod time_window;
mod token;

use serde_json::{Map, Value};

use crate::intoto::{ExpectedSubject, Statement};
use crate::pktoken::Format;
use crate::policy::Policy;
use crate::prechecked::Prechecked;
use crate::report::{Check, Checklist, Rejected};
use crate::time::UnixTime;
use crate::trust::{KeySource, KeyWindow, TrustRoots};
use crate::{limits, Verified, VerifyError};

use binding::envelope_inner;
pub(crate) use binding::{bind_statement, expected_digest};
use token::jwt_inner;
pub(crate) use token::{cic_of, pk_token_core};

/// What every stage reads: the trust, the policy, the time, and the signatures another
/// implementation already checked (only exact ones; see [`crate::prechecked`]).
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The issuers' keys.
    pub trust: &'a TrustRoots,
    /// The policy.
    pub policy: &'a Policy,
    /// The time of verification.
    pub now: UnixTime,
    /// Signatures checked elsewhere.
    pub prechecked: &'a Prechecked,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        trust: &'a TrustRoots,
        policy: &'a Policy,
        now: UnixTime,
        prechecked: &'a Prechecked,
    ) -> Self {
        Self {
            trust,
            policy,
            now,
            prechecked,
        }
    }
}

/// The OP key that verified, as shown with every verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyInfo {
    /// The issuer.
    pub issuer: String,
    /// The key id.
    pub kid: String,
    /// Where the key came from.
    pub source: KeySource,
    /// Its dated window, if known.
    pub window: Option<KeyWindow>,
}

/// A verified PK token or JWT.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TokenOutcome {
    /// The detected format (`None` for a plain JWT).
    pub format: Option<Format>,
    /// How the OP signature was checked: `GQ` or `RS256`.
    pub op_scheme: &'static str,
    /// The ID-token claims, from the verified payload.
    pub claims: Map<String, Value>,
    /// The key that verified the OP signature.
    pub key: KeyInfo,
    /// The CIC `att` claim, if any.
    pub att: Option<String>,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// A verified DSSE envelope.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnvelopeOutcome {
    /// The format of the (first) PK token.
    pub format: Format,
    /// The verified token(s), one per DSSE signature.
    pub tokens: Vec<TokenOutcome>,
    /// The verified statement.
    pub statement: Statement,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// Runs one verification with a fresh checklist, storing the checks in the outcome.
pub(crate) fn run<T>(
    inner: impl FnOnce(&mut Checklist) -> Result<T, VerifyError>,
    store: impl FnOnce(&mut T, Vec<Check>),
) -> Result<Verified<T>, Rejected> {
    let mut ck = Checklist::default();
    match inner(&mut ck) {
        Ok(mut out) => {
            store(&mut out, ck.checks);
            Ok(Verified::new(out))
        }
        Err(e) => Err(ck.reject(e)),
    }
}

/// Verifies a PK token (any format) under `trust` and `policy` at time `now`.
pub fn verify_pk_token(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<TokenOutcome>, Rejected> {
    let none = Prechecked::none();
    let cx = Context::new(trust, policy, now, &none);
    token_run(|ck| pk_token_core(bytes, &cx, ck).map(|(t, _)| t))
}

/// Verifies what a user hands over as "a token": a compact JWT (three `.`-separated segments, no
/// `:` and not JSON) goes to [`verify_jwt`], anything else to [`verify_pk_token`].
pub fn verify_token(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<TokenOutcome>, Rejected> {
    verify_token_prechecked(bytes, trust, policy, now, &Prechecked::none())
}

/// [`verify_token`], taking the signatures in `prechecked` as verified (see
/// [`crate::prechecked`]: only exact triples another implementation accepted; every other
/// signature is verified here).
pub fn verify_token_prechecked(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
    prechecked: &Prechecked,
) -> Result<Verified<TokenOutcome>, Rejected> {
    // One size limit for every token, checked before anything is decoded.
    if bytes.len() > limits::MAX_PK_TOKEN_BYTES {
        return token_run(|_| {
            Err(VerifyError::LimitExceeded {
                limit: limits::Limit::PkTokenBytes,
            })
        });
    }
    let cx = Context::new(trust, policy, now, prechecked);
    match as_jwt(bytes) {
        Some(text) => token_run(|ck| jwt_inner(text, &cx, ck)),
        None => token_run(|ck| pk_token_core(bytes, &cx, ck).map(|(t, _)| t)),
    }
}

/// [`run`] for a token verification (a PK token's or a JWT's).
fn token_run(
    inner: impl FnOnce(&mut Checklist) -> Result<TokenOutcome, VerifyError>,
) -> Result<Verified<TokenOutcome>, Rejected> {
    run(inner, |t, checks| t.checks = checks)
}

/// `bytes` as a compact JWT, if it looks like one: three `.`-separated segments, no `:` and not
/// JSON (surrounding white space trimmed).
pub(crate) fn as_jwt(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    (!text.starts_with('{') && !text.contains(':') && text.contains('.')).then_some(text)
}

/// Verifies a plain ID token: RS256, an F0 GQ proof under the original header, or a GQ256 header.
pub fn verify_jwt(
    token: &str,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<TokenOutcome>, Rejected> {
    if token.len() > limits::MAX_PK_TOKEN_BYTES {
        return token_run(|_| {
            Err(VerifyError::LimitExceeded {
                limit: limits::Limit::PkTokenBytes,
            })
        });
    }
    let token = token.trim_end_matches(['\n', '\r']);
    let none = Prechecked::none();
    let cx = Context::new(trust, policy, now, &none);
    token_run(|ck| jwt_inner(token, &cx, ck))
}

/// Verifies a DSSE envelope of OpenPubkey-signed in-toto, bound to the image manifest digest the
/// caller computed (64 lowercase hex, optionally prefixed `sha256:`; a `&str` converts) and, on
/// request, to a subject name (see [`ExpectedSubject`]).
pub fn verify_envelope(
    bytes: &[u8],
    subject: impl Into<ExpectedSubject>,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<Verified<EnvelopeOutcome>, Rejected> {
    verify_envelope_prechecked(bytes, subject, trust, policy, now, &Prechecked::none())
}

/// [`verify_envelope`], taking the signatures in `prechecked` as verified (see
/// [`crate::prechecked`]: only exact triples another implementation accepted; every other
/// signature is verified here).
pub fn verify_envelope_prechecked(
    bytes: &[u8],
    subject: impl Into<ExpectedSubject>,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
    prechecked: &Prechecked,
) -> Result<Verified<EnvelopeOutcome>, Rejected> {
    let cx = Context::new(trust, policy, now, prechecked);
    run(
        |ck| envelope_inner(bytes, &subject.into(), &cx, ck),
        |e, checks| e.checks = checks,
    )
}

/// Image-level rule: every predicate type the policy requires must be among `verified`.
pub fn check_required_predicates(policy: &Policy, verified: &[&str]) -> Result<(), VerifyError> {
    for t in &policy.required_predicate_types {
        if !verified.contains(&t.as_str()) {
            return Err(VerifyError::MissingAttestation {
                predicate_type: t.clone(),
            });
        }
    }
    Ok(())
}
