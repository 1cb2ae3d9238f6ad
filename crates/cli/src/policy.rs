//! Trust roots and the identity policy from the command line: the bundled GitHub Actions key
//! history, plus any `--jwks` files for the first `--issuer` (an `opk dev-op` JWKS for its own
//! issuer, which it then allows, labelled "dev issuer"); no permissive default.

use opk_verify::policy::SanRule;
use opk_verify::setup;
use opk_verify::{JwksFile, Policy, TrustRoots};

use crate::args::{Identity, ImageSigstore, Trust};
use crate::input::read_bounded;
use opk_verify::limits::Limit;

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
    build_with(trust, identity, None, predicates, need)
}

/// [`build`], with the Sigstore certificate rules `opk verify IMAGE` takes.
pub fn build_with(
    trust: &Trust,
    identity: &Identity,
    sigstore: Option<&ImageSigstore>,
    predicates: &[String],
    need: Need,
) -> Result<(TrustRoots, Policy), String> {
    let rules = identity.rules();
    let certificate_identity = sigstore.and_then(|s| {
        s.cert_identity
            .clone()
            .map(SanRule::Exact)
            .or_else(|| s.cert_identity_prefix.clone().map(SanRule::Prefix))
    });
    if need == Need::Identity
        && rules.is_empty()
        && certificate_identity.is_none()
        && !identity.any_identity_unsafe
    {
        return Err(
            "an identity rule is required (--repo-owner-id, --repository, --ref, --workflow-ref, \
             --cert-identity, --cert-identity-prefix) or --any-identity-unsafe"
                .into(),
        );
    }
    let mut jwks = Vec::new();
    for path in &trust.jwks {
        // More than the limit comes back cut: JwksFile::parse refuses it with limit_exceeded.
        let bytes = read_bounded(path, Limit::JwksBytes)?;
        let file = JwksFile::parse(&bytes).map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        jwks.push((path.clone(), file));
    }
    let req = setup::Request {
        issuers: trust.issuers.clone(),
        jwks,
        rules: rules.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        predicates: predicates.to_vec(),
        any_identity_unsafe: rules_empty_ok(need, identity),
        certificate_identity,
        certificate_issuers: sigstore
            .map(|s| s.cert_oidc_issuers.clone())
            .unwrap_or_default(),
    };
    let (roots, policy, _) =
        setup::trust_and_policy(&req).map_err(|e| format!("{}: {e}", e.code()))?;
    Ok((roots, policy))
}

fn rules_empty_ok(need: Need, identity: &Identity) -> bool {
    identity.any_identity_unsafe || (need == Need::Nothing && identity.rules().is_empty())
}
