//! The local demo behind `scripts/serve`: a CORS-enabled `docker-registry` on 127.0.0.1 and an
//! `opk dev-op` issuer, seeded with BuildKit-shaped images signed by the real `opk sign`:
//!
//! - `openpubkey/demo:latest`: 2 platforms, provenance and SPDX SBOM, signed (F0);
//! - `openpubkey/unsigned:latest`: BuildKit's unsigned in-toto attestations only;
//! - `openpubkey/tampered:latest`: signed, then each provenance statement changed after signing;
//! - `openpubkey/forged:latest`: the demo image's valid signed attestations replayed onto another
//!   image (their subjects name the demo image's digests);
//! - `openpubkey/both:latest`: signed as the demo image, plus a Sigstore-signed CycloneDX SBOM
//!   per platform (a mix of schemes under one policy);
//! - `openpubkey/zstd-layer:latest`: one unsigned linux/amd64 image whose layer is zstd;
//! - Sigstore-signed images (`openpubkey/sigstore`, `openpubkey/github-builder`,
//!   `openpubkey/cosign-v2`, `openpubkey/sigstore-timestamped`, and the twins `openpubkey/sigstore-forged` and
//!   `openpubkey/sigstore-tampered`: see `opk_testkit::sigstore_demo`), with the test Sigstore's
//!   trusted root served for the page (`OPK_DEMO_SIGSTORE_ROOT`) and written beside the dev
//!   issuer's JWKS (`OPK_DEMO_SIGSTORE_ROOT_FILE`).
//!
//! It also starts the same registry behind a front that implements the OCI 1.1 referrers API
//! (`OPK_DEMO_REFERRERS_API`, a registry host), and a hostile proxy (prefix form) that withholds the demo image's linux/amd64
//! attestation manifest and the linux/amd64 bundle referrer of `openpubkey/sigstore`, for the
//! withheld state.
//!
//! Usage: `opk-demo-registry OPK_BINARY REGISTRY_PORT DEV_OP_PORT` (0: any free port). Prints
//! `KEY=VALUE` lines and `READY`, then runs until its standard input closes, and stops
//! everything it started.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, Command, Stdio};

use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Blob, Signing, OCI_INDEX, OCI_MANIFEST};
use opk_testkit::referrers_front::ReferrersFront;
use opk_testkit::registry::{Mode, Registry, TempDir};
use serde_json::{json, Value};

const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];
const TAG: &str = "latest";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, opk, reg_port, op_port] = &args[..] else {
        eprintln!("usage: opk-demo-registry OPK_BINARY REGISTRY_PORT DEV_OP_PORT");
        std::process::exit(2);
    };
    let reg_port: u16 = reg_port.parse().expect("REGISTRY_PORT");
    let reg = if reg_port == 0 {
        Registry::start(Mode::Cors)
    } else {
        Registry::start_at(Mode::Cors, reg_port)
    };
    let dir = TempDir::new("demo");
    let jwks_path = dir.path().join("dev-issuer.jwks.json");
    let mut op = Killed(
        Command::new(opk)
            .args(["dev-op", "--listen", &format!("127.0.0.1:{op_port}")])
            .arg("--jwks-out")
            .arg(&jwks_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("opk dev-op"),
    );
    let mut env = BTreeMap::new();
    let mut issuer = String::new();
    for line in BufReader::new(op.0.stdout.take().expect("stdout")).lines() {
        let line = line.expect("dev-op output");
        if line == "# ready" {
            break;
        }
        if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            env.insert(k.to_owned(), v.trim_matches('\'').to_owned());
        }
        if let Some(rest) = line.strip_prefix("# opk dev-op: dev issuer ") {
            issuer = rest.split(' ').next().unwrap_or_default().to_owned();
        }
    }
    assert!(!issuer.is_empty(), "opk dev-op did not start");

    let sign_with = |repo: &str, extra: &[&std::ffi::OsStr]| {
        let out = Command::new(opk)
            .args(["sign", &format!("{}/{repo}:{TAG}", reg.addr)])
            .args(extra)
            .envs(&env)
            .output()
            .expect("opk sign");
        assert!(
            out.status.success(),
            "opk sign {repo}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let sign = |repo: &str| sign_with(repo, &[]);
    let push_unsigned = |repo: &str| {
        let fixture = image::build(
            &format!("{}/{repo}", reg.addr),
            TAG,
            &PLATFORMS,
            Signing::Unsigned,
        );
        reg.push(repo, TAG, &fixture);
        fixture
    };

    push_unsigned("openpubkey/demo");
    sign("openpubkey/demo");
    // Both schemes: OpenPubkey-signed attestations and a Sigstore CycloneDX SBOM per platform.
    push_unsigned("openpubkey/both");
    sign("openpubkey/both");
    push_unsigned("openpubkey/unsigned");
    push_unsigned("openpubkey/tampered");
    sign("openpubkey/tampered");
    tamper(&reg, "openpubkey/tampered");
    let victim = push_unsigned("openpubkey/forged");
    replay(&reg, "openpubkey/demo", "openpubkey/forged", &victim);
    // For the benchmarks: an image whose signed SBOM lists OPK_DEMO_BIG_SBOM packages.
    if let Some(n) = std::env::var("OPK_DEMO_BIG_SBOM")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let path = dir.path().join("big.spdx.json");
        std::fs::write(&path, big_spdx(n)).expect("write the big SBOM");
        push_unsigned("openpubkey/big-sbom");
        sign_with(
            "openpubkey/big-sbom",
            &["--sbom".as_ref(), path.as_os_str()],
        );
    }

    // For the layer browser's memory test: a single-manifest image whose plain-tar layer holds
    // a file of OPK_DEMO_BIG_LAYER MiB.
    if let Some(mib) = std::env::var("OPK_DEMO_BIG_LAYER")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        push_big_layer(&reg, mib);
    }
    push_zstd_layer(&reg);

    let sigstore = opk_testkit::sigstore_demo::seed(&reg, TAG);
    opk_testkit::sigstore_demo::add_sbom_bundles(&reg, "openpubkey/both", TAG);
    let root_path = dir.path().join("test-sigstore.trusted_root.json");
    std::fs::write(&root_path, opk_testkit::sigstore::root::trusted_root())
        .expect("write the test Sigstore's trusted root");

    // A proxy that withholds the signed demo image's linux/amd64 attestation manifest.
    let index = json_of(&reg.fetch("openpubkey/demo", "manifests", TAG));
    let amd64 = index["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["platform"]["architecture"] == "amd64")
        .and_then(|e| e["digest"].as_str())
        .expect("amd64 image")
        .to_owned();
    let hidden = index["manifests"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["annotations"]["vnd.docker.reference.digest"] == amd64.as_str())
        .and_then(|e| e["digest"].as_str())
        .expect("amd64 attestation manifest")
        .to_owned();
    // … and the linux/amd64 Sigstore bundle referrer of openpubkey/sigstore.
    let hostile = HostileProxy::start(vec![
        Lie::hide(&hidden),
        Lie::hide(&sigstore.amd64_referrer),
    ]);
    // The same registry behind a front that implements the OCI 1.1 referrers API.
    let referrers_front = ReferrersFront::start(&reg.addr);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "OPK_DEMO_REGISTRY={}", reg.addr);
    let _ = writeln!(out, "OPK_DEMO_REFERRERS_API={}", referrers_front.addr);
    let _ = writeln!(out, "OPK_DEMO_HOSTILE_PROXY={}", hostile.url);
    let _ = writeln!(out, "OPK_DEV_ISSUER={issuer}");
    let _ = writeln!(out, "OPK_DEV_JWKS={}", jwks_path.display());
    let _ = writeln!(out, "OPK_DEMO_SIGSTORE_ROOT={}", sigstore.root_url);
    let _ = writeln!(out, "OPK_DEMO_SIGSTORE_ROOT_FILE={}", root_path.display());
    let _ = writeln!(out, "READY");
    let _ = out.flush();
    drop(out);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(hostile);
    drop(referrers_front);
    drop(sigstore);
    drop(op);
    drop(reg);
    drop(dir);
}

/// An SPDX 2.3 document with `n` packages (names, versions, licenses and purls all distinct
/// enough for filtering to mean something).
fn big_spdx(n: usize) -> String {
    const LICENSES: [&str; 4] = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-only"];
    let packages: Vec<Value> = (0..n)
        .map(|i| {
            let name = format!("pkg-{i:05}");
            let version = format!("{}.{}.{}", i % 7, i % 13, i % 101);
            serde_json::json!({
                "SPDXID": format!("SPDXRef-Package-{i}"),
                "name": name,
                "versionInfo": version,
                "licenseConcluded": LICENSES[i % LICENSES.len()],
                "externalRefs": [{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": format!("pkg:npm/{name}@{version}"),
                }],
            })
        })
        .collect();
    serde_json::json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "big-sbom",
        "packages": packages,
    })
    .to_string()
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

/// Changes every provenance statement after signing (the signatures stay): the `att` binding
/// no longer holds.
fn tamper(reg: &Registry, repo: &str) {
    let mut index = json_of(&reg.fetch(repo, "manifests", TAG));
    for entry in index["manifests"].as_array_mut().expect("manifests") {
        if entry["annotations"]["vnd.docker.reference.type"] != "attestation-manifest" {
            continue;
        }
        let digest = entry["digest"].as_str().expect("digest").to_owned();
        let mut manifest = json_of(&reg.fetch(repo, "manifests", &digest));
        for layer in manifest["layers"].as_array_mut().expect("layers") {
            if layer["mediaType"] != "application/vnd.in-toto.provenance+dsse" {
                continue;
            }
            let d = layer["digest"].as_str().expect("digest").to_owned();
            let mut envelope = json_of(&reg.fetch(repo, "blobs", &d));
            let statement = opk_verify::b64::decode_dsse(
                envelope["payload"].as_str().expect("payload"),
                "payload",
            )
            .expect("base64");
            let changed = String::from_utf8(statement)
                .expect("utf-8")
                .replace("dockerfile.v0", "dockerfile.v1");
            envelope["payload"] = json!(opk_verify::b64::encode_std(changed.as_bytes()));
            let blob = Blob::new(
                "application/vnd.in-toto.provenance+dsse",
                envelope.to_string().into_bytes(),
            );
            reg.push_blob(repo, &blob);
            *layer = descriptor_like(layer, &blob);
        }
        let blob = Blob::new(OCI_MANIFEST, manifest.to_string().into_bytes());
        reg.push_manifest(repo, &blob.digest(), &blob);
        *entry = descriptor_like(entry, &blob);
    }
    let blob = Blob::new(OCI_INDEX, index.to_string().into_bytes());
    reg.push_manifest(repo, TAG, &blob);
}

/// Lists `from`'s attestation manifests in `to`'s index as if they described `to`'s images.
fn replay(reg: &Registry, from: &str, to: &str, victim: &image::Fixture) {
    let index = json_of(&reg.fetch(from, "manifests", TAG));
    let entries = index["manifests"].as_array().expect("manifests");
    let platform_of = |digest: &str| {
        entries
            .iter()
            .find(|e| e["digest"] == digest)
            .map(|e| {
                format!(
                    "{}/{}",
                    e["platform"]["os"].as_str().unwrap_or_default(),
                    e["platform"]["architecture"].as_str().unwrap_or_default()
                )
            })
            .unwrap_or_default()
    };
    let mut new_entries: Vec<Value> = victim
        .platforms
        .iter()
        .map(|p| image::image_entry(&p.manifest, &p.platform))
        .collect();
    for e in entries {
        if e["annotations"]["vnd.docker.reference.type"] != "attestation-manifest" {
            continue;
        }
        let attested = e["annotations"]["vnd.docker.reference.digest"]
            .as_str()
            .unwrap_or_default();
        let platform = platform_of(attested);
        let target = victim.platform(&platform).manifest.digest();
        let digest = e["digest"].as_str().expect("digest");
        let manifest_bytes = reg.fetch(from, "manifests", digest);
        let manifest = json_of(&manifest_bytes);
        let mut blobs = vec![manifest["config"].clone()];
        blobs.extend(manifest["layers"].as_array().into_iter().flatten().cloned());
        for b in blobs {
            let d = b["digest"].as_str().expect("digest");
            let bytes = reg.fetch(from, "blobs", d);
            reg.push_blob(to, &Blob::new("application/octet-stream", bytes));
        }
        let blob = Blob::new(OCI_MANIFEST, manifest_bytes);
        reg.push_manifest(to, &blob.digest(), &blob);
        new_entries.push(image::attestation_entry(&blob, &target));
    }
    let index = image::Fixture::index_with(&new_entries);
    reg.push_manifest(to, TAG, &index);
}

fn descriptor_like(old: &Value, blob: &Blob) -> Value {
    let mut d = old.clone();
    d["digest"] = json!(blob.digest());
    d["size"] = json!(blob.bytes.len());
    d
}

/// `openpubkey/big-layer:latest`: one linux/amd64 image whose uncompressed tar layer holds
/// `small.txt` and `big.bin` (`mib` MiB of zeros).
fn push_big_layer(reg: &Registry, mib: usize) {
    use opk_testkit::tarball::{self, Item};
    let mut tar = Vec::new();
    tarball::entry(
        &mut tar,
        &Item::File("small.txt".into(), b"small\n".to_vec(), 0o644),
    );
    tarball::entry(
        &mut tar,
        &Item::File("big.bin".into(), vec![0; mib << 20], 0o644),
    );
    tar.extend([0u8; 1024]);
    let layer = Blob::new("application/vnd.oci.image.layer.v1.tar", tar);
    push_one_layer_image(reg, "openpubkey/big-layer", &layer);
}

/// `openpubkey/zstd-layer:latest`: a zstd-compressed layer (directories written with their
/// trailing slash, as tar writes them), for the layer browser.
fn push_zstd_layer(reg: &Registry) {
    use opk_testkit::tarball::{self, Item};
    let tar = tarball::tar(&[
        Item::Dir("etc/".into()),
        Item::File(
            "etc/os-release".into(),
            b"NAME=\"OPK zstd demo\"\nID=opk-zstd\n".to_vec(),
            0o644,
        ),
        Item::Dir("usr/share/".into()),
        Item::File(
            "usr/share/words.txt".into(),
            "zstd ".repeat(40_000).into_bytes(),
            0o644,
        ),
    ]);
    let layer = Blob::new(
        "application/vnd.oci.image.layer.v1.tar+zstd",
        tarball::zstd(&tar),
    );
    push_one_layer_image(reg, "openpubkey/zstd-layer", &layer);
}

/// A single-manifest linux/amd64 image of `layer` at `repo:latest`.
fn push_one_layer_image(reg: &Registry, repo: &str, layer: &Blob) {
    let config = Blob::new(
        "application/vnd.oci.image.config.v1+json",
        json!({"architecture": "amd64", "os": "linux",
               "rootfs": {"type": "layers", "diff_ids": [layer.digest()]}})
        .to_string()
        .into_bytes(),
    );
    let manifest = image::image_manifest(&config, &[layer]);
    reg.push_blob(repo, &config);
    reg.push_blob(repo, layer);
    reg.push_manifest(repo, "latest", &manifest);
}
