//! Policy: which issuers and identities are acceptable. There is no `Default` and no permissive
//! constructor: [`PolicyBuilder::build`] fails unless an identity rule is given or the caller
//! explicitly opts out with [`PolicyBuilder::any_identity_unsafe`].

use crate::trust::GITHUB_ACTIONS_ISSUER;

/// Why a policy could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// No identity rule was given and `any_identity_unsafe` was not chosen.
    #[error("the policy names no identity (repository owner id, repository, …); refusing to accept any signer")]
    NoIdentity,
    /// The issuer list is empty.
    #[error("the policy allows no issuer")]
    NoIssuer,
    /// A rule, issuer or predicate type is empty (or only white space): an unset variable in a
    /// script must not become a rule that a token without the claim satisfies.
    #[error("the policy's {what} is empty")]
    EmptyValue {
        /// The claim name, `issuer` or `predicate type`.
        what: &'static str,
    },
}

/// How a Sigstore signing certificate's subject alternative name must read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanRule {
    /// Exactly this.
    Exact(String),
    /// Starting with this, which ends with `@` or `/` (e.g.
    /// `https://github.com/org/repo/.github/workflows/build.yml@`: any ref of that workflow),
    /// so a prefix never matches a longer owner or file name.
    Prefix(String),
}

impl SanRule {
    /// Whether `san` satisfies the rule.
    pub fn matches(&self, san: &str) -> bool {
        match self {
            Self::Exact(e) => san == e,
            Self::Prefix(p) => san.len() > p.len() && san.starts_with(p.as_str()),
        }
    }
}

/// A claim that must equal an expected string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRule {
    /// The ID-token claim name.
    pub claim: &'static str,
    /// The required value.
    pub expected: String,
}

/// A verification policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub(crate) issuers: Vec<String>,
    pub(crate) rules: Vec<ClaimRule>,
    pub(crate) required_predicate_types: Vec<String>,
    pub(crate) provenance_cross_checks: bool,
    pub(crate) max_age_secs: Option<i64>,
    pub(crate) certificate_identity: Option<SanRule>,
    pub(crate) key_only: bool,
}

impl Policy {
    /// Starts a policy whose issuer allow-list is the GitHub Actions issuer.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder {
            issuers: vec![GITHUB_ACTIONS_ISSUER.to_owned()],
            issuers_explicit: false,
            rules: Vec::new(),
            any_identity: false,
            required_predicate_types: Vec::new(),
            provenance_cross_checks: true,
            max_age_secs: None,
            certificate_identity: None,
            key_only: false,
        }
    }
    /// The allowed issuers.
    pub fn issuers(&self) -> &[String] {
        &self.issuers
    }
    /// The identity rules.
    pub fn rules(&self) -> &[ClaimRule] {
        &self.rules
    }
    /// Predicate types an image must have verified attestations for.
    pub fn required_predicate_types(&self) -> &[String] {
        &self.required_predicate_types
    }
    /// The Sigstore certificate identity rule, if any.
    pub fn certificate_identity(&self) -> Option<&SanRule> {
        self.certificate_identity.as_ref()
    }
    /// Whether only a key the verifier was given may sign (Sigstore keyed signatures).
    pub fn key_only(&self) -> bool {
        self.key_only
    }
    /// Whether any signer of an allowed issuer is accepted (`any_identity_unsafe`).
    pub fn any_identity(&self) -> bool {
        self.rules.is_empty() && self.certificate_identity.is_none() && !self.key_only
    }
}

/// Builds a [`Policy`].
#[derive(Debug, Clone)]
pub struct PolicyBuilder {
    issuers: Vec<String>,
    issuers_explicit: bool,
    rules: Vec<ClaimRule>,
    any_identity: bool,
    required_predicate_types: Vec<String>,
    provenance_cross_checks: bool,
    max_age_secs: Option<i64>,
    certificate_identity: Option<SanRule>,
    key_only: bool,
}

impl PolicyBuilder {
    /// Allows `issuer`; the first call replaces the default (GitHub Actions) list.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        if !self.issuers_explicit {
            self.issuers.clear();
            self.issuers_explicit = true;
        }
        self.issuers.push(issuer.into());
        self
    }
    fn rule(mut self, claim: &'static str, expected: impl Into<String>) -> Self {
        self.rules.push(ClaimRule {
            claim,
            expected: expected.into(),
        });
        self
    }
    /// Requires `repository_owner_id` (GitHub's stable numeric org/user id).
    pub fn repository_owner_id(self, id: impl Into<String>) -> Self {
        self.rule("repository_owner_id", id)
    }
    /// Requires `repository` (`owner/name`).
    pub fn repository(self, repo: impl Into<String>) -> Self {
        self.rule("repository", repo)
    }
    /// Requires `ref` (e.g. `refs/heads/main`).
    pub fn git_ref(self, r: impl Into<String>) -> Self {
        self.rule("ref", r)
    }
    /// Requires `workflow_ref`.
    pub fn workflow_ref(self, w: impl Into<String>) -> Self {
        self.rule("workflow_ref", w)
    }
    /// Requires `job_workflow_ref`.
    pub fn job_workflow_ref(self, w: impl Into<String>) -> Self {
        self.rule("job_workflow_ref", w)
    }
    /// Requires the commit (`sha`; Fulcio's source repository digest).
    pub fn commit(self, sha: impl Into<String>) -> Self {
        self.rule("sha", sha)
    }
    /// Requires a Sigstore signing certificate whose subject alternative name is exactly `san`.
    pub fn certificate_identity(mut self, san: impl Into<String>) -> Self {
        self.certificate_identity = Some(SanRule::Exact(san.into()));
        self
    }
    /// Requires a Sigstore signing certificate whose subject alternative name starts with
    /// `prefix`, which must end with `@` or `/` (see [`SanRule::Prefix`]).
    pub fn certificate_identity_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.certificate_identity = Some(SanRule::Prefix(prefix.into()));
        self
    }
    /// Accepts only Sigstore signatures by a key the verifier is given (`--key`): the key is the
    /// identity; a certificate-signed bundle is refused.
    pub fn trusted_key_only(mut self) -> Self {
        self.key_only = true;
        self
    }
    /// Requires `event_name` (e.g. `push`).
    pub fn event_name(self, e: impl Into<String>) -> Self {
        self.rule("event_name", e)
    }
    /// Requires a verified attestation of this predicate type (image-level checks).
    pub fn require_predicate_type(mut self, t: impl Into<String>) -> Self {
        self.required_predicate_types.push(t.into());
        self
    }
    /// Rejects tokens issued more than `secs` before `now`. Off by default: attestations are
    /// archival, and the key's dated window bounds `iat` instead.
    pub fn max_age_secs(mut self, secs: i64) -> Self {
        self.max_age_secs = Some(secs);
        self
    }
    /// Skips the SLSA provenance cross-checks (`vcs.revision`, `vcs.source`, `builder.id`).
    pub fn skip_provenance_cross_checks_unsafe(mut self) -> Self {
        self.provenance_cross_checks = false;
        self
    }
    /// Accepts any signer identity of an allowed issuer. Only for inspecting tokens.
    pub fn any_identity_unsafe(mut self) -> Self {
        self.any_identity = true;
        self
    }
    /// Finishes the policy. Refuses an empty (or all white-space) rule value, issuer or
    /// predicate type.
    pub fn build(self) -> Result<Policy, PolicyError> {
        if self.issuers.is_empty() {
            return Err(PolicyError::NoIssuer);
        }
        let blank = |s: &str| s.trim().is_empty();
        if let Some(r) = self.rules.iter().find(|r| blank(&r.expected)) {
            return Err(PolicyError::EmptyValue { what: r.claim });
        }
        if self.issuers.iter().any(|i| blank(i)) {
            return Err(PolicyError::EmptyValue { what: "issuer" });
        }
        if self.required_predicate_types.iter().any(|t| blank(t)) {
            return Err(PolicyError::EmptyValue {
                what: "predicate type",
            });
        }
        if self.rules.is_empty()
            && self.certificate_identity.is_none()
            && !self.key_only
            && !self.any_identity
        {
            return Err(PolicyError::NoIdentity);
        }
        match &self.certificate_identity {
            Some(SanRule::Exact(s)) if blank(s) => {
                return Err(PolicyError::EmptyValue {
                    what: "certificate identity",
                })
            }
            Some(SanRule::Prefix(p)) if blank(p) || !(p.ends_with('@') || p.ends_with('/')) => {
                return Err(PolicyError::EmptyValue {
                    what: "certificate identity prefix (it must end with @ or /)",
                })
            }
            _ => {}
        }
        Ok(Policy {
            issuers: self.issuers,
            rules: self.rules,
            required_predicate_types: self.required_predicate_types,
            provenance_cross_checks: self.provenance_cross_checks,
            max_age_secs: self.max_age_secs,
            certificate_identity: self.certificate_identity,
            key_only: self.key_only,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_permissive_default() {
        assert_eq!(Policy::builder().build(), Err(PolicyError::NoIdentity));
        let p = Policy::builder().repository_owner_id("1").build().unwrap();
        assert_eq!(p.issuers(), [GITHUB_ACTIONS_ISSUER]);
        let p = Policy::builder()
            .issuer("https://a")
            .issuer("https://b")
            .any_identity_unsafe()
            .build()
            .unwrap();
        assert_eq!(p.issuers(), ["https://a", "https://b"]);
    }

    /// An empty rule (an unset variable in a script) is refused, not turned into a rule that a
    /// token without the claim would satisfy; so are an empty issuer and predicate type.
    #[test]
    fn empty_values_are_refused() {
        let empty = |what| Err(PolicyError::EmptyValue { what });
        assert_eq!(
            Policy::builder().repository_owner_id("").build(),
            empty("repository_owner_id")
        );
        assert_eq!(
            Policy::builder().repository(" \t").build(),
            empty("repository")
        );
        assert_eq!(
            Policy::builder()
                .repository_owner_id("1")
                .git_ref("")
                .build(),
            empty("ref")
        );
        assert_eq!(
            Policy::builder().workflow_ref("\n").build(),
            empty("workflow_ref")
        );
        assert_eq!(
            Policy::builder().issuer("").any_identity_unsafe().build(),
            empty("issuer")
        );
        assert_eq!(
            Policy::builder()
                .repository_owner_id("1")
                .require_predicate_type("")
                .build(),
            empty("predicate type")
        );
    }
}
