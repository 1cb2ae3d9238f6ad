//! The `opk` binary against the vectors: exit codes, checklist, JSON shape and error lines.

use std::process::{Command, Output};

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

/// Asserts the exit code, showing stderr when it differs.
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn verify_envelope_accepts_the_go_reference_f0_vectors() {
    for name in ["dsse_provenance.json", "dsse_spdx.json"] {
        let out = opk(&[
            "verify-envelope",
            &vector(name),
            "--subject-digest",
            SUBJECT,
            "--jwks",
            &vector("synthetic_op_jwks.json"),
            "--repo-owner-id",
            "145685596",
            "--json",
        ]);
        assert_exit(&out, 0);
        let doc = json(&out);
        assert_eq!(doc["verified"], true);
        assert_eq!(doc["format"], "F0");
        assert_eq!(doc["claims"]["repository"], "openpubkey/demo");
        assert_eq!(
            doc["key"]["kid"],
            "SYNTHETIC0000TEST0000KEY0000NOT0000GITHUB"
        );
        assert!(doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true));
    }
}

#[test]
fn verify_envelope_rejects_wrong_owner_with_exit_1() {
    let out = opk(&[
        "verify-envelope",
        &vector("dsse_provenance.json"),
        "--subject-digest",
        SUBJECT,
        "--jwks",
        &vector("synthetic_op_jwks.json"),
        "--repo-owner-id",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: policy_violation: "), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("✗ policy violation: repository_owner_id")
    );
}

#[test]
fn verify_envelope_rejects_wrong_subject_and_unknown_key_in_json() {
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let out = opk(&[
        "verify-envelope",
        &vector("dsse_spdx.json"),
        "--subject-digest",
        other,
        "--jwks",
        &vector("synthetic_op_jwks.json"),
        "--repo-owner-id",
        "145685596",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["verified"], false);
    assert_eq!(doc["error"]["code"], "subject_mismatch");
    let out = opk(&[
        "verify-envelope",
        &vector("dsse_spdx.json"),
        "--subject-digest",
        SUBJECT,
        "--repo-owner-id",
        "145685596",
        "--json",
    ]);
    assert_eq!(json(&out)["error"]["code"], "key_not_found");
}

#[test]
fn verify_token_handles_pk_tokens_and_jwts() {
    let out = opk(&[
        "verify-token",
        &vector("github_idtoken_2023-12_csas-ops.jwt"),
        "--json",
    ]);
    assert_exit(&out, 0);
    assert_eq!(json(&out)["format"], "JWT");
    assert_eq!(
        json(&out)["key"]["source"],
        "bundled GitHub Actions key history"
    );

    let out = opk(&[
        "verify-token",
        &vector("gq_dfa5678_over_real_github_idtoken_2022-08.jwt"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("GQ proof of the RSA signature"));

    let out = opk(&[
        "verify-token",
        &vector("google_pktoken_2023-05-29_openpubkey_initial_commit_ca_test.compact"),
        "--issuer",
        "https://accounts.google.com",
        "--jwks",
        &vector("google_jwk_6083dd59_from_sui.json"),
        "--json",
    ]);
    assert_exit(&out, 0);
    assert_eq!(json(&out)["format"], "Compact2023");

    // The Google token is not from an allowed issuer by default.
    let out = opk(&[
        "verify-token",
        &vector("google_pktoken_2023-05-31_openpubkey_initial_commit_signer_test.compact"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: issuer_not_allowed: "));
}

#[test]
fn usage_and_input_errors_exit_2() {
    assert_eq!(opk(&["verify-envelope", "x.json"]).status.code(), Some(2));
    assert_eq!(opk(&["bogus"]).status.code(), Some(2));
    let out = opk(&["verify-token", "/nonexistent/file.jwt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("reading /nonexistent/file.jwt"));
    assert_eq!(opk(&["--version"]).status.code(), Some(0));
}

/// Every vector through the binary, as its provenance README says: (args, exit code, format or
/// error code in the JSON).
#[test]
fn every_vector_through_the_cli() {
    let synthetic = vector("synthetic_op_jwks.json");
    let google = vector("google_jwk_6083dd59_from_sui.json");
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (
            vec![
                "verify-token".into(),
                vector("github_idtoken_2022-08_stepsecurity.jwt"),
            ],
            0,
            "JWT",
        ),
        (
            vec![
                "verify-token".into(),
                vector("github_idtoken_2023-10_qoomon.jwt"),
            ],
            0,
            "JWT",
        ),
        (
            vec![
                "verify-token".into(),
                vector("github_idtoken_2023-12_csas-ops.jwt"),
            ],
            0,
            "JWT",
        ),
        (
            vec![
                "verify-token".into(),
                vector("gq_dfa5678_over_real_github_idtoken_2022-08.jwt"),
            ],
            0,
            "JWT",
        ),
        (
            vec![
                "verify-token".into(),
                vector("google_pktoken_2023-05-31_openpubkey_initial_commit_signer_test.compact"),
                "--issuer".into(),
                "https://accounts.google.com".into(),
                "--jwks".into(),
                google.clone(),
            ],
            0,
            "Compact2023",
        ),
        // The F1 token's mock OP ("me") published no key, and its header names no kid.
        (
            vec![
                "verify-token".into(),
                vector("signed-attestation_tl_test_pktoken_from_cert_ski.json"),
                "--issuer".into(),
                "me".into(),
            ],
            1,
            "missing_field",
        ),
        (
            vec![
                "verify-envelope".into(),
                vector("dsse_spdx.json"),
                "--subject-digest".into(),
                SUBJECT.into(),
                "--jwks".into(),
                synthetic.clone(),
                "--repository".into(),
                "openpubkey/demo".into(),
            ],
            0,
            "F0",
        ),
    ];
    for (mut args, code, what) in cases {
        args.push("--json".into());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = opk(&refs);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc = json(&out);
        let got = if code == 0 {
            &doc["format"]
        } else {
            &doc["error"]["code"]
        };
        assert_eq!(got, what, "{args:?}");
    }
    // The two RS256 tokens the Go harness's synthetic OP issued, one per line, through stdin.
    let tokens = std::fs::read_to_string(vector("synthetic_op_issued_idtokens.txt")).unwrap();
    for token in tokens.lines().filter(|l| l.starts_with("eyJ")) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_opk"))
            .args(["verify-token", "-", "--jwks", &synthetic, "--json"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(token.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            json(&out)["key"]["kid"],
            "SYNTHETIC0000TEST0000KEY0000NOT0000GITHUB"
        );
    }
}

#[test]
fn subject_name_is_matched_on_request() {
    let base = |name: &str| {
        opk(&[
            "verify-envelope",
            &vector("dsse_provenance.json"),
            "--subject-digest",
            SUBJECT,
            "--subject-name",
            name,
            "--jwks",
            &vector("synthetic_op_jwks.json"),
            "--repo-owner-id",
            "145685596",
            "--json",
        ])
    };
    // Escaped or not, the BuildKit purl matches.
    for name in [
        "pkg:docker/openpubkey/demo@main?platform=linux%2Famd64",
        "pkg:docker/openpubkey/demo@main?platform=linux/amd64",
    ] {
        let out = base(name);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let doc = json(&out);
        assert!(doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "subject.name"));
    }
    let out = base("pkg:docker/openpubkey/demo@main?platform=linux/arm64");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"]["code"], "subject_name_mismatch");
}
