//! `verify-bundle`: a Sigstore bundle verified offline about an artifact or a digest, under the
//! bundled public-good trusted root (or a user-supplied one, labelled so), printing the
//! checklist (or one JSON object). Exit status as the other verify commands.

use std::process::ExitCode;

use opk_verify::limits::Limit;
use opk_verify::sigstore::keys::{HashAlg, PublicKey};
use opk_verify::sigstore::pem;
use opk_verify::sigstore::trusted_root::TrustedRoot;
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust, TrustedKey};
use opk_verify::{Policy, UnixTime};

use crate::args::{Instance, VerifyBundle};
use crate::input::{read_artifact, read_bounded, read_limited};
use crate::{input_error, print_checks};

/// Artifacts up to this size are held whole (so an Ed25519 message signature, which signs
/// the bytes, can be checked); larger ones are only hashed as they are read.
const ARTIFACT_KEPT_BYTES: usize = 64 * 1024 * 1024;

/// Runs `verify-bundle`.
pub fn run(v: &VerifyBundle, now: UnixTime) -> ExitCode {
    if v.file == "-" && v.artifact.as_deref() == Some("-") {
        return input_error("the bundle and the artifact cannot both be standard input");
    }
    let (trust, policy) = match setup(v) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    // More than the limit comes back cut at limit + 1: the core refuses it with limit_exceeded.
    let bundle = match read_bounded(&v.file, Limit::BundleBytes) {
        Ok(b) => b,
        Err(e) => return input_error(&e),
    };
    let read;
    let digest_bytes;
    let artifact = if let Some(path) = &v.artifact {
        read = match read_artifact(path, ARTIFACT_KEPT_BYTES) {
            Ok(r) => r,
            Err(e) => return input_error(&e),
        };
        match &read.bytes {
            Some(b) => Artifact::Bytes(b),
            None => Artifact::Hashed(&read.digests),
        }
    } else {
        // Clap requires exactly one of --artifact, --digest and --subject-digest, and checked
        // the digest's form.
        let given = v
            .digest
            .as_deref()
            .or(v.subject_digest.as_deref())
            .unwrap_or_default();
        let (alg, hex) = given.split_once(':').unwrap_or(("sha256", given));
        let alg = match alg {
            "sha384" => HashAlg::Sha384,
            "sha512" => HashAlg::Sha512,
            _ => HashAlg::Sha256,
        };
        digest_bytes = opk_verify::hex::decode(hex).unwrap_or_default();
        Artifact::Digest(alg, &digest_bytes)
    };
    let result = verify_bundle(&bundle, artifact, &trust, &policy, now);
    match result {
        Ok(ok) => {
            if v.json {
                outln!("{}", opk_pipeline::report::verified_bundle_json(&ok));
            } else {
                print_checks(&ok.checks, "");
                outln!(
                    "Verified successfully (Sigstore, trusted root: {})",
                    ok.trusted_root
                );
            }
            ExitCode::SUCCESS
        }
        Err(rejected) => {
            if v.json {
                outln!("{}", opk_pipeline::report::rejected_json(&rejected));
            } else {
                print_checks(&rejected.checks, "");
            }
            let error = &rejected.error;
            eprintln!("error: {}: {error}", error.code());
            ExitCode::from(1)
        }
    }
}

/// The trusted root a user names (labelled user-supplied trust), or a bundled one.
pub fn trusted_root(path: Option<&str>, instance: Instance) -> Result<TrustedRoot, String> {
    match path {
        Some(path) => {
            let bytes = read_limited(path, Limit::TrustedRootBytes)?;
            TrustedRoot::parse_user(&bytes, path).map_err(|e| format!("{path}: {}: {e}", e.code()))
        }
        None => match instance {
            Instance::PublicGood => TrustedRoot::public_good(),
            Instance::Github => TrustedRoot::github(),
        }
        .map_err(|e| format!("bundled trusted root: {e}")),
    }
}

fn setup(v: &VerifyBundle) -> Result<(SigstoreTrust, Policy), String> {
    let root = trusted_root(v.trusted_root.as_deref(), v.instance)?;
    let mut keys = Vec::new();
    let mut b = Policy::builder();
    if let Some(path) = &v.key {
        let text = read_limited(path, Limit::KeyFileBytes)?;
        let (_, spki) = pem::decode(&String::from_utf8_lossy(&text))
            .ok_or_else(|| format!("{path}: not a PEM public key"))?;
        let key =
            PublicKey::from_spki_der(&spki).map_err(|e| format!("{path}: {}: {e}", e.code()))?;
        keys.push(TrustedKey {
            label: path.clone(),
            key,
            spki,
            valid_for: None,
        });
        b = b.trusted_key_only();
    }
    if let Some(issuer) = &v.cert_oidc_issuer {
        b = b.issuer(issuer.clone());
    }
    if let Some(san) = &v.cert_identity {
        b = b.certificate_identity(san.clone());
    }
    if let Some(prefix) = &v.cert_identity_prefix {
        b = b.certificate_identity_prefix(prefix.clone());
    }
    for (claim, value) in v.identity.rules() {
        b = match claim {
            "repository_owner_id" => b.repository_owner_id(value),
            "repository" => b.repository(value),
            "ref" => b.git_ref(value),
            _ => b.workflow_ref(value),
        };
    }
    if v.identity.any_identity_unsafe {
        b = b.any_identity_unsafe();
    }
    let policy = b.build().map_err(|e| {
        format!(
            "invalid_policy: {e} (--cert-identity, --cert-identity-prefix, --repo-owner-id, \
             --repository, --ref, --workflow-ref, --key, or --any-identity-unsafe)"
        )
    })?;
    Ok((SigstoreTrust { root, keys }, policy))
}
