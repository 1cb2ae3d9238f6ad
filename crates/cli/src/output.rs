//! Runs a verify command and prints the checklist (or one JSON object).

use std::io::Read as _;
use std::process::ExitCode;

use opk_verify::jose::Jwks;
use opk_verify::{
    Check, ExpectedSubject, KeySource, Policy, Rejected, TrustRoots, UnixTime,
    GITHUB_ACTIONS_ISSUER,
};
use serde_json::{json, Value};

use crate::args::{Kind, Verify};

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))
}

fn input_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

fn trust_and_policy(v: &Verify) -> Result<(TrustRoots, Policy), String> {
    let mut trust = TrustRoots::bundled().map_err(|e| format!("bundled trust roots: {e}"))?;
    let issuer = v
        .issuers
        .first()
        .map_or(GITHUB_ACTIONS_ISSUER, String::as_str);
    for path in &v.jwks {
        let bytes = read_input(path)?;
        let jwks = Jwks::from_json(&bytes).map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        trust
            .add_jwks(
                issuer,
                &jwks,
                &KeySource::UserSupplied {
                    label: path.clone(),
                },
            )
            .map_err(|e| format!("{path}: {}: {e}", e.code()))?;
    }
    let mut b = Policy::builder();
    for i in &v.issuers {
        b = b.issuer(i.clone());
    }
    for (claim, value) in &v.rules {
        b = match *claim {
            "repository_owner_id" => b.repository_owner_id(value.clone()),
            "repository" => b.repository(value.clone()),
            "ref" => b.git_ref(value.clone()),
            _ => b.workflow_ref(value.clone()),
        };
    }
    if v.any_identity {
        b = b.any_identity_unsafe();
    }
    let policy = b.build().map_err(|e| e.to_string())?;
    Ok((trust, policy))
}

/// Runs `v` at time `now`.
pub fn run(v: &Verify, now: UnixTime) -> ExitCode {
    let (trust, policy) = match trust_and_policy(v) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    let bytes = match read_input(&v.file) {
        Ok(b) => b,
        Err(e) => return input_error(&e),
    };
    let result = match v.kind {
        Some(Kind::Envelope) => {
            let mut subject = ExpectedSubject::digest(v.subject_digest.clone().unwrap_or_default());
            if let Some(name) = &v.subject_name {
                subject = subject.with_name(name.clone());
            }
            opk_verify::verify_envelope(&bytes, subject, &trust, &policy, now).map(|ok| {
                let token = ok.tokens.first();
                (
                    ok.checks.clone(),
                    json!({
                        "verified": true,
                        "format": ok.format.to_string(),
                        "checks": ok.checks,
                        "claims": token.map(|t| Value::Object(t.claims.clone())),
                        "key": token.map(|t| json!({"kid": t.key.kid, "issuer": t.key.issuer, "source": t.key.source.describe()})),
                        "predicateType": ok.statement.predicate_type,
                        "subject": ok.statement.subject,
                    }),
                )
            })
        }
        _ => verify_token(&bytes, &trust, &policy, now).map(|ok| {
            (
                ok.checks.clone(),
                json!({
                    "verified": true,
                    "format": ok.format.map_or_else(|| "JWT".to_string(), |f| f.to_string()),
                    "checks": ok.checks,
                    "claims": Value::Object(ok.claims.clone()),
                    "key": {"kid": ok.key.kid, "issuer": ok.key.issuer, "source": ok.key.source.describe()},
                }),
            )
        }),
    };
    match result {
        Ok((checks, doc)) => {
            if v.json {
                println!("{doc}");
            } else {
                print_checks(&checks);
                println!("Verified successfully");
            }
            ExitCode::SUCCESS
        }
        Err(Rejected { error, checks }) => {
            if v.json {
                println!(
                    "{}",
                    json!({"verified": false, "error": {"code": error.code(), "message": error.to_string()}, "checks": checks})
                );
            } else {
                print_checks(&checks);
            }
            eprintln!("error: {}: {error}", error.code());
            ExitCode::from(1)
        }
    }
}

fn verify_token(
    bytes: &[u8],
    trust: &TrustRoots,
    policy: &Policy,
    now: UnixTime,
) -> Result<opk_verify::Verified<opk_verify::TokenOutcome>, Rejected> {
    let text = std::str::from_utf8(bytes).unwrap_or_default().trim();
    let is_jwt = !text.starts_with('{') && !text.contains(':') && text.contains('.');
    if is_jwt {
        opk_verify::verify_jwt(text, trust, policy, now)
    } else {
        opk_verify::verify_pk_token(bytes, trust, policy, now)
    }
}

fn print_checks(checks: &[Check]) {
    for c in checks {
        println!("{} {}", if c.ok { "✓" } else { "✗" }, c.message);
    }
}
