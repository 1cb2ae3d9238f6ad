//! Starts registries seeded with the test fixtures for tests that cannot start processes
//! themselves (wasm32 tests in headless Chromium), prints their addresses as `KEY=VALUE`
//! lines followed by `READY`, and stops everything when its standard input closes.
//!
//! - `OPK_TEST_REGISTRY`: a CORS-enabled registry with `openpubkey/demo:main` (signed),
//!   `openpubkey/tampered:main` and `openpubkey/unsigned:main`.
//! - `OPK_TEST_PLAIN_REGISTRY`: the same signed image in a registry without CORS headers.
//! - `OPK_TEST_HOSTILE_PROXY`: a proxy in front of the plain registry that withholds the
//!   amd64 attestation manifest.
//! - `OPK_TEST_ENDLESS_PROXY`: a proxy whose answer for the index never ends.

use std::io::{Read as _, Write as _};

use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Signing};
use opk_testkit::registry::{Mode, Registry};

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
    let plain = Registry::start(Mode::Plain);
    let signed = image::build(
        &format!("{}/openpubkey/demo", plain.addr),
        "main",
        &platforms,
        Signing::Signed,
    );
    plain.push("openpubkey/demo", "main", &signed);
    let att = signed
        .platform("linux/amd64")
        .attestation
        .clone()
        .expect("attestation");
    let hostile = HostileProxy::start(vec![Lie::hide(&att.digest())]);
    // A proxy whose answer for the index (by tag, where the client fetches it) never ends.
    let endless = HostileProxy::start(vec![Lie::Endless("/manifests/main".to_owned())]);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "OPK_TEST_REGISTRY={}", cors.addr);
    let _ = writeln!(out, "OPK_TEST_PLAIN_REGISTRY={}", plain.addr);
    let _ = writeln!(out, "OPK_TEST_HOSTILE_PROXY={}", hostile.url);
    let _ = writeln!(out, "OPK_TEST_ENDLESS_PROXY={}", endless.url);
    let _ = writeln!(out, "READY");
    let _ = out.flush();
    drop(out);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(endless);
    drop(hostile);
    drop(plain);
    drop(cors);
}
