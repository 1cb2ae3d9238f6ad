//! The identity stage: the policy's claim rules against a verified token's claims (an absent
//! or empty claim satisfies none), and, for a GitHub Actions token, the run it was issued to.

use serde_json::{Map, Value};

use crate::policy::Policy;
use crate::report::Checklist;
use crate::trust::{KeySource, TrustedKey, GITHUB_ACTIONS_ISSUER};
use crate::VerifyError;

/// The run line and every claim rule of `policy`, for a token of `iss` signed by `key`;
/// `attests`: the token commits to an attestation (its `att`).
pub(super) fn check(
    claims: &Map<String, Value>,
    iss: &str,
    key: &TrustedKey,
    attests: bool,
    policy: &Policy,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let claim = |k: &str| claim_text(claims, k);
    if iss == GITHUB_ACTIONS_ISSUER || claims.contains_key("run_id") {
        let (repo, run) = (claim("repository"), claim("run_id"));
        if !repo.is_empty() && !run.is_empty() {
            let dev = if matches!(key.source, KeySource::DevIssuer { .. }) {
                " (dev issuer, not GitHub)"
            } else {
                ""
            };
            let url = format!("https://github.com/{repo}/actions/runs/{run}{dev}");
            // docker verify's line, for a token committing to an attestation (its `att`);
            // a plain ID token or a PK token without `att` signed no attestation digest.
            ck.pass(
                "github.run",
                if attests {
                    format!("Verified attestation digest was signed on a Github Actions run: {url}")
                } else {
                    format!("Verified ID token was issued to a GitHub Actions run: {url}")
                },
            );
        }
    }
    for r in &policy.rules {
        let actual = claim_text(claims, r.claim);
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
    Ok(())
}

/// The string claim `name` of a verified token, empty when absent or not a string.
pub(super) fn claim_text(claims: &Map<String, Value>, name: &str) -> String {
    claims
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `expected` is `actual`, an absent or empty `actual` never.
pub(super) fn rule(name: &'static str, expected: &str, actual: &str) -> Result<(), VerifyError> {
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
