//! What the offline panel verifies, and how: a DSSE envelope, a PK token (any format), a JWT,
//! an attestation manifest with its layer files, or a Sigstore bundle with its artifact (a file,
//! or its sha256 digest), with the bundled GitHub Actions key history plus a pasted JWKS, and
//! the bundled public-good Sigstore root or a pasted trusted root (user-supplied trust,
//! labelled). Input and configuration problems (no subject digest, a key set that does not
//! parse) are "not verified", never "invalid": that is for signatures that fail.
//!
//! [`verify_input`] runs in the page's offline module (`crate::offline_module`), fetched on the
//! first "Verify offline": no page load carries it.

use opk_pipeline::report::{check_lines, Line};
use opk_pipeline::sigstore_module::SigstoreVerifier as _;
use opk_pipeline::webcrypto;
use opk_pipeline::State;
use opk_verify::oci::{Digest, Manifest};
use opk_verify::sigstore::keys::HashAlg;
use opk_verify::sigstore::trusted_root::RootSource;
use opk_verify::sigstore::{Artifact, RootInput, SigstoreTrust};
use opk_verify::{ExpectedSubject, JwksFile, KeySource, Policy, TrustRoots};

use crate::params::Params;
use crate::session::now;
use crate::views::offline::{detect, Kind};

/// One verification result.
#[derive(Debug, Clone, PartialEq)]
pub struct OfflineResult {
    /// What was verified.
    pub title: String,
    /// Its state.
    pub state: State,
    /// The checklist.
    pub lines: Vec<Line>,
    /// The error, `code: message`.
    pub error: Option<String>,
    /// Whose keys a verified result rests on, when not the bundled ones (the pasted JWKS or
    /// trusted root): said in the headline.
    pub trust: Option<&'static str>,
}

/// Trust (bundled history plus the pasted JWKS) and the page's identity rules. Checking a token
/// alone needs no identity rule (its claims are shown); an envelope or manifest does.
fn policy_for(
    params: &Params,
    jwks: &str,
    need_identity: bool,
) -> Result<(TrustRoots, Policy), String> {
    let mut req = opk_verify::setup::Request {
        rules: params.rules(),
        ..Default::default()
    };
    if !jwks.trim().is_empty() && detect(jwks.as_bytes()) != Some(Kind::TrustedRoot) {
        let file = JwksFile::parse(jwks.trim().as_bytes())
            .map_err(|e| format!("{}: pasted JWKS: {e}", e.code()))?;
        req.jwks.push(("pasted JWKS".to_owned(), file));
    }
    req.any_identity_unsafe = !need_identity && req.rules.is_empty();
    opk_verify::setup::trust_and_policy(&req)
        .map(|(t, p, _)| (t, p))
        .map_err(|e| format!("{}: {e}", e.code()))
}

fn result_of<T>(
    title: String,
    r: Result<opk_verify::Verified<T>, opk_verify::Rejected>,
    checks: impl Fn(&T) -> Vec<opk_verify::Check>,
    trust: impl Fn(&T) -> Option<&'static str>,
) -> OfflineResult {
    match r {
        Ok(ok) => OfflineResult {
            title,
            state: State::Verified,
            lines: check_lines(&checks(&ok)),
            error: None,
            trust: trust(&ok),
        },
        Err(rej) => OfflineResult {
            title,
            state: State::Invalid,
            lines: check_lines(&rej.checks),
            error: Some(format!("{}: {}", rej.error.code(), rej.error)),
            trust: None,
        },
    }
}

/// The label of a verified token's key when the user supplied it (a pasted JWKS, even one
/// that claims GitHub's issuer) or it is a dev issuer's.
fn key_trust(source: &KeySource) -> Option<&'static str> {
    match source {
        KeySource::UserSupplied { .. } => Some("with the pasted, user-supplied keys"),
        KeySource::DevIssuer { .. } => Some("with dev issuer keys"),
        _ => None,
    }
}

impl OfflineResult {
    /// A result with nothing verified (no checklist), in `state` for the reason `error`.
    fn unchecked(title: String, state: State, error: String) -> Self {
        Self {
            title,
            state,
            lines: Vec::new(),
            error: Some(error),
            trust: None,
        }
    }
}

/// An input or configuration problem: the verification did not run.
pub fn not_run(title: &str, msg: String) -> OfflineResult {
    OfflineResult::unchecked(title.to_owned(), State::NotVerified, msg)
}

/// Verifies one envelope against the image manifest digest `subject`, WebCrypto first.
async fn envelope_result(
    title: String,
    bytes: &[u8],
    subject: &str,
    trust: &TrustRoots,
    policy: &Policy,
    t: opk_verify::UnixTime,
) -> OfflineResult {
    let subject = ExpectedSubject::digest(subject);
    result_of(
        title,
        webcrypto::verify_envelope(bytes, subject, trust, policy, t).await,
        |o| o.checks.clone(),
        |o| o.tokens.iter().find_map(|t| key_trust(&t.key.source)),
    )
}

/// Verifies the input (with dropped `files` for a manifest's layers). WebCrypto checks the
/// ES256 and RS256 signatures first (a fast path; the core verifies whatever it did not accept).
pub async fn verify_input(
    input: &[u8],
    files: &[Vec<u8>],
    subject: &str,
    params: &Params,
    jwks: &str,
) -> Vec<OfflineResult> {
    let fail = |msg: String| vec![not_run("Input", msg)];
    let Some(kind) = detect(input) else {
        return fail("unsupported_input: paste a DSSE envelope, a PK token, a JWT, an attestation manifest or a Sigstore bundle".into());
    };
    if kind == Kind::Bundle {
        return vec![bundle_result(input, files, subject, params, jwks).await];
    }
    let need_subject = matches!(kind, Kind::Envelope | Kind::Manifest);
    if need_subject && subject.trim().is_empty() {
        return fail("missing_subject: enter the platform image manifest digest (sha256:…) the statement must name".into());
    }
    let (trust, policy) = match policy_for(params, jwks, need_subject) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let t = now();
    let subject = subject.trim();
    match kind {
        Kind::Jwks => fail("this is a JWKS: paste it in the key box".into()),
        Kind::TrustedRoot => {
            fail("this is a Sigstore trusted root: paste it in the key box".into())
        }
        Kind::Bundle => unreachable!("bundles are verified above"),
        Kind::Envelope => {
            let title = "DSSE envelope".into();
            vec![envelope_result(title, input, subject, &trust, &policy, t).await]
        }
        Kind::PkToken | Kind::Jwt => {
            let title = if kind == Kind::Jwt { "JWT" } else { "PK token" };
            vec![result_of(
                title.into(),
                webcrypto::verify_token(input, &trust, &policy, t).await,
                |o| o.checks.clone(),
                |o| key_trust(&o.key.source),
            )]
        }
        Kind::Manifest => {
            let m = match Manifest::parse(input) {
                Ok(m) => m,
                Err(e) => return fail(format!("{}: {e}", e.code())),
            };
            let mut out = Vec::new();
            for (d, signed) in m.attestation_layers() {
                let title = format!(
                    "{} ({})",
                    d.annotations
                        .get("in-toto.io/predicate-type")
                        .cloned()
                        .unwrap_or_default(),
                    d.digest
                );
                let Some(bytes) = files.iter().find(|f| Digest::of(f) == d.digest) else {
                    out.push(OfflineResult::unchecked(
                        title,
                        State::Withheld,
                        "missing_attestation: drop this layer's file too".into(),
                    ));
                    continue;
                };
                if !signed {
                    out.push(OfflineResult::unchecked(
                        title,
                        State::Unsigned,
                        "unsigned: a plain in-toto statement".into(),
                    ));
                    continue;
                }
                out.push(envelope_result(title, bytes, subject, &trust, &policy, t).await);
            }
            if out.is_empty() {
                return fail("unsigned: the manifest has no attestation layers".into());
            }
            out
        }
    }
}

/// A Sigstore bundle about the artifact: a dropped file that is not the bundle, else the
/// digest typed in (`sha256:<hex>`); under the bundled public-good root, or a trusted root
/// pasted in the key box (user-supplied, labelled); the page's identity rules.
async fn bundle_result(
    input: &[u8],
    files: &[Vec<u8>],
    subject: &str,
    params: &Params,
    key_box: &str,
) -> OfflineResult {
    let title = "Sigstore bundle".to_owned();
    let fail = |msg: String| not_run(&title, msg);
    // Dropped with the bundle: the artifact, and perhaps a key set or a trusted root.
    let candidates: Vec<&Vec<u8>> = files
        .iter()
        .filter(|f| {
            !matches!(
                detect(f),
                Some(Kind::Bundle | Kind::Jwks | Kind::TrustedRoot)
            )
        })
        .collect();
    let file = match candidates.as_slice() {
        [] => None,
        [one] => Some(one.as_slice()),
        _ => return fail("ambiguous_artifact: drop the bundle with one artifact file".into()),
    };
    let digest = match (file, subject.trim()) {
        (Some(_), _) => None,
        (None, "") => {
            return fail(
                "missing_artifact: drop the artifact's file, or enter its digest (sha256:…)".into(),
            )
        }
        (None, d) => match Digest::parse(d)
            .ok()
            .and_then(|d| opk_verify::hex::decode(d.hex()))
        {
            Some(raw) => Some(raw),
            None => return fail(format!("invalid_digest: {d} is not sha256:<64 hex digits>")),
        },
    };
    let artifact = match (&digest, file) {
        (Some(raw), _) => Artifact::Digest(HashAlg::Sha256, raw),
        (None, Some(bytes)) => Artifact::Bytes(bytes),
        (None, None) => unreachable!("one of the two, checked above"),
    };
    let root_input = if detect(key_box.as_bytes()) == Some(Kind::TrustedRoot) {
        RootInput::UserSupplied {
            bytes: key_box.trim().as_bytes(),
            label: "pasted trusted root",
        }
    } else {
        RootInput::PublicGood
    };
    // The root is parsed by the verifier module (the parsing is part of it).
    let verifier = &crate::sigstore_module::SigstoreModule;
    if let Err(e) = verifier.loaded().await {
        return fail(format!("verifier_not_loaded: {e}"));
    }
    let root = match verifier.load_trusted_root(root_input).await {
        Ok(r) => r,
        Err(e) => return fail(format!("{}: trusted root: {e}", e.code())),
    };
    let (_, policy, _) = match crate::session::trust_and_policy(params, Vec::new()) {
        Ok(x) => x,
        Err(f) => return fail(format!("{}: {}", f.code, f.message)),
    };
    let trust = SigstoreTrust {
        root,
        keys: Vec::new(),
    };
    let outcome =
        match webcrypto::verify_bundle(verifier, input, artifact, &trust, &policy, now()).await {
            Ok(outcome) => outcome,
            Err(e) => return fail(format!("verifier_not_loaded: {e}")),
        };
    let root_trust = match trust.root.source {
        RootSource::Bundled { .. } => None,
        RootSource::UserSupplied { .. } => Some("under the pasted, user-supplied trusted root"),
        RootSource::Dev { .. } => Some("under a dev trusted root"),
    };
    // The root's label as the verified outcome names it (the verifier module made it).
    let under = outcome.as_ref().ok().map(|o| o.trusted_root.clone());
    let mut r = result_of(title, outcome, |o| o.checks.clone(), |_| root_trust);
    if let Some(label) = under {
        r.lines.push(Line::Pass(format!(
            "Verified under the trusted root {label}"
        )));
    }
    r
}
