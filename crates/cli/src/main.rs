//! `opk`: the OPK Explorer command line, on the same core (`opk-verify`) and registry client
//! (`opk-registry`) the web page runs.
//!
//! Exit status: 0 verified; 1 rejected (`error: <code>: <message>` on stderr); 2 usage error,
//! unreadable input or unreachable registry.

mod args;
mod dev_op;
mod dev_op_login;
mod form;
mod image_store;
mod image_verify;
mod inspect;
mod issuer_key;
mod offline;
mod oidc;
mod oidc_login;
mod opk_signer;
mod policy;
mod proxy;
mod remote;
mod sign_image;
mod statements;

use std::io::Read as _;
use std::process::ExitCode;

use clap::Parser as _;
use opk_verify::{Check, UnixTime};

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let now = UnixTime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    );
    match &cli.command {
        args::Command::Verify(v) => image_verify::run(v, now),
        args::Command::Inspect(i) => inspect::run(i),
        args::Command::VerifyEnvelope(v) => offline::envelope(v, now),
        args::Command::VerifyToken(v) => offline::token(v, now),
        args::Command::Proxy(p) => proxy::run(p),
        args::Command::Sign(s) => sign_image::run(s, now),
        args::Command::DevOp(d) => dev_op::run(d),
    }
}

/// Reads a file, or standard input for `-`.
pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))
}

/// Prints `error: <msg>` and exits 2.
pub(crate) fn input_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// Prints checks as `✓`/`✗` lines.
pub(crate) fn print_checks(checks: &[Check], indent: &str) {
    for c in checks {
        println!("{indent}{} {}", if c.ok { "✓" } else { "✗" }, c.message);
    }
}
