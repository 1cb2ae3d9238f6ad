//! Trust roots and the identity policy from the command line: the bundled GitHub Actions key
//! history, plus any `--jwks` files for the first `--issuer` (an `opk dev-op` JWKS for its own
//! issuer, which it then allows, labelled "dev issuer"); no permissive default.

use opk_verify::{JwksFile, Policy, TrustRoots, GITHUB_ACTIONS_ISSUER};

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
    let mut dev_issuers = Vec::new();
    for path in &trust.jwks {
        let bytes = read_input(path)?;
        let file = JwksFile::parse(&bytes).map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        let added = roots
            .add_jwks_file(&file, issuer, path)
            .map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        if file.dev_issuer.is_some() && !dev_issuers.contains(&added) {
            dev_issuers.push(added);
        }
    }
    let mut b = Policy::builder();
    if trust.issuers.is_empty() && !dev_issuers.is_empty() {
        // Passing a dev issuer's JWKS allows that issuer, beside the default GitHub Actions.
        b = b.issuer(GITHUB_ACTIONS_ISSUER);
    }
    for i in trust.issuers.iter().chain(&dev_issuers) {
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
