//! The entry points: [`verify_pk_token`], [`verify_jwt`] and [`verify_envelope`].
//!
//! Order of checks (spec §4.3, security.md §4.2): parse with limits → issuer allow-list (before
//! any key is looked up) → trusted key by `kid` → OP signature (RS256 or GQ) → commitment →
//! CIC signature → key window / age → identity policy; for envelopes then `att` → statement →
//! subject → provenance cross-checks. Identity claims are only ever read from a PK token that
//! verified (P1): an envelope with several signatures verifies each and applies the policy to
//! each.

use serde_json::{Map, Value};

use crate::dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
use crate::intoto::{self, ExpectedSubject, Predicate, Statement};
use crate::jose::{jws, rs256, Alg, CompactJws, Header};
use crate::json::raw;
use crate::pktoken::{self, Cic, Entry, Format, OpScheme, PkToken};
use crate::policy::Policy;
use crate::prechecked::Prechecked;
use crate::report::{Check, Checklist, Rejected};
use crate::time::UnixTime;
use crate::trust::{self, KeySource, KeyWindow, TrustRoots, TrustedKey, GITHUB_ACTIONS_ISSUER};
use crate::{b64, gq, limits, Verified, VerifyError};
use serde_json::value::RawValue;

/// Tokens may be issued at most this far in the future of `now` (clock skew).
const FUTURE_SKEW_SECS: i64 = 300;

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
    token_run(|ck| pk_token_core(bytes, trust, policy, now, &none, ck).map(|(t, _)| t))
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
    match as_jwt(bytes) {
        Some(text) => token_run(|ck| jwt_inner(text, trust, policy, now, prechecked, ck)),
        None => {
            token_run(|ck| pk_token_core(bytes, trust, policy, now, prechecked, ck).map(|(t, _)| t))
        }
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
    token_run(|ck| jwt_inner(token, trust, policy, now, &Prechecked::none(), ck))
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
    run(
        |ck| envelope_inner(bytes, &subject.into(), trust, policy, now, prechecked, ck),
        |e, checks| e.checks = checks,
    )
}

fn envelope_inner(
    bytes: &[u8],
    subject: &ExpectedSubject,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
    prechecked: &Prechecked,
    ck: &mut Checklist,
) -> Result<EnvelopeOutcome, VerifyError> {
    let expected = expected_digest(subject)?;
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
        let (token, cic) = pk_token_core(&sig.sig, trust, policy, now, prechecked, ck)?;
        ck.step("att", cic.check_att(&pae), |()| {
            "Verified att binds the PK token to this attestation (SHA-256 of the DSSE PAE)"
                .to_string()
        })?;
        tokens.push(token);
    }
    let statement = bind_statement(&env.payload, subject, expected, &tokens, policy, ck)?;
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
    expected: &str,
    tokens: &[TokenOutcome],
    policy: &Policy,
    ck: &mut Checklist,
) -> Result<Statement, VerifyError> {
    let statement = ck.step("statement", Statement::parse(payload), |s| {
        format!("Verifying {} attestation", s.predicate_type)
    })?;
    ck.step(
        "subject",
        statement
            .subject_with_sha256(expected)
            .map(|_| ())
            .ok_or(VerifyError::SubjectMismatch {
                expected: format!("sha256:{expected}"),
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
    let slsa = match statement.predicate_type.as_str() {
        intoto::SLSA_PROVENANCE_V02 => Some(Slsa::V02),
        intoto::SLSA_PROVENANCE_V1 => Some(Slsa::V1),
        _ => None,
    };
    if let Some(slsa) = slsa.filter(|_| policy.provenance_cross_checks) {
        for token in tokens {
            if token.key.issuer == GITHUB_ACTIONS_ISSUER || token.claims.contains_key("run_id") {
                provenance_cross_checks(slsa, &statement.predicate, &token.claims, ck)?;
            }
        }
    }
    Ok(statement)
}

/// The SLSA provenance versions BuildKit writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slsa {
    /// v0.2: BuildKit's metadata under `metadata."https://mobyproject.org/buildkit@v1#metadata"`.
    V02,
    /// v1: BuildKit's metadata under `runDetails.metadata.buildkit_metadata`, the build's own
    /// source in `buildDefinition.externalParameters.configSource`.
    V1,
}

/// docker verify's provenance checks against the signer's token, for either version: the VCS
/// revision is the token's `sha`, the VCS source its repository, the builder its Actions run
/// (v1 may name the run's attempt); for v1 also, when the build's own source
/// (`externalParameters.configSource`) is a GitHub repository, it is the token's, at its `sha`
/// — in `configSource` and in the `resolvedDependencies` entry of that source.
fn provenance_cross_checks(
    slsa: Slsa,
    predicate: &Predicate,
    claims: &Map<String, Value>,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let claim = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    // Read in place: a provenance can be megabytes (`mode=max`); nothing else of it is built.
    let text = |path: &[&str]| predicate.text_at(path).unwrap_or_default().into_owned();
    let vcs: &[&str] = match slsa {
        Slsa::V02 => &[
            "metadata",
            "https://mobyproject.org/buildkit@v1#metadata",
            "vcs",
        ],
        Slsa::V1 => &["runDetails", "metadata", "buildkit_metadata", "vcs"],
    };
    let at = |leaf: &'static str| [vcs, &[leaf]].concat();
    let (sha, repository, run_id) = (claim("sha"), claim("repository"), claim("run_id"));
    let revision = text(&at("revision"));
    ck.step(
        "provenance.revision",
        rule("provenance vcs.revision", &sha, &revision),
        |()| format!("Verified signed git sha provenance {sha}"),
    )?;
    let source = text(&at("source"));
    let want_source = format!("https://github.com/{repository}");
    ck.step(
        "provenance.source",
        rule("provenance vcs.source", &want_source, &source),
        |()| format!("Verified signed git repo provenance {repository}"),
    )?;
    let run_url = format!("https://github.com/{repository}/actions/runs/{run_id}");
    let builder = match slsa {
        Slsa::V02 => text(&["builder", "id"]),
        Slsa::V1 => {
            // docker/build-push-action names the attempt: …/runs/ID/attempts/N.
            let id = text(&["runDetails", "builder", "id"]);
            let attempt = format!("{run_url}/attempts/{}", claim("run_attempt"));
            if id == attempt && !claim("run_attempt").is_empty() {
                run_url.clone()
            } else {
                id
            }
        }
    };
    ck.step(
        "provenance.builder",
        rule("provenance builder.id", &run_url, &builder),
        |()| format!("Verified provenance builder is the Actions run {run_url}"),
    )?;
    if slsa == Slsa::V1 {
        config_source_check(predicate, &want_source, &sha, ck)?;
    }
    Ok(())
}

/// SLSA v1: a build whose own source (`externalParameters.configSource.uri`) is a GitHub
/// repository must have been built from the token's repository, at its `sha` (the
/// `configSource` digest and the `resolvedDependencies` entry for that URI, where present).
fn config_source_check(
    predicate: &Predicate,
    repository_url: &str,
    sha: &str,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let config = raw::pointer(
        predicate.raw(),
        &["buildDefinition", "externalParameters", "configSource"],
    );
    let Some(uri) = config
        .and_then(|c| raw::lookup(c, "uri"))
        .and_then(raw::string)
    else {
        return Ok(());
    };
    if !uri.starts_with("https://github.com/") {
        return Ok(());
    }
    let repo = uri.split(['#', '?']).next().unwrap_or_default();
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    ck.step(
        "provenance.config_source",
        rule("provenance configSource.uri", repository_url, repo),
        |()| format!("Verified provenance config source is {repository_url}"),
    )?;
    let sha1 = |v: &RawValue| {
        raw::pointer(v, &["digest", "sha1"])
            .and_then(raw::string)
            .map(|s| s.into_owned())
    };
    let config_digest = config.and_then(sha1);
    let mut dependency_digest = None;
    if let Some(deps) = raw::pointer(
        predicate.raw(),
        &["buildDefinition", "resolvedDependencies"],
    ) {
        raw::any_element(deps, |d| {
            let same = raw::lookup(d, "uri").and_then(raw::string).as_deref() == Some(&*uri);
            if same {
                dependency_digest = sha1(d);
            }
            same
        });
    }
    for (name, digest) in [
        ("provenance configSource.digest.sha1", config_digest),
        (
            "provenance resolvedDependencies digest.sha1",
            dependency_digest,
        ),
    ] {
        if let Some(digest) = digest {
            ck.step("provenance.config_digest", rule(name, sha, &digest), |()| {
                format!("Verified provenance config source revision {sha}")
            })?;
        }
    }
    Ok(())
}

fn rule(name: &'static str, expected: &str, actual: &str) -> Result<(), VerifyError> {
    // An absent or empty claim satisfies no rule (the policy refuses empty rules too).
    if !actual.is_empty() && expected == actual {
        Ok(())
    } else {
        Err(VerifyError::PolicyViolation {
            rule: name,
            expected: expected.to_owned(),
            actual: actual.to_owned(),
        })
    }
}

pub(crate) fn pk_token_core(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
    prechecked: &Prechecked,
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
    let iss = issuer_allowed(&claims, policy, ck)?;
    // A GitHub PK token must carry a GQ proof: the raw RSA signature would make the ID token a
    // replayable bearer token (P2).
    let require_gq = iss == GITHUB_ACTIONS_ISSUER;
    let op = verify_op(
        &pkt.op,
        pkt.op_scheme,
        &pkt.payload_b64,
        &iss,
        require_gq,
        trust,
        prechecked,
        ck,
    )?;
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
            prechecked,
        ) {
            Ok(())
        } else {
            Err(VerifyError::CicSignatureInvalid)
        }
    });
    ck.step("cic.signature", cic_signature, |()| {
        "Verified CIC signature by the ephemeral key".to_string()
    })?;
    let token = finish(
        Some(format),
        op,
        claims,
        cic.att().map(str::to_owned),
        iss,
        policy,
        now,
        ck,
    )?;
    Ok((token, cic))
}

fn jwt_inner(
    token: &str,
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
    prechecked: &Prechecked,
    ck: &mut Checklist,
) -> Result<TokenOutcome, VerifyError> {
    let jws = ck.step("jwt.parse", CompactJws::parse(token), |_| {
        "Parsed JWT".to_string()
    })?;
    let entry = Entry::of_jwt(&jws)?;
    let claims = ck.step("claims", claims_of(jws.payload_b64), |_| {
        "Parsed ID token claims".to_string()
    })?;
    let iss = issuer_allowed(&claims, policy, ck)?;
    let scheme = match entry.header.alg() {
        Some("GQ256") => OpScheme::Gq256,
        _ => OpScheme::CompactRs256Labelled,
    };
    let op = verify_op(
        &entry,
        scheme,
        jws.payload_b64,
        &iss,
        false,
        trust,
        prechecked,
        ck,
    )?;
    finish(None, op, claims, None, iss, policy, now, ck)
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

fn issuer_allowed(
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

/// GitHub Actions commits in `aud`; other issuers in `nonce`, or in `aud` when they have no
/// nonce (GitHub-shaped issuers such as `opk dev-op`).
fn commitment_claim(iss: &str, claims: &Map<String, Value>) -> &'static str {
    if iss != GITHUB_ACTIONS_ISSUER && claims.contains_key("nonce") {
        "nonce"
    } else {
        "aud"
    }
}

pub(crate) fn cic_of(entry: &Entry, typed_roles: bool) -> Result<Cic, VerifyError> {
    if typed_roles && entry.header.typ() != Some("CIC") {
        return Err(VerifyError::InvalidField {
            what: "CIC header",
            field: "typ",
        });
    }
    Cic::from_header(&entry.header)
}

struct OpVerified<'t> {
    key: &'t TrustedKey,
    scheme: &'static str,
    gq_format: Option<Format>,
}

/// Members an F2 GQ header may carry; none but `kid` is covered by an F2 proof, and only `kid`
/// (bound through the identity) is ever used (P10).
const F2_HEADER_MEMBERS: [&str; 5] = ["alg", "kid", "typ", "jkt", "cic"];

#[allow(clippy::too_many_arguments)]
fn verify_op<'t>(
    op: &Entry,
    scheme: OpScheme,
    payload_b64: &str,
    iss: &str,
    require_gq: bool,
    trust: &'t TrustRoots,
    prechecked: &Prechecked,
    ck: &mut Checklist,
) -> Result<OpVerified<'t>, VerifyError> {
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

#[allow(clippy::too_many_arguments)]
fn finish(
    format: Option<Format>,
    op: OpVerified<'_>,
    claims: Map<String, Value>,
    att: Option<String>,
    iss: String,
    policy: &Policy,
    now: UnixTime,
    ck: &mut Checklist,
) -> Result<TokenOutcome, VerifyError> {
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let window = op.key.window;
    let time = (|| {
        if let Some(w) = window {
            if iat < w.not_before.0 || iat > w.not_after.0 {
                return Err(VerifyError::TimeWindow {
                    iat,
                    reason: "outside the signing key's known window",
                });
            }
        }
        if iat > now.0.saturating_add(FUTURE_SKEW_SECS) {
            return Err(VerifyError::TimeWindow {
                iat,
                reason: "issued in the future",
            });
        }
        if let Some(max) = policy.max_age_secs {
            if now.0.saturating_sub(iat) > max {
                return Err(VerifyError::TimeWindow {
                    iat,
                    reason: "older than the policy's maximum age",
                });
            }
        }
        Ok(())
    })();
    ck.step("time", time, |()| match window {
        Some(w) => format!(
            "Verified token issued at {} inside the key's window {} – {}",
            UnixTime(iat),
            w.not_before,
            w.not_after
        ),
        None => format!(
            "Token issued at {} (key has no dated window)",
            UnixTime(iat)
        ),
    })?;
    let claim = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if iss == GITHUB_ACTIONS_ISSUER || claims.contains_key("run_id") {
        let (repo, run) = (claim("repository"), claim("run_id"));
        if !repo.is_empty() && !run.is_empty() {
            let dev = if matches!(op.key.source, KeySource::DevIssuer { .. }) {
                " (dev issuer, not GitHub)"
            } else {
                ""
            };
            let url = format!("https://github.com/{repo}/actions/runs/{run}{dev}");
            // docker verify's line, for a token committing to an attestation (its `att`);
            // a plain ID token or a PK token without `att` signed no attestation digest.
            ck.pass(
                "github.run",
                if att.is_some() {
                    format!("Verified attestation digest was signed on a Github Actions run: {url}")
                } else {
                    format!("Verified ID token was issued to a GitHub Actions run: {url}")
                },
            );
        }
    }
    for r in &policy.rules {
        let actual = claims
            .get(r.claim)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let res = rule(r.claim, &r.expected, &actual);
        ck.step(rule_id(r.claim), res, |()| match r.claim {
            "repository_owner_id" => format!(
                "Verified repository owner {} ({})",
                actual,
                claim("repository_owner")
            ),
            "repository" => format!("Verified repository {actual}"),
            other => format!("Verified {other} {actual}"),
        })?;
    }
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

fn rule_id(claim: &str) -> &'static str {
    match claim {
        "repository_owner_id" => "policy.repository_owner_id",
        "repository" => "policy.repository",
        "ref" => "policy.ref",
        "workflow_ref" => "policy.workflow_ref",
        "job_workflow_ref" => "policy.job_workflow_ref",
        "event_name" => "policy.event_name",
        _ => "policy.claim",
    }
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
