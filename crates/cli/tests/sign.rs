//! `opk sign` and `opk dev-op` end to end: images pushed to a real `docker-registry` on
//! 127.0.0.1 are signed with ID tokens from a running `opk dev-op` (through the GitHub Actions
//! code path), then verified by `opk verify` — in both PK token formats, from BuildKit's unsigned
//! attestations, from predicate files, with a minimal provenance, and in an OCI layout.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};

use opk_testkit::image::{self, Blob, Signing};
use opk_testkit::registry::{Mode, Registry, TempDir};
use serde_json::Value;

const REPO: &str = "openpubkey/demo";
const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];
const OWNER_ID: &str = "145685596";

/// Pushes a BuildKit-shaped `REPO:tag` image with `signing` to `reg`; returns it and its name.
fn push(reg: &Registry, tag: &str, signing: Signing) -> (image::Fixture, String) {
    let fixture = image::build(&format!("{}/{REPO}", reg.addr), tag, &PLATFORMS, signing);
    reg.push(REPO, tag, &fixture);
    (fixture, format!("{}/{REPO}:{tag}", reg.addr))
}
/// A dev issuer key made once with `opk dev-op --key` (saves generating one per test).
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testkit/keys/dev_op_rsa2048.jwk.json"
);

/// A running `opk dev-op`, killed on drop, with the variables it printed.
struct DevOp {
    child: Child,
    vars: BTreeMap<String, String>,
    _dir: TempDir,
}

impl DevOp {
    fn start(claims: Option<&str>) -> Self {
        let dir = TempDir::new("devop");
        let jwks = dir.path().join("dev.jwks.json");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opk"));
        cmd.args([
            "dev-op",
            "--listen",
            "127.0.0.1:0",
            "--key",
            KEY,
            "--jwks-out",
        ])
        .arg(&jwks);
        if let Some(c) = claims {
            let path = dir.path().join("claims.json");
            std::fs::write(&path, c).unwrap();
            cmd.arg("--claims").arg(path);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut vars = BTreeMap::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line == "# ready" {
                break;
            }
            if let Some((k, v)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
                vars.insert(k.to_owned(), v.trim_matches('\'').to_owned());
            }
        }
        assert!(
            vars.contains_key("ACTIONS_ID_TOKEN_REQUEST_URL"),
            "{vars:?}"
        );
        Self {
            child,
            vars,
            _dir: dir,
        }
    }
    fn jwks(&self) -> &str {
        &self.vars["OPK_DEV_JWKS"]
    }
}

impl Drop for DevOp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn opk(args: &[&str], env: &BTreeMap<String, String>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .output()
        .unwrap()
}

fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn verify(image: &str, op: &DevOp, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        image,
        "--jwks",
        op.jwks(),
        "--repo-owner-id",
        OWNER_ID,
    ];
    args.extend_from_slice(extra);
    opk(&args, &BTreeMap::new())
}

/// Signs an unsigned BuildKit-shaped image in both formats and verifies every platform.
#[test]
fn signed_images_verify_in_both_formats() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    for (tag, format, label) in [("f0", "f0", "F0"), ("f3", "f3", "F3")] {
        let (_, image) = push(&reg, tag, Signing::Unsigned);
        let out = opk(&["sign", &image, "--format", format], &op.vars);
        assert_exit(&out, 0);
        let t = text(&out);
        assert!(t.contains("Signed 2 attestations for linux/amd64"), "{t}");
        assert!(
            t.contains(&format!("({label} PK tokens, issuer http://127.0.0.1:")),
            "{t}"
        );
        assert!(t.contains("dev issuer"), "{t}");
        for platform in PLATFORMS {
            let out = verify(
                &image,
                &op,
                &[
                    "--platform",
                    platform,
                    "--predicate",
                    "https://slsa.dev/provenance/v0.2",
                    "--predicate",
                    "https://spdx.dev/Document",
                    "--json",
                ],
            );
            assert_exit(&out, 0);
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let atts = v["attestations"].as_array().unwrap();
            assert_eq!(atts.len(), 2, "{v}");
            for a in atts {
                assert_eq!(a["status"], "verified", "{a}");
                assert_eq!(a["format"], label, "{a}");
                assert!(
                    a["key"]["source"]
                        .as_str()
                        .unwrap()
                        .starts_with("dev issuer"),
                    "{a}"
                );
            }
        }
        // The statements BuildKit attached were signed byte for byte, not rewritten.
        let out = verify(&image, &op, &[]);
        assert_exit(&out, 0);
        let t = text(&out);
        assert!(t.contains("Verified OpenPubkey binding"), "{t}");
        assert!(t.contains("(dev issuer, not GitHub)"), "{t}");
        assert!(
            t.ends_with("Verified all required attestations are present\n"),
            "{t}"
        );
    }
}

/// The dev issuer is trusted nowhere unless its JWKS is passed, and then labelled.
#[test]
fn the_dev_issuer_is_never_trusted_by_default() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    let (_, image) = push(&reg, "main", Signing::Unsigned);
    assert_exit(&opk(&["sign", &image], &op.vars), 0);
    let out = opk(
        &["verify", &image, "--repo-owner-id", OWNER_ID],
        &BTreeMap::new(),
    );
    assert_exit(&out, 1);
    assert!(text(&out).contains("issuer_not_allowed"), "{}", text(&out));
    // Allowing the issuer without its keys still finds no key.
    let issuer = op.vars["ACTIONS_ID_TOKEN_REQUEST_URL"]
        .split("/token")
        .next()
        .unwrap()
        .to_owned();
    let out = opk(
        &[
            "verify",
            &image,
            "--repo-owner-id",
            OWNER_ID,
            "--issuer",
            &issuer,
        ],
        &BTreeMap::new(),
    );
    assert_exit(&out, 1);
    assert!(text(&out).contains("key_not_found"), "{}", text(&out));
    // Another dev-op's JWKS (the same key, another issuer URL) does not allow this issuer.
    let other = DevOp::start(None);
    let out = verify(&image, &other, &[]);
    assert_exit(&out, 1);
    assert!(text(&out).contains("issuer_not_allowed"), "{}", text(&out));
}

/// Predicate files replace BuildKit's statements; with none at all, a minimal provenance from
/// GITHUB_* describes the run, and docker verify's provenance cross-checks hold.
#[test]
fn provenance_and_sbom_files_and_minimal_provenance() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    let (_, image) = push(&reg, "bare", Signing::NoAttestations);
    // Without GITHUB_* there is nothing honest to say about the build.
    let mut no_run = op.vars.clone();
    no_run.remove("GITHUB_SHA");
    let out = opk(&["sign", &image], &no_run);
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("GITHUB_SHA is not set"),
        "{}",
        text(&out)
    );
    let out = opk(&["sign", &image], &op.vars);
    assert_exit(&out, 0);
    assert!(
        text(&out).contains("Signed 1 attestation for linux/arm64"),
        "{}",
        text(&out)
    );
    let out = verify(&image, &op, &[]);
    assert_exit(&out, 0);
    let t = text(&out);
    for line in [
        "Verified signed git sha provenance",
        "Verified signed git repo provenance openpubkey/demo",
        "Verified provenance builder",
    ] {
        assert!(t.contains(line), "{t}");
    }
    // Signed already: refused unless --replace; then files replace the statements.
    let out = opk(&["sign", &image], &op.vars);
    assert_exit(&out, 1);
    assert!(text(&out).contains("--replace"), "{}", text(&out));
    let dir = TempDir::new("sign-files");
    let sbom = dir.path().join("sbom.json");
    std::fs::write(
        &sbom,
        br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"x","packages":[]}"#,
    )
    .unwrap();
    let statement = dir.path().join("statement.json");
    std::fs::write(
        &statement,
        image::statement(image::SPDX, "pkg:docker/x@1", &"0".repeat(64)),
    )
    .unwrap();
    let out = opk(
        &[
            "sign",
            &image,
            "--replace",
            "--sbom",
            statement.to_str().unwrap(),
        ],
        &op.vars,
    );
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("whole in-toto statement"),
        "{}",
        text(&out)
    );
    let out = opk(
        &[
            "sign",
            &image,
            "--replace",
            "--sbom",
            sbom.to_str().unwrap(),
        ],
        &op.vars,
    );
    assert_exit(&out, 0);
    let out = verify(
        &image,
        &op,
        &[
            "--predicate",
            "https://spdx.dev/Document",
            "--predicate",
            "https://slsa.dev/provenance/v0.2",
        ],
    );
    assert_exit(&out, 0);
    // A provenance naming another repository than the token would fail docker verify's
    // cross-checks: the signer refuses it and pushes nothing.
    let prov = dir.path().join("prov.json");
    std::fs::write(&prov, br#"{"builder":{"id":"https://github.com/evil/x/actions/runs/1"},"buildType":"t","metadata":{"https://mobyproject.org/buildkit@v1#metadata":{"vcs":{"revision":"6b29027d7ddae1c2dcdcfb88ab402473af5d20c8","source":"https://github.com/evil/x"}}}}"#).unwrap();
    let out = opk(
        &[
            "sign",
            &image,
            "--replace",
            "--provenance",
            prov.to_str().unwrap(),
        ],
        &op.vars,
    );
    assert_exit(&out, 1);
    let t = text(&out);
    assert!(t.contains("does not verify (policy_violation"), "{t}");
    assert!(t.contains("nothing was pushed"), "{t}");
    assert_exit(
        &verify(&image, &op, &["--predicate", "https://spdx.dev/Document"]),
        0,
    );
}

/// Bad inputs to the signer fail clearly and push nothing.
#[test]
fn signing_refusals() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    let (fixture, image) = push(&reg, "main", Signing::Unsigned);
    let digest_only = format!("{}/{REPO}@{}", reg.addr, fixture.index.digest());
    let out = opk(&["sign", &digest_only], &op.vars);
    assert_exit(&out, 1);
    assert!(text(&out).contains("needs a tag"), "{}", text(&out));
    let out = opk(&["sign", &image], &BTreeMap::new());
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("ACTIONS_ID_TOKEN_REQUEST_URL is not set"),
        "{}",
        text(&out)
    );
    let mut wrong = op.vars.clone();
    wrong.insert("ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(), "0".repeat(64));
    let out = opk(&["sign", &image], &wrong);
    assert_exit(&out, 1);
    assert!(text(&out).contains("HTTP 401"), "{}", text(&out));
    let out = opk(
        &["sign", &image, "--oidc", "http://accounts.example.com"],
        &op.vars,
    );
    assert_exit(&out, 1);
    assert!(text(&out).contains("must be https"), "{}", text(&out));
    // None of that pushed anything: the image is still unsigned.
    let out = verify(&image, &op, &[]);
    assert_exit(&out, 1);
    assert!(text(&out).contains("unsigned"), "{}", text(&out));
    // A token naming an issuer that cannot be reached is caught before anything is written.
    let liar = DevOp::start(Some(r#"{"iss":"http://127.0.0.1:1"}"#));
    let out = opk(&["sign", &image], &liar.vars);
    assert_exit(&out, 1);
    assert!(
        text(&out).contains("127.0.0.1:1/.well-known/openid-configuration"),
        "{}",
        text(&out)
    );
    let out = verify(&image, &op, &[]);
    assert_exit(&out, 1);
}

/// An OCI image layout is signed in place; pushed as is, it verifies.
#[test]
fn an_oci_layout_is_signed_in_place() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    let name = format!("{}/{REPO}", reg.addr);
    let fixture = image::build(&name, "v1", &PLATFORMS, Signing::Unsigned);
    let dir = TempDir::new("layout");
    let blobs = dir.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let all: Vec<&Blob> = fixture
        .blobs
        .iter()
        .chain(fixture.manifests())
        .chain([&fixture.index])
        .collect();
    for b in &all {
        std::fs::write(blobs.join(&b.digest()[7..]), &b.bytes).unwrap();
    }
    std::fs::write(
        dir.path().join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let mut entry = fixture.index.descriptor();
    entry["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "v1"});
    std::fs::write(
        dir.path().join("index.json"),
        serde_json::json!({"schemaVersion": 2, "manifests": [entry]}).to_string(),
    )
    .unwrap();
    let image = format!("{name}:v1");
    let layout = dir.path().to_str().unwrap();
    let out = opk(&["sign", &image, "--oci-layout", layout], &op.vars);
    assert_exit(&out, 0);
    // Push the layout's content as a registry client would, then verify.
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    let top = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    assert_ne!(top, fixture.index.digest());
    for f in std::fs::read_dir(&blobs).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        let media = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(str::to_owned));
        match media {
            Some(m) if m.contains("manifest") || m.contains("index") => {}
            _ => reg.push_blob(REPO, &Blob::new("application/octet-stream", bytes)),
        }
    }
    for f in std::fs::read_dir(&blobs).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        if let Some(m) = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(str::to_owned))
            .filter(|m| m.ends_with("manifest.v1+json"))
        {
            let blob = Blob::new(&m, bytes);
            reg.push_manifest(REPO, &blob.digest(), &blob);
        }
    }
    let top_bytes = std::fs::read(blobs.join(&top[7..])).unwrap();
    reg.push_manifest(REPO, "v1", &Blob::new(image::OCI_INDEX, top_bytes));
    let out = verify(&image, &op, &["--platform", "linux/arm64"]);
    assert_exit(&out, 0);
}

/// The nonce flavour: `opk sign --oidc URL` logs in (authorization code + PKCE, loopback
/// redirect) once per statement, with the commitment as the nonce; both formats verify.
#[test]
fn interactive_login_puts_the_commitment_in_the_nonce() {
    let reg = Registry::start(Mode::Plain);
    let op = DevOp::start(None);
    let issuer = op.vars["ACTIONS_ID_TOKEN_REQUEST_URL"]
        .split("/token")
        .next()
        .unwrap()
        .to_owned();
    let browser: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into();
    for (tag, format, label) in [("n0", "f0", "F0"), ("n3", "f3", "F3")] {
        let (_, image) = push(&reg, tag, Signing::Unsigned);
        // No GitHub Actions variables: this path needs none.
        let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
            .args([
                "sign",
                &image,
                "--format",
                format,
                "--oidc",
                &issuer,
                "--client-id",
                "opk-test",
            ])
            .env_clear()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut logins = 0;
        let mut errors = String::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            match line.split_once("open this URL to sign in: ") {
                Some((_, url)) => {
                    assert!(
                        url.contains("&nonce=") && url.contains("code_challenge_method=S256"),
                        "{url}"
                    );
                    // The browser: the issuer approves at once and redirects to opk sign.
                    let page = browser
                        .get(url)
                        .call()
                        .unwrap()
                        .into_body()
                        .read_to_string()
                        .unwrap();
                    assert!(page.contains("Signed in for opk sign"), "{page}");
                    logins += 1;
                }
                None => errors.push_str(&line),
            }
        }
        let status = child.wait().unwrap();
        assert!(status.success(), "{errors}");
        assert_eq!(logins, 4, "one login per statement");
        let out = verify(&image, &op, &["--platform", "linux/arm64", "--json"]);
        assert_exit(&out, 0);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for a in v["attestations"].as_array().unwrap() {
            assert_eq!(a["format"], label, "{a}");
            assert_eq!(a["claims"]["aud"], "opk-test", "{a}");
            assert!(a["claims"]["nonce"].as_str().unwrap().len() == 43, "{a}");
        }
    }
}
