//! Trust roots and a policy from what a user asked for — the CLI's flags, the web page's form and
//! URL, the JS API's options — assembled the same way everywhere: the bundled GitHub Actions key
//! history, each user JWKS for the first named issuer (an `opk dev-op` JWKS for its own issuer,
//! which it then allows beside the default), the identity rules, the required predicate types.

use crate::policy::{Policy, PolicyError, SanRule};
use crate::trust::{JwksFile, TrustRoots, GITHUB_ACTIONS_ISSUER};
use crate::VerifyError;

/// The identity claims a user may require, by name.
pub const RULE_CLAIMS: [&str; 4] = ["repository_owner_id", "repository", "ref", "workflow_ref"];

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Allowed issuers (empty: GitHub Actions).
    pub issuers: Vec<String>,
    /// User-supplied JWKS, each with the label it is shown under (file name or URL).
    pub jwks: Vec<(String, JwksFile)>,
    /// Identity rules: (claim from [`RULE_CLAIMS`], required value).
    pub rules: Vec<(String, String)>,
    /// Required predicate types.
    pub predicates: Vec<String>,
    /// Accept any signer of an allowed issuer.
    pub any_identity_unsafe: bool,
    /// Sigstore: the signing certificate's subject alternative name, exactly or by prefix.
    pub certificate_identity: Option<SanRule>,
    /// Sigstore: OIDC issuers whose certificates are also allowed (beside `issuers`, or
    /// GitHub Actions when none are named).
    pub certificate_issuers: Vec<String>,
}

/// Why trust or policy could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// A JWKS could not be added.
    #[error("{label}: {error}")]
    Jwks {
        /// Its label.
        label: String,
        /// Why.
        error: VerifyError,
    },
    /// An identity rule names a claim that cannot be required.
    #[error(
        "unknown identity rule {0:?} (use repository_owner_id, repository, ref or workflow_ref)"
    )]
    UnknownRule(String),
    /// The policy is incomplete.
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl SetupError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Jwks { error, .. } => error.code(),
            Self::UnknownRule(_) => "invalid_policy",
            Self::Policy(_) => "invalid_policy",
        }
    }
}

/// The trust roots and policy for `req`; also the dev issuers that were allowed.
pub fn trust_and_policy(req: &Request) -> Result<(TrustRoots, Policy, Vec<String>), SetupError> {
    let mut roots = TrustRoots::bundled().map_err(|error| SetupError::Jwks {
        label: "bundled trust roots".into(),
        error,
    })?;
    let issuer = req
        .issuers
        .first()
        .map_or(GITHUB_ACTIONS_ISSUER, String::as_str);
    let mut dev_issuers: Vec<String> = Vec::new();
    for (label, file) in &req.jwks {
        let added = roots
            .add_jwks_file(file, issuer, label)
            .map_err(|error| SetupError::Jwks {
                label: label.clone(),
                error,
            })?;
        if file.dev_issuer.is_some() && !dev_issuers.contains(&added) {
            dev_issuers.push(added);
        }
    }
    let mut b = Policy::builder();
    if req.issuers.is_empty() && !(dev_issuers.is_empty() && req.certificate_issuers.is_empty()) {
        b = b.issuer(GITHUB_ACTIONS_ISSUER);
    }
    for i in req
        .issuers
        .iter()
        .chain(&dev_issuers)
        .chain(&req.certificate_issuers)
    {
        b = b.issuer(i.clone());
    }
    b = match &req.certificate_identity {
        Some(SanRule::Exact(san)) => b.certificate_identity(san.clone()),
        Some(SanRule::Prefix(prefix)) => b.certificate_identity_prefix(prefix.clone()),
        None => b,
    };
    for (claim, value) in &req.rules {
        b = match claim.as_str() {
            "repository_owner_id" => b.repository_owner_id(value.clone()),
            "repository" => b.repository(value.clone()),
            "ref" => b.git_ref(value.clone()),
            "workflow_ref" => b.workflow_ref(value.clone()),
            other => return Err(SetupError::UnknownRule(other.to_owned())),
        };
    }
    for p in &req.predicates {
        b = b.require_predicate_type(p.clone());
    }
    if req.any_identity_unsafe {
        b = b.any_identity_unsafe();
    }
    Ok((roots, b.build()?, dev_issuers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_identity_is_refused_and_unknown_rules_are_named() {
        let mut req = Request::default();
        assert_eq!(
            trust_and_policy(&req).unwrap_err(),
            SetupError::Policy(PolicyError::NoIdentity)
        );
        req.rules.push(("sub".into(), "x".into()));
        assert_eq!(
            trust_and_policy(&req).unwrap_err(),
            SetupError::UnknownRule("sub".into())
        );
        req.rules = vec![("repository_owner_id".into(), "1".into())];
        let (roots, policy, dev) = trust_and_policy(&req).unwrap();
        assert_eq!(policy.issuers(), [GITHUB_ACTIONS_ISSUER]);
        assert_eq!(roots.keys().len(), 8);
        assert!(dev.is_empty());
    }
}
