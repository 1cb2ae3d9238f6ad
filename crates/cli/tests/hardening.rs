//! The second hardening round, through the `opk` binary: bounded reads of every input (an
//! endless pipe or FIFO is cut at its limit, with memory bounded, never read to the end), empty
//! identity rules refused, and inputs refused with the error that names their real fault.

use std::io::Write as _;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const V: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../verify/tests/vectors/");
const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

fn opk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(args)
        .output()
        .unwrap()
}

fn vector(name: &str) -> String {
    format!("{V}{name}")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The peak resident memory of a running process so far (`VmHWM`), in bytes.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Waits for `child` at most `limit`, sampling its peak memory; kills it and fails on timeout.
fn wait_bounded(mut child: Child, limit: Duration) -> (std::process::ExitStatus, u64, String) {
    let start = Instant::now();
    let mut peak = 0;
    loop {
        if let Some(p) = peak_rss(child.id()) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (status, peak, err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("opk still reading after {limit:?} (peak {peak} B): the input is not bounded");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Writes an endless stream of `byte` into `w` until the reader goes away.
fn endless(mut w: impl std::io::Write + Send + 'static, byte: u8) {
    std::thread::spawn(move || {
        let chunk = vec![byte; 1 << 20];
        while w.write_all(&chunk).is_ok() {}
    });
}

/// An endless pipe on standard input: `verify-envelope -` reads 16 MiB + 1 bytes and refuses
/// them with limit_exceeded (exit 1, as for any oversized envelope), with memory bounded by the
/// limit — never reading to the end (it has none) or growing with the input.
#[test]
fn an_endless_envelope_on_standard_input_is_cut_at_its_limit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
        .args([
            "verify-envelope",
            "-",
            "--subject-digest",
            SUBJECT,
            "--any-identity-unsafe",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    endless(child.stdin.take().unwrap(), b' ');
    let (status, peak, err) = wait_bounded(child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: limit_exceeded: "), "{err}");
    assert!(err.contains("DSSE envelope bytes"), "{err}");
    assert!(peak < 96 << 20, "peak RSS {peak} B for a 16 MiB limit");
}

/// The same for a token on standard input (the PK-token limit covers JWTs too).
#[test]
fn an_endless_token_on_standard_input_is_cut_at_its_limit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(["verify-token", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    endless(child.stdin.take().unwrap(), b'A');
    let (status, _, err) = wait_bounded(child, Duration::from_secs(60));
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("limit_exceeded") && err.contains("PK token bytes"),
        "{err}"
    );
}

/// A FIFO that never ends, as each file argument: the key set, the statements `opk sign`
/// reads, the dev issuer's claims and key. Each is cut at its own limit and refused with
/// limit_exceeded naming it (exit 2: an input error, before any network or signing).
#[test]
fn every_file_argument_is_cut_at_its_limit() {
    let dir = std::env::temp_dir().join(format!("opk-hardening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let envelope = vector("dsse_provenance.json");
    let cases: [(&str, Vec<&str>, &str); 5] = [
        (
            "jwks",
            vec![
                "verify-envelope",
                &envelope,
                "--subject-digest",
                SUBJECT,
                "--any-identity-unsafe",
                "--jwks",
            ],
            "JWKS bytes",
        ),
        (
            "provenance",
            vec![
                "sign",
                "127.0.0.1:1/x:y",
                "--oci-layout",
                "/nonexistent",
                "--provenance",
            ],
            "in-toto statement bytes",
        ),
        (
            "sbom",
            vec![
                "sign",
                "127.0.0.1:1/x:y",
                "--oci-layout",
                "/nonexistent",
                "--sbom",
            ],
            "in-toto statement bytes",
        ),
        (
            "claims",
            vec!["dev-op", "--listen", "127.0.0.1:0", "--claims"],
            "claims file bytes",
        ),
        (
            "key",
            vec!["dev-op", "--listen", "127.0.0.1:0", "--key"],
            "key file bytes",
        ),
    ];
    for (name, args, limit) in cases {
        let fifo = dir.join(name);
        let _ = std::fs::remove_file(&fifo);
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let path = fifo.to_str().unwrap().to_owned();
        let mut full = args.clone();
        full.push(&path);
        let child = Command::new(env!("CARGO_BIN_EXE_opk"))
            .args(&full)
            .env("OPK_OIDC_TOKEN", "unused")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let writer = std::thread::spawn(move || {
            // Opening blocks until opk opens the FIFO for reading (or fails first).
            if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&fifo) {
                let mut f = std::io::BufWriter::new(f);
                let chunk = vec![b'{'; 1 << 16];
                while f.write_all(&chunk).is_ok() {}
            }
        });
        let (status, _, err) = wait_bounded(child, Duration::from_secs(60));
        assert!(
            err.contains("limit_exceeded") && err.contains(limit),
            "{name}: {err}"
        );
        assert_eq!(status.code(), Some(2), "{name}: {err}");
        let _ = writer.join();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// An empty identity rule — a script's unset variable — is a usage error, never a rule that a
/// token without the claim satisfies ("✓ Verified repository owner").
#[test]
fn empty_identity_rules_are_usage_errors() {
    for flag in ["--repo-owner-id", "--repository", "--ref", "--workflow-ref"] {
        let out = opk(&[
            "verify-envelope",
            &vector("dsse_provenance.json"),
            "--subject-digest",
            SUBJECT,
            "--jwks",
            &vector("synthetic_op_jwks.json"),
            flag,
            "",
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("invalid_policy"),
            "{flag}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("is empty"),
            "{flag}: {}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("Verified"), "{flag}");
    }
}

/// Malformed arguments are usage errors (exit 2), not rejections (exit 1).
#[test]
fn malformed_subject_arguments_are_usage_errors() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify-envelope",
            V,
            "--jwks",
            "unused.json",
            "--repo-owner-id",
            "1",
        ];
        args.extend_from_slice(extra);
        opk(&args)
    };
    for digest in [
        "sha256:abc",
        "sha512:00",
        &SUBJECT.to_uppercase(),
        "",
        "sha256:",
    ] {
        let out = run(&["--subject-digest", digest]);
        assert_eq!(out.status.code(), Some(2), "{digest:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--subject-digest"),
            "{}",
            stderr(&out)
        );
    }
    let out = run(&[
        "--subject-digest",
        SUBJECT,
        "--subject-name",
        "pkg:docker/a@v1%G1",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--subject-name"), "{}", stderr(&out));
}

/// Tokens get the error that names their real fault: white space around a JSON or compact PK
/// token is not part of it; a space inside a signature segment is a base64 error, not an
/// invalid signature.
#[test]
fn token_errors_name_their_real_fault() {
    let dir = std::env::temp_dir().join(format!("opk-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let google = std::fs::read_to_string(vector(
        "google_pktoken_2023-05-29_openpubkey_initial_commit_ca_test.compact",
    ))
    .unwrap();
    let google = google.trim();
    let run = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        opk(&[
            "verify-token",
            path.to_str().unwrap(),
            "--issuer",
            "https://accounts.google.com",
            "--jwks",
            &vector("google_jwk_6083dd59_from_sui.json"),
            "--json",
        ])
    };
    for (name, text) in [
        ("trailing-space", format!("{google} ")),
        ("leading-space", format!("  {google}\n")),
    ] {
        let out = run(name, &text);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    }
    // A space inside the CIC signature (the fifth segment: P:OPPH:OPSIG:CICPH:CICSIG:…) is a
    // base64 error.
    let mut parts: Vec<String> = google.split(':').map(str::to_owned).collect();
    parts[4].insert(10, ' ');
    let out = run("space-in-sig", &parts.join(":"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let code =
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["error"]["code"].clone();
    assert_eq!(code, "bad_base64", "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A JSON PK token with leading white space is parsed as JSON (it was counted as a compact
/// token's segments and refused as limit_exceeded).
#[test]
fn a_json_pk_token_with_leading_white_space_is_json() {
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vector("dsse_provenance.json")).unwrap()).unwrap();
    let sig = envelope["signatures"][0]["sig"].as_str().unwrap();
    let token = opk_verify::b64::decode_dsse(sig, "sig").unwrap();
    let path = std::env::temp_dir().join(format!("opk-json-pkt-{}", std::process::id()));
    std::fs::write(&path, [b"\n  ".as_slice(), &token].concat()).unwrap();
    let out = opk(&[
        "verify-token",
        path.to_str().unwrap(),
        "--jwks",
        &vector("synthetic_op_jwks.json"),
        "--json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A plain ID token signed no attestation digest: its GitHub run line says what it is.
#[test]
fn a_plain_id_token_is_not_said_to_sign_an_attestation() {
    let out = opk(&[
        "verify-token",
        &vector("github_idtoken_2023-12_csas-ops.jwt"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("attestation digest"), "{text}");
    assert!(
        text.contains("Verified ID token was issued to a GitHub Actions run: https://github.com/"),
        "{text}"
    );
}
