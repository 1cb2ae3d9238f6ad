//! The test Fulcio: a self-signed P-256 root CA, and leaves as Fulcio issues them — empty
//! subject, one critical URI SAN (the workflow's `job_workflow_ref` for GitHub tokens), digital
//! signature, code signing, the OIDC issuer (`1.3.6.1.4.1.57264.1.8`), the GitHub workflow
//! claims in their Fulcio extensions, valid ten minutes, with an embedded SCT from the test CT
//! log over the precertificate.

use p256::ecdsa::{SigningKey, VerifyingKey};
use serde_json::Value;

use super::ct;
use crate::der::{self, bits, explicit, extension, name, oid, seq, uint};

/// The CA's URI in the trusted root.
pub const CA_URI: &str = "https://fulcio.opk.test";
/// The CA's validity: 2020-01-01 to 2100-01-01.
pub const CA_VALIDITY: (i64, i64) = (1_577_836_800, 4_102_444_800);
/// How long a leaf is valid.
pub const LEAF_SECONDS: i64 = 600;

const FULCIO: &str = "1.3.6.1.4.1.57264.1.";
const GITHUB: &str = "https://github.com/";

/// The CA's key.
pub fn ca_key() -> SigningKey {
    SigningKey::from_slice(&[21u8; 32]).unwrap()
}

/// The root CA certificate (DER).
pub fn ca_certificate() -> Vec<u8> {
    der::self_signed_ca(
        &ca_key(),
        name("opk-test-fulcio", Some("opk.test")),
        CA_VALIDITY,
    )
}

/// Who a leaf names: its SAN URI, OIDC issuer and Fulcio claim extensions (`(n, value)` for
/// `1.3.6.1.4.1.57264.1.n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The subject alternative name (a URI).
    pub san: String,
    /// The OIDC issuer.
    pub issuer: String,
    /// Fulcio's GitHub workflow extensions.
    pub extensions: Vec<(u32, String)>,
}

impl Identity {
    /// The test OP's GitHub workflow (`forge::github_claims`: openpubkey/demo, owner id
    /// 145685596), its job running the same workflow file.
    pub fn demo() -> Self {
        let mut claims = crate::forge::github_claims("");
        claims["job_workflow_ref"] = claims["workflow_ref"].clone();
        Self::github(&claims)
    }

    /// A policy builder trusting exactly this identity: its OIDC issuer and its SAN (callers
    /// add the rules and predicate types a test needs).
    pub fn policy_builder(&self) -> opk_verify::PolicyBuilder {
        opk_verify::Policy::builder()
            .issuer(self.issuer.clone())
            .certificate_identity(self.san.clone())
    }

    /// [`Self::policy_builder`] of [`Self::demo`] with the demo's `repository_owner_id` rule:
    /// the policy the demo's Sigstore signatures satisfy.
    pub fn demo_policy_builder() -> opk_verify::PolicyBuilder {
        Self::demo()
            .policy_builder()
            .repository_owner_id("145685596")
    }

    /// The identity Fulcio derives from a GitHub Actions ID token's claims (`iss` must be
    /// set; absent claims give no extension).
    pub fn github(claims: &Value) -> Self {
        let get = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
        let url = |k: &str| get(k).map(|v| format!("{GITHUB}{v}"));
        let mut extensions = Vec::new();
        for (n, value) in [
            (9, url("job_workflow_ref")),
            (10, get("job_workflow_sha")),
            (11, get("runner_environment")),
            (12, url("repository")),
            (13, get("sha")),
            (14, get("ref")),
            (15, get("repository_id")),
            (16, url("repository_owner")),
            (17, get("repository_owner_id")),
            (18, url("workflow_ref")),
            (19, get("workflow_sha")),
            (20, get("event_name")),
            (21, get("run_url")),
            (22, get("repository_visibility")),
        ] {
            if let Some(v) = value {
                extensions.push((n, v));
            }
        }
        Self {
            san: url("job_workflow_ref").unwrap_or_default(),
            issuer: get("iss").unwrap_or_default(),
            extensions,
        }
    }
}

/// A leaf for `key`, issued at `at` (Unix seconds) to `identity`.
pub fn issue(identity: &Identity, key: &VerifyingKey, at: i64) -> Vec<u8> {
    let ca = ca_key();
    let point = key.to_sec1_point(false);
    let spki = seq(&[
        seq(&[oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")]),
        bits(point.as_bytes()),
    ]);
    let mut serial = [0u8; 16];
    serial[..8].copy_from_slice(&at.to_be_bytes());
    serial[8..].copy_from_slice(&point.as_bytes()[1..9]);
    serial[0] |= 0x40; // positive, 16 bytes
    let mut exts = vec![
        extension("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80]),
        extension("2.5.29.37", false, &seq(&[oid("1.3.6.1.5.5.7.3.3")])),
        extension(
            "2.5.29.17",
            true,
            &seq(&[der::tlv(0x86, identity.san.as_bytes())]),
        ),
        extension(&format!("{FULCIO}8"), false, &der::utf8(&identity.issuer)),
    ];
    for (n, v) in &identity.extensions {
        exts.push(extension(&format!("{FULCIO}{n}"), false, &der::utf8(v)));
    }
    let tbs = |exts: &[Vec<u8>]| {
        seq(&[
            explicit(0, &uint(&[2])),
            uint(&serial),
            der::ecdsa_sha256(),
            name("opk-test-fulcio", Some("opk.test")),
            seq(&[der::time(at), der::time(at + LEAF_SECONDS)]),
            seq(&[]),
            spki.clone(),
            explicit(3, &seq(exts)),
        ])
    };
    let precert = tbs(&exts);
    let ca_spki = der::spki(&ca);
    let at_ms = u64::try_from(at).unwrap() * 1000;
    exts.push(extension(
        "1.3.6.1.4.1.11129.2.4.2",
        false,
        &ct::sct_list(&precert, &ca_spki, at_ms),
    ));
    der::certificate(tbs(&exts), &ca)
}
