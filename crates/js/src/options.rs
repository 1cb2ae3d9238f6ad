//! The API's policy and options objects, read from JSON: which keys are trusted and who must have
//! signed (`PolicyOptions`), and how the registry is reached (`FetchOptions`). Unknown members are
//! an error, so a misspelt rule is never silently ignored.

use opk_verify::policy::SanRule;
use opk_verify::setup::{self, SetupError, RULE_CLAIMS};
use opk_verify::sigstore::trusted_root::TrustedRoot;
use opk_verify::sigstore::SigstoreTrust;
use opk_verify::{JwksFile, Policy, TrustRoots};
use serde_json::{Map, Value};

/// An API error: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The stable code.
    pub code: String,
    /// The message.
    pub message: String,
}

impl ApiError {
    /// An `invalid_options` error.
    pub fn options(message: impl Into<String>) -> Self {
        Self {
            code: "invalid_options".into(),
            message: message.into(),
        }
    }
    /// As JSON.
    pub fn to_json(&self) -> Value {
        serde_json::json!({"code": self.code, "message": self.message})
    }
}

impl From<SetupError> for ApiError {
    fn from(e: SetupError) -> Self {
        Self {
            code: e.code().into(),
            message: e.to_string(),
        }
    }
}

const POLICY_MEMBERS: [&str; 15] = [
    "ownerId",
    "repository",
    "workflowRef",
    "ref",
    "predicates",
    "issuers",
    "jwks",
    "anyIdentityUnsafe",
    "subjectDigest",
    "subjectName",
    "now",
    "certIdentity",
    "certIdentityPrefix",
    "certOidcIssuers",
    "trustedRoot",
];

fn object<'a>(
    v: &'a Value,
    what: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, ApiError> {
    let m = match v {
        Value::Object(m) => m,
        Value::Null => return Ok(EMPTY.get_or_init(Map::new)),
        _ => return Err(ApiError::options(format!("{what} must be an object"))),
    };
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::options(format!("unknown {what} member {k:?}")));
    }
    Ok(m)
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

fn string(m: &Map<String, Value>, k: &str) -> Result<Option<String>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::options(format!("{k} must be a string"))),
    }
}

fn strings(m: &Map<String, Value>, k: &str) -> Result<Vec<String>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::options(format!("{k} must be an array of strings")))
            })
            .collect(),
        Some(_) => Err(ApiError::options(format!(
            "{k} must be an array of strings"
        ))),
    }
}

/// A parsed policy object.
#[derive(Debug, Clone)]
pub struct PolicyOptions {
    /// Trust roots.
    pub trust: TrustRoots,
    /// Sigstore trust: `trustedRoot` (user-supplied), else the bundled public-good root.
    pub sigstore: SigstoreTrust,
    /// The policy.
    pub policy: Policy,
    /// `subjectDigest`, for envelopes.
    pub subject_digest: Option<String>,
    /// `subjectName`, for envelopes.
    pub subject_name: Option<String>,
    /// `now` (Unix seconds) to verify at, else the page's clock.
    pub now: Option<i64>,
}

/// Reads a policy object. `jwks` is an array of `{label, json}` (json: the JWKS as a string or an
/// object); `predicates` default to SLSA provenance v0.2 when `default_predicates`.
pub fn policy(
    v: &Value,
    default_predicates: bool,
    need_identity: bool,
) -> Result<PolicyOptions, ApiError> {
    let m = object(v, "policy", &POLICY_MEMBERS)?;
    let mut rules = Vec::new();
    for (member, claim) in [
        ("ownerId", RULE_CLAIMS[0]),
        ("repository", RULE_CLAIMS[1]),
        ("ref", RULE_CLAIMS[2]),
        ("workflowRef", RULE_CLAIMS[3]),
    ] {
        if let Some(value) = string(m, member)? {
            rules.push((claim.to_owned(), value));
        }
    }
    let mut jwks = Vec::new();
    if let Some(list) = m.get("jwks") {
        let list = list
            .as_array()
            .ok_or_else(|| ApiError::options("jwks must be an array of {label, json}"))?;
        for (i, entry) in list.iter().enumerate() {
            let e = object(entry, "jwks entry", &["label", "json"])?;
            let label = string(e, "label")?.unwrap_or_else(|| format!("jwks[{i}]"));
            let bytes = match e.get("json") {
                Some(Value::String(s)) => s.clone().into_bytes(),
                Some(obj @ Value::Object(_)) => obj.to_string().into_bytes(),
                _ => {
                    return Err(ApiError::options(
                        "a jwks entry needs json (a string or an object)",
                    ))
                }
            };
            let file = JwksFile::parse(&bytes).map_err(|e| ApiError {
                code: e.code().into(),
                message: format!("{label}: {e}"),
            })?;
            jwks.push((label, file));
        }
    }
    let mut predicates = strings(m, "predicates")?;
    if predicates.is_empty() && default_predicates {
        predicates.push(opk_verify::intoto::SLSA_PROVENANCE_V02.to_owned());
    }
    let any = match m.get("anyIdentityUnsafe") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::options("anyIdentityUnsafe must be a boolean")),
    };
    let certificate_identity = match (string(m, "certIdentity")?, string(m, "certIdentityPrefix")?)
    {
        (Some(san), None) => Some(SanRule::Exact(san)),
        (None, Some(prefix)) => Some(SanRule::Prefix(prefix)),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiError::options(
                "certIdentity and certIdentityPrefix are exclusive",
            ))
        }
    };
    let root = match string(m, "trustedRoot")? {
        Some(json) => TrustedRoot::parse_user(json.as_bytes(), "trustedRoot"),
        None => TrustedRoot::public_good(),
    }
    .map_err(|e| ApiError {
        code: e.code().into(),
        message: format!("trustedRoot: {e}"),
    })?;
    let req = setup::Request {
        issuers: strings(m, "issuers")?,
        jwks,
        any_identity_unsafe: any
            || (!need_identity && rules.is_empty() && certificate_identity.is_none()),
        rules,
        predicates,
        certificate_identity,
        certificate_issuers: strings(m, "certOidcIssuers")?,
    };
    let (trust, policy, _) = setup::trust_and_policy(&req)?;
    let now = match m.get("now") {
        None | Some(Value::Null) => None,
        Some(n) => Some(
            n.as_i64()
                .ok_or_else(|| ApiError::options("now must be an integer"))?,
        ),
    };
    Ok(PolicyOptions {
        trust,
        sigstore: SigstoreTrust {
            root,
            keys: Vec::new(),
        },
        policy,
        subject_digest: string(m, "subjectDigest")?,
        subject_name: string(m, "subjectName")?,
        now,
    })
}

/// How to reach the registry: `{platform, proxy}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchOptions {
    /// The platform to verify (default linux/amd64).
    pub platform: String,
    /// A CORS proxy (prefix or template), or empty.
    pub proxy: String,
}

/// Reads an options object.
pub fn fetch_options(v: &Value) -> Result<FetchOptions, ApiError> {
    let m = object(v, "options", &["platform", "proxy"])?;
    Ok(FetchOptions {
        platform: string(m, "platform")?.unwrap_or_else(|| "linux/amd64".into()),
        proxy: string(m, "proxy")?.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_are_strict() {
        assert_eq!(
            policy(&json!({}), true, true).unwrap_err().code,
            "invalid_policy"
        );
        let p = policy(&json!({"ownerId": "1", "predicates": ["x"]}), true, true).unwrap();
        assert_eq!(p.policy.required_predicate_types(), ["x"]);
        let p = policy(&json!({"ownerId": "1"}), true, true).unwrap();
        assert_eq!(
            p.policy.required_predicate_types(),
            [opk_verify::intoto::SLSA_PROVENANCE_V02]
        );
        assert!(policy(&json!({"ownerID": "1"}), true, true)
            .unwrap_err()
            .message
            .contains("ownerID"));
        assert_eq!(
            policy(&json!({"ownerId": 1}), true, true).unwrap_err().code,
            "invalid_options"
        );
        assert_eq!(
            policy(
                &json!({"ownerId": "1", "jwks": [{"json": "{}"}]}),
                true,
                true
            )
            .unwrap_err()
            .code,
            "missing_field"
        );
        assert!(
            policy(&Value::Null, false, false).is_ok(),
            "a token check needs no identity"
        );
        assert_eq!(fetch_options(&Value::Null).unwrap().platform, "linux/amd64");
        assert!(fetch_options(&json!({"platfrom": "x"})).is_err());
    }

    /// `ownerId: ''` (an unset variable in a host's template) is refused, never a rule that a
    /// token without the claim satisfies; so is every other empty rule.
    #[test]
    fn empty_rules_are_refused() {
        for member in ["ownerId", "repository", "ref", "workflowRef"] {
            let e = policy(&json!({ member: "" }), true, true).unwrap_err();
            assert_eq!(e.code, "invalid_policy", "{member}");
            assert!(e.message.contains("is empty"), "{member}: {}", e.message);
        }
        let e = policy(&json!({"ownerId": "1", "repository": " "}), true, true).unwrap_err();
        assert_eq!(e.code, "invalid_policy");
    }
}
