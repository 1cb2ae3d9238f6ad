//! Trust roots and the identity policy from the command line: the bundled GitHub Actions key
//! history, plus any `--jwks` files for the first `--issuer`; no permissive default.

use opk_verify::jose::Jwks;
use opk_verify::{KeySource, Policy, TrustRoots, GITHUB_ACTIONS_ISSUER};

use crate::args::{Identity, Trust};
use crate::read_input;

/// Whether a command insists on an identity rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// At least one rule, or `--any-identity-unsafe`.
    Identity,
    /// Rules are optional (checking a token's validity and showing its claims).
    Nothing,
}

/// Builds trust roots and a policy requiring `predicates`.
pub fn build(
    trust: &Trust,
    identity: &Identity,
    predicates: &[String],
    need: Need,
) -> Result<(TrustRoots, Policy), String> {
    let rules = identity.rules();
    if need == Need::Identity && rules.is_empty() && !identity.any_identity_unsafe {
        return Err(
            "an identity rule is required (--repo-owner-id, --repository, --ref, --workflow-ref) \
             or --any-identity-unsafe"
                .into(),
        );
    }
    let mut roots = TrustRoots::bundled().map_err(|e| format!("bundled trust roots: {e}"))?;
    let issuer = trust
        .issuers
        .first()
        .map_or(GITHUB_ACTIONS_ISSUER, String::as_str);
    for path in &trust.jwks {
        let bytes = read_input(path)?;
        let jwks = Jwks::from_json(&bytes).map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        roots
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
    for i in &trust.issuers {
        b = b.issuer(i.clone());
    }
    for (claim, value) in rules {
        b = match claim {
            "repository_owner_id" => b.repository_owner_id(value),
            "repository" => b.repository(value),
            "ref" => b.git_ref(value),
            _ => b.workflow_ref(value),
        };
    }
    for p in predicates {
        b = b.require_predicate_type(p.clone());
    }
    if rules_empty_ok(need, identity) {
        b = b.any_identity_unsafe();
    }
    let policy = b.build().map_err(|e| e.to_string())?;
    Ok((roots, policy))
}

fn rules_empty_ok(need: Need, identity: &Identity) -> bool {
    identity.any_identity_unsafe || (need == Need::Nothing && identity.rules().is_empty())
}
