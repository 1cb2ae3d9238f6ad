//! docker verify's provenance checks: a SLSA provenance (v0.2 or v1, as BuildKit writes them)
//! must describe the build the GitHub token was issued to — its revision, repository, Actions
//! run, and for v1 its own source.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::identity::{claim_text, rule};
use crate::intoto::{self, Predicate};
use crate::json::raw;
use crate::report::Checklist;
use crate::VerifyError;

/// The SLSA provenance versions BuildKit writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slsa {
    /// v0.2: BuildKit's metadata under `metadata."https://mobyproject.org/buildkit@v1#metadata"`.
    V02,
    /// v1: BuildKit's metadata under `runDetails.metadata.buildkit_metadata`, the build's own
    /// source in `buildDefinition.externalParameters.configSource`.
    V1,
}

impl Slsa {
    /// The version a predicate type names, if it is SLSA provenance.
    pub(super) fn of(predicate_type: &str) -> Option<Self> {
        match predicate_type {
            intoto::SLSA_PROVENANCE_V02 => Some(Self::V02),
            intoto::SLSA_PROVENANCE_V1 => Some(Self::V1),
            _ => None,
        }
    }
}

/// docker verify's provenance checks against the signer's token, for either version: the VCS
/// revision is the token's `sha`, the VCS source its repository, the builder its Actions run
/// (v1 may name the run's attempt); for v1 also, when the build's own source
/// (`externalParameters.configSource`) is a GitHub repository, it is the token's, at its `sha`
/// — in `configSource` and in the `resolvedDependencies` entry of that source.
pub(super) fn cross_checks(
    slsa: Slsa,
    predicate: &Predicate,
    claims: &Map<String, Value>,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let claim = |k: &str| claim_text(claims, k);
    // Read in place: a provenance can be megabytes (`mode=max`); nothing else of it is built.
    let text = |path: &[&str]| predicate.text_at(path).unwrap_or_default().into_owned();
    let vcs: &[&str] = match slsa {
        Slsa::V02 => &[
            "metadata",
            "https://mobyproject.org/buildkit@v1#metadata",
            "vcs",
        ],
        Slsa::V1 => &["runDetails", "metadata", "buildkit_metadata", "vcs"],
    };
    let at = |leaf: &'static str| [vcs, &[leaf]].concat();
    let (sha, repository, run_id) = (claim("sha"), claim("repository"), claim("run_id"));
    let revision = text(&at("revision"));
    ck.step(
        "provenance.revision",
        rule("provenance vcs.revision", &sha, &revision),
        |()| format!("Verified signed git sha provenance {sha}"),
    )?;
    let source = text(&at("source"));
    let want_source = format!("https://github.com/{repository}");
    ck.step(
        "provenance.source",
        rule("provenance vcs.source", &want_source, &source),
        |()| format!("Verified signed git repo provenance {repository}"),
    )?;
    let run_url = format!("https://github.com/{repository}/actions/runs/{run_id}");
    let builder = match slsa {
        Slsa::V02 => text(&["builder", "id"]),
        Slsa::V1 => {
            // docker/build-push-action names the attempt: …/runs/ID/attempts/N.
            let id = text(&["runDetails", "builder", "id"]);
            let attempt = format!("{run_url}/attempts/{}", claim("run_attempt"));
            if id == attempt && !claim("run_attempt").is_empty() {
                run_url.clone()
            } else {
                id
            }
        }
    };
    ck.step(
        "provenance.builder",
        rule("provenance builder.id", &run_url, &builder),
        |()| format!("Verified provenance builder is the Actions run {run_url}"),
    )?;
    if slsa == Slsa::V1 {
        config_source_check(predicate, &want_source, &sha, ck)?;
    }
    Ok(())
}

/// SLSA v1: a build whose own source (`externalParameters.configSource.uri`) is a GitHub
/// repository must have been built from the token's repository, at its `sha` (the
/// `configSource` digest and the `resolvedDependencies` entry for that URI, where present).
fn config_source_check(
    predicate: &Predicate,
    repository_url: &str,
    sha: &str,
    ck: &mut Checklist,
) -> Result<(), VerifyError> {
    let config = raw::pointer(
        predicate.raw(),
        &["buildDefinition", "externalParameters", "configSource"],
    );
    let Some(uri) = config
        .and_then(|c| raw::lookup(c, "uri"))
        .and_then(raw::string)
    else {
        return Ok(());
    };
    if !uri.starts_with("https://github.com/") {
        return Ok(());
    }
    let repo = uri.split(['#', '?']).next().unwrap_or_default();
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    ck.step(
        "provenance.config_source",
        rule("provenance configSource.uri", repository_url, repo),
        |()| format!("Verified provenance config source is {repository_url}"),
    )?;
    let sha1 = |v: &RawValue| {
        raw::pointer(v, &["digest", "sha1"])
            .and_then(raw::string)
            .map(|s| s.into_owned())
    };
    let config_digest = config.and_then(sha1);
    let mut dependency_digest = None;
    if let Some(deps) = raw::pointer(
        predicate.raw(),
        &["buildDefinition", "resolvedDependencies"],
    ) {
        raw::any_element(deps, |d| {
            let same = raw::lookup(d, "uri").and_then(raw::string).as_deref() == Some(&*uri);
            if same {
                dependency_digest = sha1(d);
            }
            same
        });
    }
    for (name, digest) in [
        ("provenance configSource.digest.sha1", config_digest),
        (
            "provenance resolvedDependencies digest.sha1",
            dependency_digest,
        ),
    ] {
        if let Some(digest) = digest {
            ck.step("provenance.config_digest", rule(name, sha, &digest), |()| {
                format!("Verified provenance config source revision {sha}")
            })?;
        }
    }
    Ok(())
}
