//! What a verdict says, in the two shapes every front end shares: `docker verify`'s lines in its
//! order (the CLI prints them, the web page renders them) and the JSON object of `--json` (the
//! CLI prints it, the JS API returns it). One implementation, so they cannot drift apart.

use opk_verify::{Check, EnvelopeOutcome, KeyInfo, Rejected, TokenOutcome};
use serde_json::{json, Value};

use opk_registry::{FetchRecord, Reference, RegistryError};

use crate::outcome::{AttestationFailure, Outcome, Scheme};
use crate::verify_image::{AttestationReport, ImageVerdict};

/// The checks `docker verify` prints, in its order (spec §4.2), by opk-verify check id.
pub const DOCKER_ORDER: [&str; 8] = [
    "subject",
    "subject.name",
    "op.signature",
    "github.run",
    "policy.repository_owner_id",
    "provenance.revision",
    "provenance.source",
    "provenance.builder",
];

/// One line of a verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Line {
    /// `! tag … resolved to …`: the one unverified step.
    Unverified(String),
    /// `Verifying …` headings.
    Heading(String),
    /// A passed check (`✓`).
    Pass(String),
    /// A failed check (`✗`).
    Fail(String),
    /// An unsigned layer that was skipped.
    Skipped(String),
    /// A blank separator.
    Blank,
    /// The final line: verified or the reason not.
    Verdict {
        /// Whether the image verified.
        ok: bool,
        /// The sentence.
        text: String,
    },
}

impl Line {
    /// The line as the CLI prints it.
    pub fn render(&self) -> String {
        match self {
            Self::Unverified(t) | Self::Heading(t) | Self::Skipped(t) => t.clone(),
            Self::Pass(t) => format!("  ✓ {t}"),
            Self::Fail(t) => format!("  ✗ {t}"),
            Self::Blank => String::new(),
            Self::Verdict { ok: true, text } => text.clone(),
            Self::Verdict { ok: false, text } => format!("✗ {text}"),
        }
    }
}

/// `docker verify`'s lines for a verdict on `reference`.
pub fn verdict_lines(reference: &Reference, v: &ImageVerdict) -> Vec<Line> {
    let mut out = Vec::new();
    if let Some(tag) = &v.resolved.from_tag {
        out.push(Line::Unverified(format!(
            "! tag {tag} resolved to {} by the registry: the one unverified step (pin @{} to remove it)",
            v.resolved.digest, v.resolved.digest
        )));
    }
    let signed = v
        .attestations
        .iter()
        .filter(|a| !matches!(a.outcome, Outcome::Unsigned | Outcome::NotVerified(_)))
        .count();
    let target = v
        .purl
        .clone()
        .unwrap_or_else(|| format!("{reference} ({})", v.platform));
    out.push(Line::Heading(format!(
        "Verifying {signed} attestations for {target}"
    )));
    for a in &v.attestations {
        out.push(Line::Blank);
        match &a.outcome {
            Outcome::Unsigned => out.push(Line::Skipped(format!(
                "Skipping unsigned {} attestation ({})",
                a.predicate_hint.as_deref().unwrap_or("in-toto"),
                a.layer.digest
            ))),
            Outcome::NotVerified(why) => out.push(Line::Skipped(format!(
                "Skipping {} ({}, found in {}): {why}",
                a.layer.digest,
                a.manifest,
                a.found.describe()
            ))),
            Outcome::VerifierNotLoaded => {
                out.push(Line::Heading(heading(a)));
                out.push(Line::Skipped(format!(
                    "Not checked: {}",
                    crate::signature_reports::VERIFIER_NOT_LOADED
                )));
            }
            Outcome::OpenPubkey(ok) => {
                out.push(Line::Heading(format!(
                    "Verifying {} attestation",
                    ok.statement.predicate_type
                )));
                docker_lines(reference, ok, &mut out);
            }
            Outcome::Sigstore(ok) => {
                let what = match &ok.statement {
                    Some(s) => format!("{} attestation", s.predicate_type),
                    None => "image signature".into(),
                };
                out.push(Line::Heading(format!("Verifying {what} ({})", place(a))));
                out.extend(check_lines(&ok.checks));
                out.push(Line::Pass(format!(
                    "Verified under the trusted root {}",
                    ok.trusted_root
                )));
            }
            Outcome::SignedManifest(ok) => {
                out.push(Line::Heading(format!(
                    "Verifying the signature on attestation manifest {} ({})",
                    ok.manifest,
                    place(a)
                )));
                out.extend(check_lines(&ok.checks));
                out.push(Line::Pass(format!(
                    "Verified under the trusted root {}",
                    ok.signature.trusted_root
                )));
                let covered: Vec<&str> = ok
                    .statements
                    .iter()
                    .map(|s| s.predicate_type.as_str())
                    .collect();
                out.push(Line::Pass(format!(
                    "Verified the signed manifest's attestations: {}",
                    covered.join(", ")
                )));
            }
            Outcome::Failed(AttestationFailure::Fetch(e)) => {
                out.push(Line::Heading(heading(a)));
                out.push(Line::Fail(e.to_string()));
            }
            Outcome::Failed(AttestationFailure::Rejected(r)) => {
                out.push(Line::Heading(heading(a)));
                out.extend(check_lines(&r.checks));
            }
        }
    }
    out.push(Line::Blank);
    out.push(match &v.error {
        None => Line::Verdict {
            ok: true,
            text: "Verified all required attestations are present".into(),
        },
        Some(e) => Line::Verdict {
            ok: false,
            text: e.to_string(),
        },
    });
    out
}

/// Checks as `✓`/`✗` lines.
pub fn check_lines(checks: &[Check]) -> Vec<Line> {
    checks
        .iter()
        .map(|c| {
            if c.ok {
                Line::Pass(c.message.clone())
            } else {
                Line::Fail(c.message.clone())
            }
        })
        .collect()
}

fn hint(a: &AttestationReport) -> &str {
    a.predicate_hint.as_deref().unwrap_or("unknown")
}

/// `Sigstore signature, found in the referrers tag`: the scheme (for any but OpenPubkey, whose
/// lines are docker verify's), what it signs when that is the image index, and where it was
/// found.
fn place(a: &AttestationReport) -> String {
    format!(
        "{} signature{}, found in {}",
        a.scheme.map_or("unknown", Scheme::describe),
        if a.on_index {
            " of the image index"
        } else {
            ""
        },
        a.found.describe()
    )
}

fn heading(a: &AttestationReport) -> String {
    match a.scheme {
        Some(Scheme::OpenPubkey) | None => format!("Verifying {} attestation", hint(a)),
        Some(_) => match &a.predicate_hint {
            Some(t) => format!("Verifying {t} attestation ({})", place(a)),
            None => format!("Verifying a signature ({})", place(a)),
        },
    }
}

/// docker verify's lines in its order, then one line for the OpenPubkey checks it runs silently.
fn docker_lines(reference: &Reference, ok: &EnvelopeOutcome, out: &mut Vec<Line>) {
    for id in DOCKER_ORDER {
        for c in ok.checks.iter().filter(|c| c.id == id) {
            out.push(Line::Pass(if id == "subject.name" {
                format!("Verified attestation refers to tag {reference}")
            } else {
                c.message.clone()
            }));
        }
    }
    for c in ok
        .checks
        .iter()
        .filter(|c| c.id.starts_with("policy.") && !DOCKER_ORDER.contains(&c.id))
    {
        out.push(Line::Pass(c.message.clone()));
    }
    let bound = ["commitment", "cic.signature", "att"]
        .iter()
        .all(|id| ok.checks.iter().any(|c: &Check| c.id == *id && c.ok));
    if bound {
        out.push(Line::Pass(format!(
            "Verified OpenPubkey binding ({}): commitment, CIC signature by the ephemeral key, att over this envelope",
            ok.format
        )));
    }
}

/// `{code, message}`.
pub fn error_json(code: &str, message: &dyn std::fmt::Display) -> Value {
    json!({"code": code, "message": message.to_string()})
}

/// The key that verified.
pub fn key_json(k: &KeyInfo) -> Value {
    json!({"kid": k.kid, "issuer": k.issuer, "source": k.source.describe(), "window": k.window})
}

/// A verified envelope.
pub fn envelope_json(ok: &EnvelopeOutcome) -> Value {
    let token = ok.tokens.first();
    json!({
        "verified": true,
        "format": ok.format.to_string(),
        "checks": ok.checks,
        "claims": token.map(|t| Value::Object(t.claims.clone())),
        "key": token.map(|t| key_json(&t.key)),
        "predicateType": ok.statement.predicate_type,
        "subject": ok.statement.subject,
    })
}

/// The `--json` object of a verified OpenPubkey Ext envelope: as [`envelope_json`], with the
/// transparency-log entry that logged it.
pub fn ext_envelope_json(ok: &opk_verify::opk_ext::ExtOutcome) -> Value {
    json!({
        "verified": true,
        "format": ok.token.format.map(|f| f.to_string()),
        "checks": ok.checks,
        "claims": Value::Object(ok.token.claims.clone()),
        "key": key_json(&ok.token.key),
        "log": ok.log,
        "predicateType": ok.statement.predicate_type,
        "subject": ok.statement.subject,
    })
}

/// The `--json` object of an image verification (`image` as the user wrote it), with the
/// verdict's lines as the CLI prints them.
pub fn verdict_json(
    image: &str,
    reference: &Reference,
    v: &ImageVerdict,
    fetches: &[FetchRecord],
) -> Value {
    let attestations: Vec<Value> = v.attestations.iter().map(attestation_json).collect();
    let lines: Vec<String> = verdict_lines(reference, v)
        .iter()
        .map(Line::render)
        .collect();
    json!({
        "verified": v.verified(),
        "state": v.state(),
        "image": image,
        "platform": v.platform,
        "resolved": {"digest": v.resolved.digest, "fromTag": v.resolved.from_tag,
                     "unverifiedStep": v.resolved.from_tag.is_some()},
        "imageDigest": v.image_digest,
        "purl": v.purl,
        "attestations": attestations,
        "error": v.error.as_ref().map(|e: &RegistryError| error_json(e.code(), e)),
        "lines": lines,
        "fetches": fetches,
    })
}

/// A verified PK token or JWT (`verify-token --json`).
pub fn token_json(ok: &TokenOutcome) -> Value {
    json!({
        "verified": true,
        "format": ok.format.map_or_else(|| "JWT".to_string(), |f| f.to_string()),
        "checks": ok.checks,
        "claims": Value::Object(ok.claims.clone()),
        "key": key_json(&ok.key),
    })
}

/// A rejected envelope or token (`verify-envelope`/`verify-token --json`).
pub fn rejected_json(r: &Rejected) -> Value {
    json!({"verified": false, "error": error_json(r.error.code(), &r.error), "checks": r.checks})
}

/// The `--json` object when the image could not be verified at all (not found, unreachable…).
pub fn failure_json(
    image: &str,
    platform: &str,
    e: &RegistryError,
    fetches: &[FetchRecord],
) -> Value {
    json!({"verified": false, "state": crate::outcome::State::of_error(e), "image": image,
           "platform": platform, "attestations": [], "error": error_json(e.code(), e),
           "fetches": fetches})
}

fn attestation_json(a: &AttestationReport) -> Value {
    let mut entry = json!({
        "scheme": a.scheme,
        "manifest": a.manifest,
        "found": a.found,
        "layer": {"mediaType": a.layer.media_type, "digest": a.layer.digest, "size": a.layer.size},
        "predicateTypeHint": a.predicate_hint,
    });
    if a.on_index {
        // Verified against the index's digest, which lists the platform image.
        entry["onIndex"] = json!(true);
    }
    let extra = match &a.outcome {
        Outcome::Unsigned => json!({}),
        Outcome::NotVerified(why) => json!({"reason": why}),
        Outcome::VerifierNotLoaded => {
            let why = crate::signature_reports::VERIFIER_NOT_LOADED;
            json!({"reason": why, "error": error_json("verifier_not_loaded", &why)})
        }
        Outcome::OpenPubkey(ok) => envelope_json(ok),
        Outcome::Sigstore(ok) => bundle_json(ok),
        Outcome::SignedManifest(ok) => {
            let mut v = bundle_json(&ok.signature);
            if let Some(o) = v.as_object_mut() {
                o.insert("checks".into(), json!(ok.checks));
                o.insert("signedManifest".into(), json!(ok.manifest));
                o.insert(
                    "coveredStatements".into(),
                    json!(ok
                        .statements
                        .iter()
                        .map(|s| json!({"predicateType": s.predicate_type, "subject": s.subject}))
                        .collect::<Vec<_>>()),
                );
            }
            v
        }
        Outcome::Failed(AttestationFailure::Fetch(e)) => {
            json!({"error": error_json(e.code(), e), "checks": []})
        }
        Outcome::Failed(AttestationFailure::Rejected(r)) => {
            json!({"error": error_json(r.error.code(), &r.error), "checks": r.checks})
        }
    };
    let state = a.outcome.state();
    if let (Some(obj), Value::Object(more)) = (entry.as_object_mut(), extra) {
        obj.extend(more);
        obj.insert("status".into(), json!(state));
        obj.insert(
            "verified".into(),
            (state == crate::outcome::AttestationState::Verified).into(),
        );
    }
    entry
}

/// A verified Sigstore bundle on its own (`opk verify-bundle --json`, `verifyBundle`).
pub fn verified_bundle_json(ok: &opk_verify::sigstore::BundleOutcome) -> Value {
    json!({"verified": true, "scheme": "sigstore", "bundle": ok})
}

/// A verified Sigstore bundle (in an image verdict).
pub fn bundle_json(ok: &opk_verify::sigstore::BundleOutcome) -> Value {
    json!({
        "verified": true,
        "version": ok.version,
        "signer": ok.signer,
        "signedAt": ok.signed_at,
        "logEntries": ok.log_entries,
        "timestamps": ok.timestamps,
        "timeWitness": ok.time_witness,
        "trustedRoot": ok.trusted_root,
        "checks": ok.checks,
        "predicateType": ok.statement.as_ref().map(|s| &s.predicate_type),
        "subject": ok.statement.as_ref().map(|s| &s.subject),
    })
}
