//! The demo's Sigstore-signed images, signed by the test Sigstore at the time they are seeded
//! and stored as OCI referrers through the `sha256-<hex>` tag (docker-registry has no referrers
//! API), and the test Sigstore's trusted root served over HTTP (with CORS) for the page:
//!
//! - `openpubkey/sigstore:latest`: 2 platforms, no BuildKit attestations; each platform image has
//!   a Sigstore bundle (SLSA provenance v0.2 naming it) as a referrer;
//! - `openpubkey/github-builder:latest`: BuildKit's unsigned attestations, each attestation
//!   manifest signed with a cosign-style bundle, as Docker's github-builder does;
//! - `openpubkey/sigstore-forged:latest`: a validly signed bundle naming another image;
//! - `openpubkey/sigstore-tampered:latest`: a bundle whose statement was changed after signing;
//! - `openpubkey/sigstore-timestamped:latest`: bundles whose log entries carry no signed entry
//!   timestamp (as cosign v3 writes them for Rekor v2): the signing time is the test timestamp
//!   authority's, 5 s after signing;
//! - `openpubkey/cosign-v2:latest`: cosign v2's tags on each platform image, `.sig` (simple
//!   signing) and `.att` (SLSA provenance v0.2 in DSSE), with their material in annotations;
//! - `openpubkey/cosign-index:latest`: the same two tags on the image index only, as
//!   `cosign sign image@<index digest>` leaves a multi-platform image.

use std::time::{SystemTime, UNIX_EPOCH};

use opk_serve::{Body, Response, Server};

use crate::image::{self, Fixture, Signing};
use crate::registry::Registry;
use crate::sigstore::bundle::Timing;
use crate::sigstore::{bundle, cosign_tag, fulcio, root};

const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];

/// The trusted root, served at `url` while this lives.
pub struct SigstoreDemo {
    /// `http://127.0.0.1:<port>/trusted_root.json`.
    pub root_url: String,
    /// The digest of `openpubkey/sigstore`'s linux/amd64 bundle referrer (for a proxy that
    /// withholds it).
    pub amd64_referrer: String,
    _server: Server,
}

/// The CycloneDX predicate type of the SBOM bundles [`add_sbom_bundles`] adds.
pub const CYCLONEDX: &str = "https://cyclonedx.org/bom";

fn now_minus_a_minute() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        - 60
}

/// Adds a Sigstore-signed CycloneDX SBOM bundle referrer to each platform image of `repo:tag`
/// (already in `reg`), read back from the registry's index.
pub fn add_sbom_bundles(reg: &Registry, repo: &str, tag: &str) {
    let index: serde_json::Value =
        serde_json::from_slice(&reg.fetch(repo, "manifests", tag)).expect("an index");
    let at = now_minus_a_minute();
    for e in index["manifests"].as_array().into_iter().flatten() {
        if e["platform"]["os"] == "unknown" {
            continue;
        }
        let digest = e["digest"].as_str().expect("digest");
        let bytes = reg.fetch(repo, "manifests", digest);
        let manifest = image::Blob::new(
            e["mediaType"].as_str().unwrap_or(image::OCI_MANIFEST),
            bytes,
        );
        let st = image::statement(
            CYCLONEDX,
            &format!("pkg:docker/{}/{repo}@{tag}", reg.addr),
            &digest["sha256:".len()..],
        );
        reg.push_bundle_referrer(
            repo,
            &manifest,
            bundle::dsse(&st, &fulcio::Identity::demo(), at),
        );
    }
}

fn seed_image(reg: &Registry, repo: &str, tag: &str, signing: Signing) -> Fixture {
    let f = image::build(&format!("{}/{repo}", reg.addr), tag, &PLATFORMS, signing);
    reg.push(repo, tag, &f);
    f
}

/// cosign v2's `.sig` (simple signing) and `.att` (SLSA provenance v0.2) tags on `subject` of
/// `repo`, signed by the test Sigstore at `at`.
fn push_cosign_v2(reg: &Registry, repo: &str, tag: &str, subject: &image::Blob, at: i64) {
    let hex = &subject.digest()["sha256:".len()..];
    let name = format!("{}/{repo}", reg.addr);
    let payload = cosign_tag::simple_signing(hex, &name);
    let sig = cosign_tag::signature(&payload, &fulcio::Identity::demo(), at);
    reg.push_cosign_tag(repo, subject, "sig", &[sig]);
    let st = image::statement(image::SLSA_V02, &format!("pkg:docker/{name}@{tag}"), hex);
    let att = cosign_tag::attestation(&st, &fulcio::Identity::demo(), at);
    reg.push_cosign_tag(repo, subject, "att", &[att]);
}

/// An image seeded with its referrers.
struct WithBundles {
    image: Fixture,
    /// Each platform's bundle referrer manifest, in platform order.
    referrers: Vec<image::Blob>,
}

/// Seeds `repo` (no BuildKit attestations) and, on each platform image in order, a Sigstore
/// bundle referrer as `bundle` makes it.
fn seed_with_bundles(
    reg: &Registry,
    repo: &str,
    tag: &str,
    mut bundle: impl FnMut(&image::PlatformImage) -> Vec<u8>,
) -> WithBundles {
    let image = seed_image(reg, repo, tag, Signing::NoAttestations);
    let referrers = image
        .platforms
        .iter()
        .map(|p| reg.push_bundle_referrer(repo, &p.manifest, bundle(p)))
        .collect();
    WithBundles { image, referrers }
}

fn provenance_bundle(subject_digest: &str, purl: &str, at: i64) -> Vec<u8> {
    let st = image::statement(image::SLSA_V02, purl, &subject_digest["sha256:".len()..]);
    bundle::dsse(&st, &fulcio::Identity::demo(), at)
}

/// Seeds the Sigstore images into `reg` (tag `tag`) and serves the trusted root.
pub fn seed(reg: &Registry, tag: &str) -> SigstoreDemo {
    // A minute ago: the page's clock must not see a signing time in the future.
    let at = now_minus_a_minute();
    let purl = |repo: &str| format!("pkg:docker/{}/{repo}@{tag}", reg.addr);
    let signed = seed_with_bundles(reg, "openpubkey/sigstore", tag, |p| {
        let purl = format!(
            "{}?platform={}",
            purl("openpubkey/sigstore"),
            p.platform.replace('/', "%2F")
        );
        provenance_bundle(&p.manifest.digest(), &purl, at)
    });
    let amd64_referrer = signed
        .image
        .platforms
        .iter()
        .zip(&signed.referrers)
        .find(|(p, _)| p.platform == "linux/amd64")
        .map(|(_, m)| m.digest())
        .expect("a linux/amd64 platform");
    let builder = seed_image(reg, "openpubkey/github-builder", tag, Signing::Unsigned);
    for p in &builder.platforms {
        let att = p
            .attestation
            .as_ref()
            .expect("BuildKit attestation manifest");
        let sign = bundle::dsse(
            &bundle::cosign_sign_statement(&att.digest()["sha256:".len()..]),
            &fulcio::Identity::demo(),
            at,
        );
        reg.push_bundle_referrer("openpubkey/github-builder", att, sign);
    }
    // Each platform's bundle names the same platform of openpubkey/sigstore instead.
    let others: Vec<String> = signed
        .image
        .platforms
        .iter()
        .map(|p| p.manifest.digest())
        .collect();
    let mut other = others.iter();
    seed_with_bundles(reg, "openpubkey/sigstore-forged", tag, |_| {
        let digest = other
            .next()
            .expect("one platform of openpubkey/sigstore each");
        provenance_bundle(digest, &purl("openpubkey/sigstore"), at)
    });
    seed_with_bundles(reg, "openpubkey/sigstore-tampered", tag, |p| {
        let purl = purl("openpubkey/sigstore-tampered");
        changed_after_signing(&provenance_bundle(&p.manifest.digest(), &purl, at))
    });
    seed_with_bundles(reg, "openpubkey/sigstore-timestamped", tag, |p| {
        let hex = &p.manifest.digest()["sha256:".len()..];
        let st = image::statement(
            image::SLSA_V02,
            &purl("openpubkey/sigstore-timestamped"),
            hex,
        );
        let authority = Timing::Authority(at + 5);
        bundle::dsse_timed(&st, &fulcio::Identity::demo(), at, authority)
    });
    let cosign = seed_image(reg, "openpubkey/cosign-v2", tag, Signing::NoAttestations);
    for p in &cosign.platforms {
        push_cosign_v2(reg, "openpubkey/cosign-v2", tag, &p.manifest, at);
    }
    let signed_index = seed_image(reg, "openpubkey/cosign-index", tag, Signing::NoAttestations);
    push_cosign_v2(reg, "openpubkey/cosign-index", tag, &signed_index.index, at);
    let server = Server::start(|req| Response {
        status: if req.target == "/trusted_root.json" {
            200
        } else {
            404
        },
        headers: vec![
            ("Access-Control-Allow-Origin".into(), "*".into()),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Body::Bytes(if req.target == "/trusted_root.json" {
            root::trusted_root()
        } else {
            Vec::new()
        }),
    });
    SigstoreDemo {
        root_url: format!("http://{}/trusted_root.json", server.addr),
        amd64_referrer,
        _server: server,
    }
}

/// `bundle` (a DSSE bundle) with its statement's predicate changed after signing: the
/// signature no longer covers the envelope.
fn changed_after_signing(bundle: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bundle).expect("a bundle");
    let payload = opk_verify::b64::decode_dsse(
        v["dsseEnvelope"]["payload"].as_str().expect("a payload"),
        "payload",
    )
    .expect("base64");
    let mut st: serde_json::Value = serde_json::from_slice(&payload).expect("a statement");
    st["predicate"]["builder"] = serde_json::json!({"id": "https://tampered.example/builder"});
    v["dsseEnvelope"]["payload"] = opk_verify::b64::encode_std(st.to_string().as_bytes()).into();
    v.to_string().into_bytes()
}
