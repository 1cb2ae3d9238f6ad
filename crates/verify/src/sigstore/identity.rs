//! Who a Fulcio certificate says signed: its one subject alternative name (the job's workflow
//! for GitHub Actions: `job_workflow_ref`, the *called* workflow of a reusable one) and its
//! issuer (`1.3.6.1.4.1.57264.1.8`, a DER UTF8String; the deprecated `…1.1`, raw bytes — when
//! both are present they must agree), and the GitHub workflow claims Fulcio copies into
//! extensions (FU `docs/oid-info.md`), mapped onto the claims an OpenPubkey policy names.

use const_oid::ObjectIdentifier;
use der::Decode as _;

use super::cert::Cert;
use crate::VerifyError;

const FULCIO: &str = "1.3.6.1.4.1.57264.1.";

fn fulcio(n: u32) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("{FULCIO}{n}")).unwrap_or(ObjectIdentifier::new_unwrap("1.3"))
}

/// The identity a Fulcio certificate carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    /// The subject alternative name (URI, email or Fulcio username).
    pub san: String,
    /// The OIDC issuer.
    pub issuer: String,
    /// GitHub workflow claims, by their ID-token names (`repository_owner_id`, `repository`,
    /// `ref`, `sha`, `workflow_ref`, `job_workflow_ref`, `event_name`, `run_url`, …), from the
    /// certificate's extensions; `https://github.com/` prefixes removed where the claim has none.
    pub claims: Vec<(String, String)>,
}

impl Identity {
    /// The claim `name`, if the certificate carries it.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn utf8(value: &[u8]) -> Result<String, VerifyError> {
    der::asn1::Utf8StringRef::from_der(value)
        .map(|s| s.as_str().to_owned())
        .map_err(|_| VerifyError::CertificateInvalid {
            reason: "a Fulcio extension is not a DER UTF8String",
        })
}

/// The identity of a Fulcio leaf: exactly one SAN, an issuer.
pub fn of(cert: &Cert) -> Result<Identity, VerifyError> {
    let sans = cert.subject_alt_names()?;
    let [san] = sans.as_slice() else {
        return Err(VerifyError::CertificateInvalid {
            reason: "the signing certificate must name exactly one subject alternative name",
        });
    };
    let v2 = cert
        .extension(&fulcio(8))
        .map(|e| utf8(&e.value))
        .transpose()?;
    let v1 = cert
        .extension(&fulcio(1))
        .map(|e| String::from_utf8(e.value.clone()))
        .transpose()
        .map_err(|_| VerifyError::CertificateInvalid {
            reason: "the issuer extension is not UTF-8",
        })?;
    let issuer = match (v2, v1) {
        (Some(a), Some(b)) if a != b => {
            return Err(VerifyError::CertificateInvalid {
                reason: "the two issuer extensions disagree",
            })
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(VerifyError::CertificateInvalid {
                reason: "no OIDC issuer extension",
            })
        }
    };
    const GITHUB: &str = "https://github.com/";
    let mut claims = Vec::new();
    for (n, name, strip) in [
        (9, "job_workflow_ref", true),
        (10, "job_workflow_sha", false),
        (11, "runner_environment", false),
        (12, "repository", true),
        (13, "sha", false),
        (14, "ref", false),
        (15, "repository_id", false),
        (16, "repository_owner", true),
        (17, "repository_owner_id", false),
        (18, "workflow_ref", true),
        (19, "workflow_sha", false),
        (20, "event_name", false),
        (21, "run_url", false),
        (22, "repository_visibility", false),
        (23, "environment", false),
        (24, "sub", false),
    ] {
        if let Some(e) = cert.extension(&fulcio(n)) {
            let v = utf8(&e.value)?;
            let v = if strip {
                v.strip_prefix(GITHUB).map(str::to_owned).unwrap_or(v)
            } else {
                v
            };
            claims.push((name.to_owned(), v));
        }
    }
    Ok(Identity {
        san: san.clone(),
        issuer,
        claims,
    })
}
