//! `opk verify IMAGE`, `opk inspect` and `opk proxy` against a real `docker-registry` on
//! 127.0.0.1: directly (CORS), through `opk proxy` (no CORS upstream), and with token auth.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Output, Stdio};

use opk_testkit::forge::TestOp;
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Fixture, Signing};
use opk_testkit::redirect_front::RedirectFront;
use opk_testkit::registry::{Mode, Registry, TempDir};

const REPO: &str = "openpubkey/demo";
const TAG: &str = "main";
const PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];

struct Env {
    reg: Registry,
    fixture: Fixture,
    dir: TempDir,
}

impl Env {
    fn new(mode: Mode, signing: Signing) -> Self {
        let reg = Registry::start(mode);
        let fixture = image::build(&format!("{}/{REPO}", reg.addr), TAG, &PLATFORMS, signing);
        reg.push(REPO, TAG, &fixture);
        let dir = TempDir::new("cli");
        std::fs::write(dir.path().join("jwks.json"), TestOp::new().jwks()).unwrap();
        Self { reg, fixture, dir }
    }
    fn image(&self) -> String {
        format!("{}/{REPO}:{TAG}", self.reg.addr)
    }
    fn jwks(&self) -> String {
        self.dir.path().join("jwks.json").display().to_string()
    }
    /// `opk verify <image> --jwks … --repo-owner-id 145685596 <extra>`.
    fn verify(&self, image: &str, extra: &[&str]) -> Output {
        let jwks = self.jwks();
        let mut args = vec![
            "verify",
            image,
            "--jwks",
            &jwks,
            "--repo-owner-id",
            "145685596",
        ];
        args.extend_from_slice(extra);
        opk(&args)
    }
}

fn opk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(args)
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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running `opk proxy`, killed on drop.
struct OpkProxy {
    child: Child,
    url: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

/// The origin the tests' proxies serve (loopback upstreams need one).
const APP_ORIGIN: &str = "http://127.0.0.1:8080";

impl OpkProxy {
    fn start(allow: &[&str]) -> Self {
        Self::start_with(allow, &[])
    }

    fn start_with(allow: &[&str], extra: &[&str]) -> Self {
        let mut args = vec![
            "proxy",
            "--listen",
            "127.0.0.1:0",
            "--allow-origin",
            APP_ORIGIN,
        ];
        for a in allow {
            args.extend(["--allow", a]);
        }
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
            .args(&args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("opk proxy listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            child,
            url,
            _stdout: stdout,
        }
    }
}

impl Drop for OpkProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const DOCKER_LINES: [&str; 8] = [
    "  ✓ Verified attestation refers to digest sha256:",
    "  ✓ Verified attestation refers to tag ",
    "  ✓ Verified OIDC token was signed by https://token.actions.githubusercontent.com",
    "  ✓ Verified attestation digest was signed on a Github Actions run: https://github.com/openpubkey/demo/actions/runs/6628353581",
    "  ✓ Verified repository owner 145685596 (openpubkey)",
    "  ✓ Verified signed git sha provenance 6b29027d7ddae1c2dcdcfb88ab402473af5d20c8",
    "  ✓ Verified signed git repo provenance openpubkey/demo",
    "  ✓ Verified provenance builder is the Actions run",
];

fn assert_docker_shape(text: &str, env: &Env, platform: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let digest = env.fixture.platform(platform).manifest.digest();
    assert!(
        lines[0].starts_with("! tag main resolved to sha256:"),
        "{text}"
    );
    assert_eq!(
        lines[1],
        format!(
            "Verifying 2 attestations for pkg:docker/{}/{REPO}@{TAG}?platform={}",
            env.reg.addr,
            platform.replace('/', "%2F")
        )
    );
    assert_eq!(lines[2], "");
    assert_eq!(
        lines[3],
        format!("Verifying {} attestation", image::SLSA_V02)
    );
    for (want, got) in DOCKER_LINES.iter().zip(&lines[4..12]) {
        assert!(got.starts_with(want), "want {want:?}, got {got:?}\n{text}");
    }
    assert!(lines[4].ends_with(&digest));
    assert!(text.contains(&format!("\nVerifying {} attestation\n", image::SPDX)));
    assert_eq!(
        lines.last().copied(),
        Some("Verified all required attestations are present")
    );
}

#[test]
fn verify_prints_docker_verify_lines_directly_and_as_json() {
    let env = Env::new(Mode::Cors, Signing::Signed);
    for platform in PLATFORMS {
        let out = env.verify(&env.image(), &["--platform", platform]);
        assert_exit(&out, 0);
        assert_docker_shape(&stdout(&out), &env, platform);
    }
    let out = env.verify(&env.image(), &["--json"]);
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["resolved"]["unverifiedStep"], true);
    let atts = v["attestations"].as_array().unwrap();
    assert_eq!(atts.len(), 2);
    for (a, t) in atts.iter().zip([image::SLSA_V02, image::SPDX]) {
        assert_eq!(a["status"], "verified");
        assert_eq!(a["predicateType"], t);
        assert_eq!(a["format"], "F0");
        assert_eq!(a["claims"]["repository_owner_id"], "145685596");
    }
    // The index by tag (hashed here), the attestation manifest, 2 envelopes; then the search
    // for other signatures: the image's referrers (the API: 404, so the sha256- tag: 404),
    // cosign's .sig and .att tags (404), the attestation manifest's referrers tag (404), and
    // the index's referrers tag and cosign tags (404: the registry has no API, known by then).
    let urls: Vec<&str> = v["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 12, "{urls:#?}");
    let amd = &env.fixture.platform(PLATFORMS[0]).manifest.digest()["sha256:".len()..];
    let index = &env.fixture.index.digest()["sha256:".len()..];
    for suffix in [
        format!("/manifests/sha256-{index}"),
        format!("/manifests/sha256-{index}.sig"),
        format!("/manifests/sha256-{index}.att"),
        format!("/referrers/sha256:{amd}"),
        format!("/manifests/sha256-{amd}"),
        format!("/manifests/sha256-{amd}.sig"),
        format!("/manifests/sha256-{amd}.att"),
    ] {
        assert!(
            urls.iter().any(|u| u.ends_with(&suffix)),
            "{suffix} in {urls:#?}"
        );
    }
    assert_eq!(
        urls.iter().filter(|u| u.contains("/referrers/")).count(),
        1,
        "the API's 404 is remembered: {urls:#?}"
    );

    // Required predicates: SPDX alone is fine; an absent type is missing_attestation.
    let out = env.verify(&env.image(), &["--predicate", image::SPDX]);
    assert_exit(&out, 0);
    let out = env.verify(&env.image(), &["--predicate", "https://example.com/absent"]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).starts_with("error: missing_attestation: "),
        "{}",
        stderr(&out)
    );
    // Then what it means and what to do, in the page's words.
    assert!(
        stderr(&out).contains("  There is no verified attestation of type https://example.com/absent, which the policy requires.\n  what to do: Drop that requirement"),
        "{}",
        stderr(&out)
    );
    // A wrong owner is a policy violation.
    let jwks = env.jwks();
    let out = opk(&[
        "verify",
        &env.image(),
        "--jwks",
        &jwks,
        "--repo-owner-id",
        "1",
    ]);
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: policy_violation: "));
    // No identity rule is a usage error; so is a malformed reference.
    assert_exit(&opk(&["verify", &env.image()]), 2);
    assert_exit(&opk(&["verify", "UPPER/case", "--any-identity-unsafe"]), 2);
}

#[test]
fn bad_images_fail_with_their_codes() {
    let reg = Registry::start(Mode::Cors);
    let dir = TempDir::new("cli");
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, TestOp::new().jwks()).unwrap();
    for (name, signing, code) in [
        ("tampered", Signing::Tampered, "att_mismatch"),
        ("forged", Signing::ForgedSubject, "subject_mismatch"),
        ("unsigned", Signing::Unsigned, "unsigned"),
        ("bare", Signing::NoAttestations, "missing_attestation"),
    ] {
        let full = format!("{}/openpubkey/{name}", reg.addr);
        reg.push(
            &format!("openpubkey/{name}"),
            TAG,
            &image::build(&full, TAG, &PLATFORMS, signing),
        );
        let out = opk(&[
            "verify",
            &format!("{full}:{TAG}"),
            "--jwks",
            jwks.to_str().unwrap(),
            "--repo-owner-id",
            "145685596",
        ]);
        assert_exit(&out, 1);
        assert!(
            stderr(&out).starts_with(&format!("error: {code}: ")),
            "{name}: {}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("Verified all required"));
    }
    // Nothing listening: unreachable is exit 2. Port 1 is privileged and never handed out as an
    // ephemeral port, so no other test's registry can be listening there (a released free port
    // could be taken by one in the meantime).
    let out = opk(&["verify", "127.0.0.1:1/a/b:c", "--any-identity-unsafe"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).starts_with("error: network_error: "));
}

#[test]
fn opk_proxy_carries_a_registry_without_cors_and_answers_cors_itself() {
    let env = Env::new(Mode::Plain, Signing::Signed);
    let proxy = OpkProxy::start(&[&env.reg.addr]);
    let out = env.verify(&env.image(), &["--proxy", &proxy.url]);
    assert_exit(&out, 0);
    assert_docker_shape(&stdout(&out), &env, "linux/amd64");

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let base = format!("{}/{}/v2/{REPO}/manifests/{TAG}", proxy.url, env.reg.addr);
    // Preflight: answered by the proxy.
    let r = agent
        .options(&base)
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization,accept")
        .call()
        .unwrap();
    assert_eq!(r.status(), 204);
    let h = |r: &ureq::http::Response<ureq::Body>, k: &str| {
        r.headers()
            .get(k)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(
        h(&r, "access-control-allow-origin"),
        "http://127.0.0.1:8080"
    );
    assert_eq!(h(&r, "access-control-allow-methods"), "GET, HEAD, OPTIONS");
    assert!(h(&r, "access-control-allow-headers").contains("Authorization"));
    // HEAD and GET: digest and CORS headers exposed.
    let r = agent
        .head(&base)
        .header("Origin", "http://127.0.0.1:8080")
        .header("Accept", image::OCI_INDEX)
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h(&r, "docker-content-digest"), env.fixture.index.digest());
    assert!(h(&r, "access-control-expose-headers").contains("Docker-Content-Digest"));
    // Not allow-listed, not a read, not for cookies.
    let other = format!("{}/example.com/v2/", proxy.url);
    assert_eq!(agent.get(&other).call().unwrap().status(), 403);
    assert_eq!(agent.post(&base).send_empty().unwrap().status(), 405);
    let r = agent
        .get(&base)
        .header("Accept", image::OCI_INDEX)
        .call()
        .unwrap();
    assert!(r.headers().get("set-cookie").is_none());

    // inspect through the proxy: platforms with their attestations folded under them.
    let out = opk(&["inspect", &env.image(), "--proxy", &proxy.url]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("Platform linux/amd64") && text.contains("Platform linux/arm64"),
        "{text}"
    );
    assert!(!text.contains("unknown/unknown"));
    assert_eq!(
        text.matches("application/vnd.in-toto.provenance+dsse  https://slsa.dev/provenance/v0.2")
            .count(),
        2
    );
    let out = opk(&["inspect", &env.image(), "--proxy", &proxy.url, "--json"]);
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["digest"], env.fixture.index.digest());
    let platforms = v["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 2);
    for (p, name) in platforms.iter().zip(PLATFORMS) {
        assert_eq!(p["platform"], name);
        assert_eq!(
            p["manifest"]["digest"],
            env.fixture.platform(name).manifest.digest()
        );
        assert_eq!(p["configJson"]["config"]["Entrypoint"][0], "/hello");
        assert_eq!(p["attestations"][0]["layers"].as_array().unwrap().len(), 2);
        // Signatures were looked for (referrers, cosign tags, the attestation manifest's
        // referrers) and none are there.
        assert_eq!(p["signatures"], serde_json::json!([]));
    }
    assert!(v["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["via_proxy"] == true));
}

#[test]
fn token_auth_directly_and_through_opk_proxy() {
    let env = Env::new(Mode::Token, Signing::Signed);
    let out = env.verify(&env.image(), &[]);
    assert_exit(&out, 0);
    let issuer = env.reg.issuer.as_ref().unwrap();
    let issuer_host = issuer.url.trim_start_matches("http://").to_owned();
    let proxy = OpkProxy::start(&[&env.reg.addr, &issuer_host]);
    let out = env.verify(&env.image(), &["--proxy", &proxy.url, "--json"]);
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<i64> = v["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_i64().unwrap())
        .collect();
    assert_eq!(
        &statuses[..3],
        &[401, 200, 200],
        "challenge, token via the proxy, retry"
    );
    // The token service not allow-listed: the flow fails clearly.
    let strict = OpkProxy::start(&[&env.reg.addr]);
    let out = env.verify(&env.image(), &["--proxy", &strict.url]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).starts_with("error: auth_failed: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn withheld_attestation_through_a_hostile_proxy_is_not_called_unsigned() {
    let env = Env::new(Mode::Plain, Signing::Signed);
    let att = env
        .fixture
        .platform("linux/amd64")
        .attestation
        .clone()
        .unwrap();
    let p = HostileProxy::start(vec![Lie::hide(&att.digest())]);
    let out = env.verify(&env.image(), &["--proxy", &p.url]);
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: missing_attestation: "));
    assert!(stderr(&out).contains("withheld"));
    assert!(!stderr(&out).contains("not signed"));
}

/// A registry whose blobs redirect to a store on another port of the same host (S3-style): the
/// registry token must not follow (same host name, another origin), and the store — which, like
/// S3 with a presigned URL, refuses a request with `Authorization` — serves every blob.
#[test]
fn credentials_never_follow_a_blob_redirect_to_another_port() {
    let env = Env::new(Mode::Token, Signing::Signed);
    let front = RedirectFront::start(&env.reg.addr, env.fixture.blobs.clone());
    let image = format!("{}/{REPO}@{}", front.addr, env.fixture.index.digest());
    let out = env.verify(&image, &[]);
    assert_exit(&out, 0);
    let count = |c: &std::sync::atomic::AtomicUsize| c.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        count(&front.served) >= 2,
        "the attestation blobs came from the store"
    );
    assert_eq!(
        count(&front.refused),
        0,
        "the registry token reached the store"
    );
}

/// `opk proxy` serves only its origins: a loopback upstream needs `--allow-origin`; a foreign
/// origin gets 403 and no CORS header (preflight, Private Network Access preflight and GET, none
/// forwarded); the listed origin is reflected and its PNA preflight answered; a request without
/// `Origin` (the CLI) is served.
#[test]
fn the_proxy_serves_only_its_origins() {
    let env = Env::new(Mode::Plain, Signing::Signed);
    let out = opk(&["proxy", "--listen", "127.0.0.1:0", "--allow", &env.reg.addr]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--allow-origin"), "{}", stderr(&out));
    let out = opk(&[
        "proxy",
        "--allow",
        &env.reg.addr,
        "--allow-origin",
        "127.0.0.1:8080",
    ]);
    assert_exit(&out, 2);

    let proxy = OpkProxy::start(&[&env.reg.addr]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/{}/v2/{REPO}/manifests/{TAG}", proxy.url, env.reg.addr);
    let header = |r: &ureq::http::Response<ureq::Body>, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let accept = "application/vnd.oci.image.index.v1+json";
    for origin in ["https://evil.example", "http://127.0.0.1:8081", "null"] {
        let preflight = agent
            .options(&url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Private-Network", "true")
            .call()
            .unwrap();
        assert_eq!(preflight.status(), 403, "{origin}");
        assert_eq!(header(&preflight, "access-control-allow-origin"), None);
        assert_eq!(
            header(&preflight, "access-control-allow-private-network"),
            None
        );
        let get = agent
            .get(&url)
            .header("Origin", origin)
            .header("Accept", accept)
            .call()
            .unwrap();
        assert_eq!(get.status(), 403, "{origin}");
        assert_eq!(header(&get, "access-control-allow-origin"), None);
        assert_eq!(header(&get, "docker-content-digest"), None, "not forwarded");
    }
    let preflight = agent
        .options(&url)
        .header("Origin", APP_ORIGIN)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Private-Network", "true")
        .call()
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        header(&preflight, "access-control-allow-private-network").as_deref(),
        Some("true")
    );
    let get = agent
        .get(&url)
        .header("Origin", APP_ORIGIN)
        .header("Accept", accept)
        .call()
        .unwrap();
    assert_eq!(get.status(), 200);
    assert_eq!(
        header(&get, "access-control-allow-origin").as_deref(),
        Some(APP_ORIGIN)
    );
    let cli = agent.get(&url).header("Accept", accept).call().unwrap();
    assert_eq!(cli.status(), 200);
    assert_eq!(header(&cli, "access-control-allow-origin"), None);
}

#[test]
fn inspect_lists_a_sigstore_bundle_on_the_attestation_manifest() {
    use opk_testkit::referrers::{bundle_referrer, empty_config, referrers_index, BUNDLE_V03};
    // github-builder's layout: the bundle refers to the BuildKit attestation manifest.
    let env = Env::new(Mode::Cors, Signing::Unsigned);
    let p = env.fixture.platform(PLATFORMS[0]);
    let att = p.attestation.as_ref().unwrap();
    let (m, layer) = bundle_referrer(b"{}".to_vec(), att);
    env.reg.push_blob(REPO, &empty_config());
    env.reg.push_blob(REPO, &layer);
    env.reg.push_manifest(REPO, &m.digest(), &m);
    let tag = format!("sha256-{}", &att.digest()["sha256:".len()..]);
    env.reg
        .push_manifest(REPO, &tag, &referrers_index(&[(&m, BUNDLE_V03)]));
    let out = opk(&["inspect", &env.image()]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "  signature  Sigstore bundle  {} (found in the referrers tag, on attestation manifest {}), 1 layer(s)",
            m.digest(),
            att.digest()
        )),
        "{text}"
    );
    assert_eq!(text.matches("  signature  ").count(), 1, "{text}");
}

#[test]
fn verify_checks_a_sigstore_sbom_beside_opk_provenance() {
    use opk_testkit::referrers::{bundle_referrer, BUNDLE_V03};
    use opk_testkit::sigstore::{bundle, fulcio, root};
    const CYCLONEDX: &str = "https://cyclonedx.org/bom";
    let env = Env::new(Mode::Cors, Signing::Signed);
    let amd = &env.fixture.platform(PLATFORMS[0]).manifest;
    let statement = image::statement(
        CYCLONEDX,
        "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64",
        &amd.digest()["sha256:".len()..],
    );
    // Signed by the test Sigstore at 2026-12-07T00:00:00Z, before any run of this test.
    let (m, layer) = bundle_referrer(
        bundle::dsse(&statement, &fulcio::Identity::demo(), 1_796_601_600),
        amd,
    );
    env.reg
        .push_referrers(REPO, amd, &[(&m, &[&layer], BUNDLE_V03)]);
    let root_file = env.dir.path().join("test-sigstore.json");
    std::fs::write(&root_file, root::trusted_root()).unwrap();
    let root_path = root_file.display().to_string();
    let both = [
        "--trusted-root",
        &root_path,
        "--predicate",
        image::SLSA_V02,
        "--predicate",
        CYCLONEDX,
    ];
    let out = env.verify(&env.image(), &both);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "Verifying {CYCLONEDX} attestation (Sigstore signature, found in the referrers tag)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Verified under the trusted root opk test Sigstore, {root_path} (dev instance)"
        )),
        "{text}"
    );
    assert!(text.contains("Verifying https://slsa.dev/provenance/v0.2 attestation"));
    let mut json = both.to_vec();
    json.push("--json");
    let v: serde_json::Value =
        serde_json::from_slice(&env.verify(&env.image(), &json).stdout).unwrap();
    assert_eq!(v["state"], "verified");
    let schemes: Vec<&str> = v["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(schemes, ["open_pubkey", "open_pubkey", "sigstore"]);
    assert_eq!(v["attestations"][2]["timeWitness"], "transparency_log");
    // A certificate identity the bundle does not have: the Sigstore attestation fails the policy.
    let mut wrong = both.to_vec();
    wrong.extend([
        "--cert-identity",
        "https://github.com/someone/else/.github/workflows/x.yml@refs/heads/main",
    ]);
    let out = env.verify(&env.image(), &wrong);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("policy_violation"),
        "{}",
        stderr(&out)
    );
    // Under the bundled public-good root the test Sigstore is not trusted.
    let out = env.verify(
        &env.image(),
        &["--predicate", image::SLSA_V02, "--predicate", CYCLONEDX],
    );
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("tlog_entry_invalid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_accepts_a_github_builder_signature_on_the_attestation_manifest() {
    use opk_testkit::referrers::{bundle_referrer, BUNDLE_V03};
    use opk_testkit::sigstore::{bundle, fulcio, root};
    // BuildKit's unsigned attestations, the attestation manifest signed with cosign.
    let env = Env::new(Mode::Cors, Signing::Unsigned);
    let p = env.fixture.platform(PLATFORMS[0]);
    let att = p.attestation.as_ref().unwrap();
    let statement = bundle::cosign_sign_statement(&att.digest()["sha256:".len()..]);
    let (m, layer) = bundle_referrer(
        bundle::dsse(&statement, &fulcio::Identity::demo(), 1_796_601_600),
        att,
    );
    let root_file = env.dir.path().join("test-sigstore.json");
    std::fs::write(&root_file, root::trusted_root()).unwrap();
    let root_path = root_file.display().to_string();
    let out = env.verify(&env.image(), &["--trusted-root", &root_path]);
    assert_exit(&out, 1); // unsigned until the manifest is signed
    assert!(stderr(&out).contains("unsigned"), "{}", stderr(&out));
    env.reg
        .push_referrers(REPO, att, &[(&m, &[&layer], BUNDLE_V03)]);
    let out = env.verify(&env.image(), &["--trusted-root", &root_path]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "Verifying the signature on attestation manifest {} (Sigstore signature, found in the referrers tag)",
            att.digest()
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "Verified attestation refers to digest {}",
        p.manifest.digest()
    )));
}

/// `opk verify` of an image whose linux/amd64 bundle (signed 2026-12-07T00:00:00Z, its log
/// entry without a SET) the test authority stamped `stamped_after` seconds later.
fn verify_timestamped(stamped_after: i64, extra: &[&str]) -> Output {
    use opk_testkit::sigstore::bundle::{self, Timing};
    use opk_testkit::sigstore::{fulcio, root};
    let env = Env::new(Mode::Cors, Signing::NoAttestations);
    let amd = &env.fixture.platform(PLATFORMS[0]).manifest;
    let statement = image::statement(
        image::SLSA_V02,
        "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64",
        &amd.digest()["sha256:".len()..],
    );
    let at = 1_796_601_600;
    let timing = Timing::Authority(at + stamped_after);
    let bundle = bundle::dsse_timed(&statement, &fulcio::Identity::demo(), at, timing);
    env.reg.push_bundle_referrer(REPO, amd, bundle);
    let root_file = env.dir.path().join("test-sigstore.json");
    std::fs::write(&root_file, root::trusted_root()).unwrap();
    let root_path = root_file.display().to_string();
    let mut args = vec!["--trusted-root", &root_path, "--platform", PLATFORMS[0]];
    args.extend_from_slice(extra);
    env.verify(&env.image(), &args)
}

#[test]
fn verify_takes_a_bundles_time_from_its_timestamp_authority() {
    let out = verify_timestamped(5, &[]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("✓ Verified RFC 3161 timestamp 2026-12-07T00:00:05Z"),
        "{text}"
    );
    // The JSON names the time and what vouches for it.
    let out = verify_timestamped(5, &["--json"]);
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &v["attestations"][0];
    assert_eq!(a["signedAt"], serde_json::json!(["2026-12-07T00:00:05Z"]));
    assert_eq!(a["timeWitness"], "timestamp_authority");
    assert_eq!(a["timestamps"], 1);
    // Stamped after the ten-minute certificate expired: refused at that time.
    let out = verify_timestamped(601, &[]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("outside_validity"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_checks_cosign_v2_tags_and_names_the_scheme() {
    use opk_testkit::sigstore::{cosign_tag, fulcio, root};
    let env = Env::new(Mode::Cors, Signing::NoAttestations);
    let p = env.fixture.platform(PLATFORMS[0]);
    let hex = &p.manifest.digest()["sha256:".len()..];
    let at = 1_796_601_600;
    let payload = cosign_tag::simple_signing(hex, &format!("{}/{REPO}", env.reg.addr));
    let sig = cosign_tag::signature(&payload, &fulcio::Identity::demo(), at);
    let slsa_v1 = "https://slsa.dev/provenance/v1";
    let st = image::statement(slsa_v1, "pkg:docker/openpubkey/demo", hex);
    let att = cosign_tag::attestation(&st, &fulcio::Identity::demo(), at);
    env.reg.push_cosign_tag(REPO, &p.manifest, "sig", &[sig]);
    env.reg.push_cosign_tag(REPO, &p.manifest, "att", &[att]);
    let root_file = env.dir.path().join("test-sigstore.json");
    std::fs::write(&root_file, root::trusted_root()).unwrap();
    let root_path = root_file.display().to_string();
    let out = env.verify(
        &env.image(),
        &["--trusted-root", &root_path, "--predicate", slsa_v1],
    );
    assert_exit(&out, 0);
    let text = stdout(&out);
    for line in [
        "Verifying image signature (cosign v2 signature, found in a cosign tag)".to_owned(),
        format!("Verifying {slsa_v1} attestation (cosign v2 signature, found in a cosign tag)"),
        format!(
            "  ✓ Verified the signed payload names {}",
            p.manifest.digest()
        ),
    ] {
        assert!(text.contains(&line), "{text}");
    }
    // The same signatures under another owner's policy: refused, naming the rule.
    let jwks = env.jwks();
    let image_ref = env.image();
    let out = opk(&[
        "verify",
        &image_ref,
        "--jwks",
        &jwks,
        "--trusted-root",
        &root_path,
        "--repo-owner-id",
        "1",
    ]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("policy_violation"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn opk_proxy_answers_beside_idle_connections() {
    use std::io::{Read as _, Write as _};
    // A browser preconnects sockets it may never use; each used to hold one of the proxy's
    // pooled threads while new connections queued behind them (tiny_http), so a page's real
    // requests could wait forever.
    let proxy = OpkProxy::start(&["127.0.0.1:1"]);
    let addr = proxy.url.trim_start_matches("http://").to_owned();
    let _idle: Vec<std::net::TcpStream> = (0..16)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer.ends_with("opk proxy: GET /<registry-host>/v2/...\n"),
        "{answer}"
    );
}

#[test]
fn ls_lists_the_layers_and_a_layers_files_streamed_and_checked() {
    let env = Env::new(Mode::Plain, Signing::Unsigned);
    let out = opk(&["ls", &env.image(), "--platform", "linux/arm64"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&env.fixture.platform("linux/arm64").manifest.bytes).unwrap();
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    assert!(text.starts_with(&layer), "{text}");
    assert!(
        text.trim_end()
            .ends_with("application/vnd.oci.image.layer.v1.tar+gzip"),
        "{text}"
    );

    let out = opk(&["ls", &env.image(), "--platform", "linux/arm64", &layer]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(lines[0], "drwxr-xr-x 0 etc");
    assert_eq!(lines[1], "-rw-r--r-- 41 etc/os-release");
    assert_eq!(lines[3], "lrwxrwxrwx 0 bin/hi -> /hello");
    assert_eq!(lines[4], "-rw-r--r-- 0 var/cache/.wh.old (whiteout)");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("5 entries; layer digest {layer} verified")));

    // A proxy that changes a byte: the listing fails its digest (exit 1) and says so.
    let proxy = HostileProxy::start(vec![Lie::FlipBlobByte(layer.clone())]);
    let out = opk(&[
        "ls",
        &env.image(),
        "--platform",
        "linux/arm64",
        &layer,
        "--proxy",
        &proxy.url,
    ]);
    assert_eq!(out.status.code(), Some(1));
    // The flipped byte breaks the tar too; the digest, checked over the whole layer, is the
    // fault reported.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("digest_mismatch"), "{err}");
    assert!(!err.contains("layer_tar_invalid"), "{err}");
    // Not a layer of the image.
    let out = opk(&["ls", &env.image(), &format!("sha256:{}", "0".repeat(64))]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ls_lists_a_zstd_layer_from_the_reference_encoder() {
    // crates/layer/tests/data/layer.tar.zst: written by `zstd -19 --check` (its README).
    let env = Env::new(Mode::Plain, Signing::Unsigned);
    let layer = image::Blob::new(
        "application/vnd.oci.image.layer.v1.tar+zstd",
        include_bytes!("../../layer/tests/data/layer.tar.zst").to_vec(),
    );
    let config = image::Blob::new(
        "application/vnd.oci.image.config.v1+json",
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec(),
    );
    let manifest = image::image_manifest(&config, &[&layer]);
    env.reg.push_blob(REPO, &config);
    env.reg.push_blob(REPO, &layer);
    env.reg.push_manifest(REPO, "zstd", &manifest);
    let image_ref = format!("{}/{REPO}:zstd", env.reg.addr);
    let out = opk(&["ls", &image_ref, &layer.digest()]);
    assert_exit(&out, 0);
    let lines: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "drwxr-xr-x 0 usr/share/doc",
            "-rw-r--r-- 334890 usr/share/doc/lines.txt",
            "-rw-r--r-- 16384 usr/lib/noise.bin",
            "-rw-r--r-- 22 etc/motd",
        ]
    );
    assert!(stderr(&out).contains(&format!(
        "4 entries; layer digest {} verified",
        layer.digest()
    )));
}

#[test]
fn ls_of_a_malformed_layer_says_its_digest_checked() {
    // The registry serves exactly the bytes the manifest names, and they are no gzip: the fault
    // is the layer's own, said after its digest checked over the whole of it.
    let env = Env::new(Mode::Plain, Signing::Unsigned);
    let layer = image::Blob::new(image::OCI_LAYER, vec![b'x'; 100_000]);
    let config = image::Blob::new(
        "application/vnd.oci.image.config.v1+json",
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec(),
    );
    env.reg.push_blob(REPO, &config);
    env.reg.push_blob(REPO, &layer);
    env.reg
        .push_manifest(REPO, "bad", &image::image_manifest(&config, &[&layer]));
    let out = opk(&[
        "ls",
        &format!("{}/{REPO}:bad", env.reg.addr),
        &layer.digest(),
    ]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains(&format!(
        "error: layer_gzip_invalid: the layer's gzip stream is corrupt: not a gzip stream (bad magic bytes) (the layer's digest {} verified: the layer itself is malformed)",
        layer.digest()
    )), "{}", stderr(&out));
}

#[test]
fn the_proxy_streams_blobs_past_max_body_and_refuses_them_past_max_layer() {
    use sha2::{Digest as _, Sha256};
    let env = Env::new(Mode::Plain, Signing::Unsigned);
    // 20 MiB: more than --max-body's 16 MiB default.
    let big = image::Blob::new(
        image::OCI_LAYER,
        (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect(),
    );
    env.reg.push_blob(REPO, &big);
    let url = |proxy: &OpkProxy| {
        format!(
            "{}/{}/v2/{REPO}/blobs/{}",
            proxy.url,
            env.reg.addr,
            big.digest()
        )
    };
    let proxy = OpkProxy::start(&[&env.reg.addr]);
    let mut resp = ureq::get(&url(&proxy)).call().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("transfer-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("chunked")
    );
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    assert_eq!(
        format!("sha256:{}", opk_verify::hex::encode(&Sha256::digest(&body))),
        big.digest()
    );
    // Over --max-layer: refused before anything is streamed.
    let small = OpkProxy::start_with(&[&env.reg.addr], &["--max-layer", "1000"]);
    let resp = ureq::get(&url(&small))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(resp.status(), 502);
}
