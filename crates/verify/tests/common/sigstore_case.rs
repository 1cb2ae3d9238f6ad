//! How a sigstore-conformance case is verified (its CLI protocol): the trusted root it names
//! (the bundled public-good root otherwise), its identity and issuer (the suite's beacon
//! defaults) or its managed key, its artifact (`a.txt` otherwise). Shared by the conformance
//! suite here and the WebCrypto agreement test of `opk-registry`, which include this file.
#![allow(dead_code)]

use super::sigstore_cases::{Case, DEFAULT_ARTIFACT};
use opk_verify::sigstore::keys::PublicKey;
use opk_verify::sigstore::pem;
use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{SigstoreTrust, TrustedKey};
use opk_verify::{Policy, UnixTime};

pub const PUBLIC_GOOD: &[u8] =
    include_bytes!("../../../../public/trust/sigstore/public-good.trusted_root.json");
pub const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
pub const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The suite's "now": the day these cases were last run (the verifier reads no clock).
pub const NOW: UnixTime = UnixTime(1_796_601_600); // 2026-12-07

fn text(bytes: Option<&[u8]>, default: &str) -> String {
    bytes
        .map(|b| String::from_utf8_lossy(b).trim().to_owned())
        .unwrap_or_else(|| default.to_owned())
}

/// The case's artifact bytes.
pub fn artifact(case: &Case) -> &'static [u8] {
    case.artifact.unwrap_or(DEFAULT_ARTIFACT)
}

/// The case's trust and policy; an error naming the file that does not parse.
pub fn setup(case: &Case) -> Result<(SigstoreTrust, Policy), String> {
    let root = TrustedRoot::parse(
        case.trusted_root.unwrap_or(PUBLIC_GOOD),
        RootSource::Bundled {
            label: case.name.into(),
        },
    )
    .map_err(|e| format!("trusted root: {}", e.code()))?;
    let mut keys = Vec::new();
    let policy = match case.key {
        Some(pem_text) => {
            let (_, spki) = pem::decode(&String::from_utf8_lossy(pem_text))
                .ok_or("key: key.pub is not a PEM key")?;
            keys.push(TrustedKey {
                label: "key.pub".into(),
                key: PublicKey::from_spki_der(&spki).map_err(|e| format!("key: {}", e.code()))?,
                spki,
                valid_for: None,
            });
            Policy::builder().trusted_key_only().build()
        }
        None => Policy::builder()
            .issuer(text(case.issuer, DEFAULT_ISSUER))
            .certificate_identity(text(case.identity, DEFAULT_IDENTITY))
            .build(),
    }
    .map_err(|e| e.to_string())?;
    Ok((SigstoreTrust { root, keys }, policy))
}
