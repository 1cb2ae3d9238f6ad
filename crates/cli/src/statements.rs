//! The in-toto statements `opk sign` signs for one platform image: the unsigned statements
//! BuildKit already attached (kept byte for byte), `--provenance`/`--sbom` predicate files, and
//! otherwise a minimal SLSA v0.2 provenance describing the CI run that signs (from GitHub
//! Actions' `GITHUB_*` variables), never claiming more than the signer knows.

use opk_verify::intoto::{Statement, SLSA_PROVENANCE_V02};
use opk_verify::sign;
use serde_json::{json, Value};

/// The SPDX predicate type.
pub const SPDX: &str = "https://spdx.dev/Document";
/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// What `opk sign` writes as the build type of a minimal provenance.
pub const MINIMAL_BUILD_TYPE: &str =
    "https://github.com/opk-explorer/opk-explorer/opk-sign/minimal-provenance@v1";

/// BuildKit's DSSE layer media type for a predicate type (spec §1); `None` for types BuildKit's
/// OPK signer refuses.
pub fn dsse_media_type(predicate_type: &str) -> Option<&'static str> {
    match predicate_type {
        SLSA_PROVENANCE_V02 | SLSA_PROVENANCE_V1 => Some("application/vnd.in-toto.provenance+dsse"),
        SPDX => Some("application/vnd.in-toto.spdx+dsse"),
        _ => None,
    }
}

/// One statement to sign: its predicate type and exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToSign {
    /// `predicateType`.
    pub predicate_type: String,
    /// The statement bytes (signed and stored as they are).
    pub bytes: Vec<u8>,
}

/// Checks an existing unsigned statement names `subject_hex` and has a signable predicate type.
pub fn existing(bytes: Vec<u8>, subject_hex: &str) -> Result<ToSign, String> {
    let s = Statement::parse(&bytes).map_err(|e| format!("{}: {e}", e.code()))?;
    if s.subject_with_sha256(subject_hex).is_none() {
        return Err(format!(
            "an existing {} statement does not name the image sha256:{subject_hex}",
            s.predicate_type
        ));
    }
    Ok(ToSign {
        predicate_type: s.predicate_type,
        bytes,
    })
}

/// A statement over `subject` (purl, sha256 hex) with the predicate JSON in `predicate`.
pub fn from_predicate(
    predicate_type: &str,
    subject: &(String, String),
    predicate: &[u8],
    what: &str,
) -> Result<ToSign, String> {
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(predicate) {
        if m.contains_key("_type") && m.contains_key("predicateType") {
            return Err(format!(
                "{what}: this is a whole in-toto statement; pass only its predicate"
            ));
        }
    }
    let bytes = sign::statement(predicate_type, std::slice::from_ref(subject), predicate)
        .map_err(|e| format!("{what}: {}: {e}", e.code()))?;
    Ok(ToSign {
        predicate_type: predicate_type.to_owned(),
        bytes,
    })
}

/// The CI run signing, from GitHub Actions' variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `GITHUB_SERVER_URL` (default `https://github.com`).
    pub server: String,
    /// `GITHUB_REPOSITORY`.
    pub repository: String,
    /// `GITHUB_RUN_ID`.
    pub run_id: String,
    /// `GITHUB_SHA`.
    pub sha: String,
}

impl Run {
    /// Reads the variables; `None` names the first one missing.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let need = |k: &str| {
            var(k).filter(|v| !v.is_empty()).ok_or_else(|| {
                format!(
                    "no provenance to sign: {k} is not set (pass --provenance FILE, or sign in a \
                     GitHub Actions run)"
                )
            })
        };
        Ok(Self {
            server: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            repository: need("GITHUB_REPOSITORY")?,
            run_id: need("GITHUB_RUN_ID")?,
            sha: need("GITHUB_SHA")?,
        })
    }

    /// A minimal SLSA v0.2 predicate: the builder is this run, the source is the repository at
    /// this commit (where BuildKit records it, so `docker verify`'s cross-checks apply).
    pub fn minimal_provenance(&self, platform: &str) -> Vec<u8> {
        let repo_url = format!("{}/{}", self.server, self.repository);
        json!({
            "builder": {"id": format!("{repo_url}/actions/runs/{}", self.run_id)},
            "buildType": MINIMAL_BUILD_TYPE,
            "invocation": {"environment": {"platform": platform}},
            "metadata": {
                "completeness": {"parameters": false, "environment": false, "materials": false},
                "reproducible": false,
                "https://mobyproject.org/buildkit@v1#metadata": {
                    "vcs": {"revision": self.sha, "source": repo_url}
                }
            }
        })
        .to_string()
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

    #[test]
    fn minimal_provenance_names_the_run() {
        let env = |k: &str| match k {
            "GITHUB_REPOSITORY" => Some("o/r".to_string()),
            "GITHUB_RUN_ID" => Some("7".to_string()),
            "GITHUB_SHA" => Some("abc".to_string()),
            _ => None,
        };
        let run = Run::from_env(env).unwrap();
        let p: Value = serde_json::from_slice(&run.minimal_provenance("linux/amd64")).unwrap();
        assert_eq!(p["builder"]["id"], "https://github.com/o/r/actions/runs/7");
        assert_eq!(
            p["metadata"]["https://mobyproject.org/buildkit@v1#metadata"]["vcs"]["source"],
            "https://github.com/o/r"
        );
        let err = Run::from_env(|k| env(k).filter(|_| k != "GITHUB_SHA")).unwrap_err();
        assert!(err.contains("GITHUB_SHA"), "{err}");
    }

    #[test]
    fn statements_are_checked() {
        let subject = (
            "pkg:docker/a@1?platform=linux%2Famd64".to_string(),
            HEX.to_string(),
        );
        let s = from_predicate(SPDX, &subject, br#"{"spdxVersion":"SPDX-2.3"}"#, "f").unwrap();
        assert_eq!(existing(s.bytes.clone(), HEX).unwrap(), s);
        assert!(existing(s.bytes.clone(), &HEX.replace('3', "4")).is_err());
        assert!(from_predicate(SPDX, &subject, &s.bytes, "f")
            .unwrap_err()
            .contains("whole in-toto statement"));
        assert!(from_predicate(SPDX, &subject, b"[1]", "f").is_err());
        assert_eq!(dsse_media_type("https://example.com/x"), None);
    }
}
