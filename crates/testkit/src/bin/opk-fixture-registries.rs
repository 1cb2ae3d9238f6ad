//! Starts registries seeded with the test fixtures for tests that cannot start processes
//! themselves (wasm32 tests in headless Chromium), prints their addresses as `KEY=VALUE`
//! lines followed by `READY`, and stops everything when its standard input closes.
//!
//! - `OPK_TEST_REGISTRY`: a CORS-enabled registry with `openpubkey/demo:main` (signed),
//!   `openpubkey/tampered:main`, `openpubkey/unsigned:main` and `openpubkey/sigstore:main` (no
//!   BuildKit attestations; a CycloneDX bundle from the test Sigstore, signed at
//!   [`SIGSTORE_AT`], as each platform image's referrer, through the `sha256-` tag).
//! - `OPK_TEST_PLAIN_REGISTRY`: the same signed image in a registry without CORS headers.
//! - `OPK_TEST_HOSTILE_PROXY`: a proxy in front of the plain registry that withholds the
//!   amd64 attestation manifest.
//! - `OPK_TEST_ENDLESS_PROXY`: a proxy whose answer for the index never ends.
//! - `OPK_TEST_FLIPPING_PROXY`: a proxy in front of the plain registry that flips one byte of
//!   the amd64 provenance envelope.
//! - `OPK_TEST_SWAPPING_PROXY`: a proxy in front of the plain registry that answers the amd64
//!   attestation manifest's digest with the arm64 one.

use std::io::{Read as _, Write as _};

use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Signing};
use opk_testkit::registry::{Mode, Registry};
use opk_testkit::sigstore::{bundle, fulcio};

/// When the test Sigstore signed `openpubkey/sigstore:main`: 2026-11-18T09:00:00Z, before the
/// browser tests' fixed `now` (1,795,000,000).
const SIGSTORE_AT: i64 = 1_794_992_400;

fn main() {
    let platforms = ["linux/amd64", "linux/arm64"];
    let cors = Registry::start(Mode::Cors);
    for (repo, signing) in [
        ("demo", Signing::Signed),
        ("tampered", Signing::Tampered),
        ("unsigned", Signing::Unsigned),
    ] {
        let name = format!("{}/openpubkey/{repo}", cors.addr);
        cors.push(
            &format!("openpubkey/{repo}"),
            "main",
            &image::build(&name, "main", &platforms, signing),
        );
    }
    let sigstore = image::build(
        &format!("{}/openpubkey/sigstore", cors.addr),
        "main",
        &platforms,
        Signing::NoAttestations,
    );
    cors.push("openpubkey/sigstore", "main", &sigstore);
    for p in &sigstore.platforms {
        let st = image::statement(
            "https://cyclonedx.org/bom",
            "pkg:docker/openpubkey/sigstore@main",
            &p.manifest.digest()["sha256:".len()..],
        );
        let signed = bundle::dsse(&st, &fulcio::Identity::demo(), SIGSTORE_AT);
        cors.push_bundle_referrer("openpubkey/sigstore", &p.manifest, signed);
    }
    let plain = Registry::start(Mode::Plain);
    let signed = image::build(
        &format!("{}/openpubkey/demo", plain.addr),
        "main",
        &platforms,
        Signing::Signed,
    );
    plain.push("openpubkey/demo", "main", &signed);
    let amd = signed.platform("linux/amd64");
    let att = amd.attestation.clone().expect("attestation");
    let att_arm = signed
        .platform("linux/arm64")
        .attestation
        .clone()
        .expect("attestation");
    let hostile = HostileProxy::start(vec![Lie::hide(&att.digest())]);
    let flipping = HostileProxy::start(vec![Lie::FlipBlobByte(amd.attestation_layers[0].digest())]);
    let swapping = HostileProxy::start(vec![Lie::manifest(&att.digest(), &att_arm)]);
    // A proxy whose answer for the index (by tag, where the client fetches it) never ends.
    let endless = HostileProxy::start(vec![Lie::Endless("/manifests/main".to_owned())]);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "OPK_TEST_REGISTRY={}", cors.addr);
    let _ = writeln!(out, "OPK_TEST_PLAIN_REGISTRY={}", plain.addr);
    let _ = writeln!(out, "OPK_TEST_HOSTILE_PROXY={}", hostile.url);
    let _ = writeln!(out, "OPK_TEST_ENDLESS_PROXY={}", endless.url);
    let _ = writeln!(out, "OPK_TEST_FLIPPING_PROXY={}", flipping.url);
    let _ = writeln!(out, "OPK_TEST_SWAPPING_PROXY={}", swapping.url);
    let _ = writeln!(out, "READY");
    let _ = out.flush();
    drop(out);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(swapping);
    drop(flipping);
    drop(endless);
    drop(hostile);
    drop(plain);
    drop(cors);
}
