//! `opk verify-envelope` on OpenPubkey Ext envelopes: verified with their Rekor entry under the
//! trusted root given (labelled user-supplied) or the bundled public-good root, exit 0/1/2.

use std::process::{Command, Output};

use opk_testkit::ext_forge;
use opk_testkit::forge::{Client, TestOp, STATEMENT};

const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

fn opk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opk"))
        .args(args)
        .output()
        .unwrap()
}

struct Files {
    dir: std::path::PathBuf,
}

impl Files {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("opk-ext-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let op = TestOp::new();
        std::fs::write(
            dir.join("ext.json"),
            ext_forge::envelope(&op, &Client::new(), STATEMENT.as_bytes()),
        )
        .unwrap();
        std::fs::write(dir.join("root.json"), ext_forge::trusted_root()).unwrap();
        std::fs::write(dir.join("jwks.json"), op.jwks()).unwrap();
        Self { dir }
    }
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn an_ext_envelope_verifies_with_its_log() {
    let f = Files::new();
    let (env, root, jwks) = (f.path("ext.json"), f.path("root.json"), f.path("jwks.json"));
    let base = [
        "verify-envelope",
        env.as_str(),
        "--subject-digest",
        SUBJECT,
        "--jwks",
        jwks.as_str(),
        "--repo-owner-id",
        "145685596",
    ];
    let mut args = base.to_vec();
    args.extend(["--trusted-root", root.as_str()]);
    let out = opk(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!(
            "✓ Verified transparency log entry {} in {} (trusted root: {root} (user-supplied trust))",
            opk_testkit::sigstore::rekor::ENTRY_INDEX,
            ext_forge::LOG_URL
        )),
        "{text}"
    );
    assert!(text.contains("✓ Verified the logged certificate carries this PK token"));
    args.push("--json");
    let doc: serde_json::Value = serde_json::from_slice(&opk(&args).stdout).unwrap();
    assert_eq!(doc["verified"], true);
    assert_eq!(doc["log"]["log"], ext_forge::LOG_URL);
    assert_eq!(doc["log"]["integrated_time"], ext_forge::INTEGRATED_TIME);

    // Under the bundled public-good root, the test log is unknown: refused, exit 1.
    let out = opk(&base);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: tlog_entry_invalid: transparency log entry invalid: the entry's log is not in the trusted root"),
        "{err}"
    );
    // An unreadable root is an input error, exit 2.
    let mut args = base.to_vec();
    args.extend(["--trusted-root", "/nonexistent/root.json"]);
    assert_eq!(opk(&args).status.code(), Some(2));
}
