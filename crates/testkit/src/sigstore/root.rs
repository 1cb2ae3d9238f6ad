//! The test Sigstore's trusted root: its Rekor log, its Fulcio CA, its CT log and its timestamp
//! authority (leaf and root, the leaf the signer), each valid
//! from 2020-01-01. It names itself a dev instance (`opkDevInstance`), so a user who passes it
//! sees it labelled so; nothing trusts it by default.

use serde_json::json;

use super::{ct, fulcio, rekor, tsa};
use crate::der;
use opk_verify::b64::encode_std as b64;

const SINCE: &str = "2020-01-01T00:00:00Z";

/// The trusted root JSON.
pub fn trusted_root() -> Vec<u8> {
    let log = |url: &str, spki: Vec<u8>, id: &[u8]| {
        json!({
            "baseUrl": url,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": b64(&spki),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": SINCE}
            },
            "logId": {"keyId": b64(id)}
        })
    };
    json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "opkDevInstance": "opk test Sigstore",
        "tlogs": [log(rekor::LOG_URL, der::spki(&rekor::key()), &rekor::log_id())],
        "certificateAuthorities": [{
            "subject": {"organization": "opk.test", "commonName": "opk-test-fulcio"},
            "uri": fulcio::CA_URI,
            "certChain": {"certificates": [{"rawBytes": b64(&fulcio::ca_certificate())}]},
            "validFor": {"start": SINCE}
        }],
        "ctlogs": [log(ct::CT_URL, der::spki(&ct::key()), &ct::log_id())],
        "timestampAuthorities": [{
            "subject": {"organization": "opk.test", "commonName": "opk-test-tsa"},
            "uri": tsa::URI,
            "certChain": {"certificates": [
                {"rawBytes": b64(&tsa::leaf_certificate())},
                {"rawBytes": b64(&tsa::root_certificate())}
            ]},
            "validFor": {"start": SINCE}
        }]
    })
    .to_string()
    .into_bytes()
}

/// Sigstore trust of the bundled public-good root alone (tests of images that carry no bundle,
/// or that must not trust the test Sigstore).
pub fn public_good_trust() -> opk_verify::sigstore::SigstoreTrust {
    opk_verify::sigstore::SigstoreTrust {
        root: opk_verify::sigstore::trusted_root::TrustedRoot::public_good()
            .expect("the bundled public-good root parses"),
        keys: Vec::new(),
    }
}

/// Sigstore trust of the test Sigstore's root, as the demo passes it: a dev instance labelled
/// `opk test Sigstore`.
pub fn dev_trust() -> opk_verify::sigstore::SigstoreTrust {
    use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
    opk_verify::sigstore::SigstoreTrust {
        root: TrustedRoot::parse(
            &trusted_root(),
            RootSource::Dev {
                label: "opk test Sigstore".into(),
            },
        )
        .expect("the test Sigstore's root parses"),
        keys: Vec::new(),
    }
}
