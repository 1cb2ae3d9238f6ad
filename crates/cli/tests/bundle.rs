//! `opk verify-bundle` against sigstore-conformance's bundles: the bundled public-good root,
//! user-supplied roots and keys labelled so, exit codes (0 verified, 1 refused, 2 usage or
//! input), the JSON shape, and an artifact too large to hold hashed in constant memory.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const C: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../verify/tests/vectors/sigstore-conformance/"
);
const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
/// sha256 of the suite's default artifact, `a.txt`.
const A_TXT_SHA256: &str =
    "sha256:a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

fn opk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(args)
        .output()
        .unwrap()
}

fn case(path: &str) -> String {
    format!("{C}{path}")
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

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn happy(extra: &[&str]) -> Output {
    let bundle = case("happy-path-v0.3/bundle.sigstore.json");
    let mut args = vec!["verify-bundle", &bundle];
    args.extend_from_slice(extra);
    opk(&args)
}

#[test]
fn a_public_good_bundle_verifies_from_its_artifact_or_its_digest() {
    let artifact = case("a.txt");
    for given in [["--artifact", &artifact], ["--digest", A_TXT_SHA256]] {
        let out = happy(&[given[0], given[1], "--cert-identity", BEACON]);
        assert_exit(&out, 0);
        let text = stdout(&out);
        assert!(
            text.contains(
                "✓ Verified transparency log entry 79571823 in https://rekor.sigstore.dev"
            ),
            "{text}"
        );
        assert!(text.contains(&format!("✓ Certificate identity {BEACON} issued by https://token.actions.githubusercontent.com")), "{text}");
        assert!(text.ends_with("Verified successfully (Sigstore, trusted root: Sigstore public good (bundled, taken 2026-12-07))\n"), "{text}");
        assert!(!text.contains('✗'), "{text}");
    }
}

/// GitHub's claims, from the certificate's Fulcio extensions, are rules as for OpenPubkey.
#[test]
fn github_claims_are_identity_rules() {
    let artifact = case("a.txt");
    let out = happy(&[
        "--artifact",
        &artifact,
        "--repo-owner-id",
        "131804563",
        "--repository",
        "sigstore-conformance/extremely-dangerous-public-oidc-beacon",
        "--ref",
        "refs/heads/main",
    ]);
    assert_exit(&out, 0);
}

#[test]
fn json_names_the_signer_the_root_and_every_check() {
    let artifact = case("a.txt");
    let out = happy(&["--artifact", &artifact, "--cert-identity", BEACON, "--json"]);
    assert_exit(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verified"], true);
    assert_eq!(doc["scheme"], "sigstore");
    let bundle = &doc["bundle"];
    assert_eq!(bundle["version"], "V03");
    assert_eq!(bundle["signer"]["kind"], "certificate");
    assert_eq!(bundle["signer"]["identity"]["san"], BEACON);
    assert_eq!(
        bundle["trusted_root"],
        "Sigstore public good (bundled, taken 2026-12-07)"
    );
    let checks = bundle["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in [
        "bundle.parse",
        "signature",
        "tlog",
        "certificate.chain",
        "certificate.identity",
    ] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    assert!(checks.iter().all(|c| c["ok"] == true));
}

#[test]
fn refusals_exit_1_naming_their_fault() {
    let wrong_artifact = case("happy-path-v0.3/README");
    let a_txt = case("a.txt");
    let other_identity = format!("{BEACON}x");
    let wrong_digest = format!("sha256:{}", "0".repeat(64));
    let cases: [(Vec<&str>, &str, &str); 5] = [
        (
            vec![
                "--artifact",
                &a_txt,
                "--repository",
                "sigstore-conformance/other",
            ],
            "error: policy_violation: ",
            "✗ policy violation: repository: expected \"sigstore-conformance/other\"",
        ),
        (
            vec!["--artifact", &wrong_artifact, "--cert-identity", BEACON],
            "error: digest_mismatch: ",
            "✗ digest mismatch",
        ),
        (
            vec!["--digest", &wrong_digest, "--cert-identity", BEACON],
            "error: digest_mismatch: ",
            "✗ digest mismatch",
        ),
        (
            vec!["--artifact", &a_txt, "--cert-identity", &other_identity],
            "error: policy_violation: ",
            "✗ policy violation: certificate identity",
        ),
        (
            vec![
                "--artifact",
                &a_txt,
                "--cert-identity",
                BEACON,
                "--cert-oidc-issuer",
                "https://accounts.google.com",
            ],
            "error: issuer_not_allowed: ",
            "is not allowed by the policy",
        ),
    ];
    for (args, err, line) in cases {
        let out = happy(&args);
        assert_exit(&out, 1);
        assert!(stderr(&out).starts_with(err), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains(line), "{args:?}: {}", stdout(&out));
        // Refused in JSON too, with the same code.
        let mut json = args.clone();
        json.push("--json");
        let out = happy(&json);
        assert_exit(&out, 1);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["verified"], false, "{doc}");
        let code = err.trim_start_matches("error: ").trim_end_matches(": ");
        assert_eq!(doc["error"]["code"], code, "{doc}");
    }
}

#[test]
fn user_supplied_trust_is_labelled_so() {
    let out = opk(&[
        "verify-bundle",
        &case("intoto-with-custom-trust-root/bundle.sigstore.json"),
        "--artifact",
        &case("intoto-with-custom-trust-root/artifact"),
        "--trusted-root",
        &case("intoto-with-custom-trust-root/trusted_root.json"),
        "--cert-identity",
        BEACON,
    ]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out)
            .ends_with("intoto-with-custom-trust-root/trusted_root.json (user-supplied trust))\n"),
        "{}",
        stdout(&out)
    );
    // The same bundle under the bundled root: its log is not the public-good one.
    let out = opk(&[
        "verify-bundle",
        &case("intoto-with-custom-trust-root/bundle.sigstore.json"),
        "--artifact",
        &case("intoto-with-custom-trust-root/artifact"),
        "--cert-identity",
        BEACON,
    ]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).starts_with("error: tlog_entry_invalid: "),
        "{}",
        stderr(&out)
    );

    let key = case("managed-key-happy-path/key.pub");
    let out = opk(&[
        "verify-bundle",
        &case("managed-key-happy-path/bundle.sigstore.json"),
        "--artifact",
        &case("a.txt"),
        "--key",
        &key,
    ]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(&format!("✓ Signed by the key {key} (user-supplied trust)")),
        "{}",
        stdout(&out)
    );
    // A certificate-signed bundle is not signed by the key.
    let out = happy(&["--artifact", &case("a.txt"), "--key", &key]);
    assert_exit(&out, 1);
}

#[test]
fn usage_and_input_errors_exit_2() {
    let a_txt = case("a.txt");
    let not_a_root = case("happy-path-v0.3/bundle.sigstore.json");
    let cases: [(Vec<&str>, &str); 6] = [
        // Neither the artifact nor its digest.
        (vec!["--cert-identity", BEACON], "required"),
        (
            vec!["--digest", "sha256:ABCD", "--cert-identity", BEACON],
            "lowercase hex",
        ),
        (
            vec!["--digest", "md5:00", "--cert-identity", BEACON],
            "sha256:, sha384: or sha512:",
        ),
        // No identity: never "any signer".
        (vec!["--artifact", &a_txt], "invalid_policy: "),
        (
            vec!["--artifact", "/nonexistent/file", "--cert-identity", BEACON],
            "reading /nonexistent/file",
        ),
        (
            vec![
                "--artifact",
                &a_txt,
                "--cert-identity",
                BEACON,
                "--trusted-root",
                &not_a_root,
            ],
            "trusted_root_invalid: ",
        ),
    ];
    for (args, says) in cases {
        let out = happy(&args);
        assert_exit(&out, 2);
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    let out = opk(&[
        "verify-bundle",
        "-",
        "--artifact",
        "-",
        "--cert-identity",
        BEACON,
    ]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("cannot both be standard input"));
}

/// An artifact larger than the CLI holds (64 MiB) is hashed as it is read: a 256 MiB sparse
/// file costs far less memory than its size, and the refusal names its real digest.
#[test]
fn a_huge_artifact_is_hashed_in_constant_memory() {
    let dir = std::env::temp_dir().join(format!("opk-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(256 << 20).unwrap();
    drop(file);
    let bundle = case("happy-path-v0.3/bundle.sigstore.json");
    let child = Command::new(env!("CARGO_BIN_EXE_opk"))
        .args([
            "verify-bundle",
            &bundle,
            "--artifact",
            path.to_str().unwrap(),
            "--cert-identity",
            BEACON,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let start = Instant::now();
    let mut peak = 0u64;
    let mut child = child;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            {
                peak = peak.max(kb * 1024);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "still hashing");
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status.code(), Some(1), "{err}");
    // sha256 of 256 MiB of zero bytes.
    assert!(err.starts_with("error: digest_mismatch: "), "{err}");
    assert!(
        err.contains("got a6d72ac7690f53be6ae46ba88506bd97302a093f7108472bd9efc3cefda06484"),
        "{err}"
    );
    // It holds at most 64 MiB before it gives up holding: far below the file's 256 MiB.
    assert!(
        peak < 96 << 20,
        "peak memory {peak} B for a 256 MiB artifact"
    );
}

/// A DSSE bundle about an image names its manifest digest as the statement's subject:
/// `--subject-digest` (or `--digest`) says which; one way of naming the artifact only.
#[test]
fn a_dsse_bundle_binds_its_subject_digest() {
    let bundle = case("happy-path-intoto-in-dsse-v3/bundle.sigstore.json");
    for flag in ["--subject-digest", "--digest"] {
        let out = opk(&[
            "verify-bundle",
            &bundle,
            flag,
            A_TXT_SHA256,
            "--cert-identity",
            BEACON,
        ]);
        assert_exit(&out, 0);
        assert!(stdout(&out).contains("✓ Verified the DSSE signature over the envelope (PAE)"));
    }
    let other = format!("sha256:{}", "1".repeat(64));
    let out = opk(&[
        "verify-bundle",
        &bundle,
        "--subject-digest",
        &other,
        "--cert-identity",
        BEACON,
    ]);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).starts_with("error: subject_mismatch: "),
        "{}",
        stderr(&out)
    );
    let a_txt = case("a.txt");
    let out = opk(&[
        "verify-bundle",
        &bundle,
        "--artifact",
        &a_txt,
        "--subject-digest",
        A_TXT_SHA256,
        "--cert-identity",
        BEACON,
    ]);
    assert_exit(&out, 2);
}

/// `--instance github` selects the bundled GitHub root: GitHub's timestamp authority and CA
/// verify its release attestation, which then has no OIDC identity to satisfy a policy.
#[test]
fn the_github_instance_is_bundled_too() {
    let bundle = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../verify/tests/vectors/github-release/github_release_bundle.json"
    );
    let subject = "sha256:e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3";
    let out = opk(&[
        "verify-bundle",
        bundle,
        "--subject-digest",
        subject,
        "--instance",
        "github",
        "--any-identity-unsafe",
    ]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains(
            "✓ Verified the certificate chain to fulcio.githubapp.com at every verified time"
        ),
        "{text}"
    );
    assert!(stderr(&out).starts_with("error: certificate_invalid: "));
    let root = case("intoto-with-custom-trust-root/trusted_root.json");
    let out = opk(&[
        "verify-bundle",
        bundle,
        "--subject-digest",
        subject,
        "--instance",
        "github",
        "--trusted-root",
        &root,
        "--any-identity-unsafe",
    ]);
    assert_exit(&out, 2);
}

/// A reader that goes away (`opk … | head -c 10`) costs the rest of the report, never a panic:
/// the exit status still says the bundle verified.
#[test]
fn a_closed_standard_output_keeps_the_verdict() {
    let bundle = case("happy-path-v0.3/bundle.sigstore.json");
    let artifact = case("a.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
        .args([
            "verify-bundle",
            &bundle,
            "--artifact",
            &artifact,
            "--cert-identity",
            BEACON,
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before opk writes its report.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
