//! `opk`: the OPK Explorer command line, on the same core (`opk-verify`) and registry client
//! (`opk-registry`) the web page runs.
//!
//! Exit status: 0 verified; 1 rejected (`error: <code>: <message>` on stderr); 2 usage error,
//! unreadable input or unreachable registry.

/// `println!` that ignores a closed standard output (`opk verify … | head -1`): the rest of the
/// report is dropped, and the exit status still reports the verdict — never a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod args;
mod bundle;
mod dev_op;
mod dev_op_login;
mod form;
mod image_store;
mod image_verify;
mod input;
mod inspect;
mod issuer_key;
mod ls;
mod offline;
mod oidc;
mod oidc_login;
mod opk_signer;
mod policy;
mod proxy;
mod proxy_origins;
mod remote;
mod sign_image;
mod statements;

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
        args::Command::Ls(l) => ls::run(l),
        args::Command::VerifyEnvelope(v) => offline::envelope(v, now),
        args::Command::VerifyToken(v) => offline::token(v, now),
        args::Command::VerifyBundle(v) => bundle::run(v, now),
        args::Command::Proxy(p) => proxy::run(p),
        args::Command::Sign(s) => sign_image::run(s, now),
        args::Command::DevOp(d) => dev_op::run(d),
    }
}

/// Prints `error: <msg>` and exits 2.
pub(crate) fn input_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// Prints checks as `✓`/`✗` lines.
pub(crate) fn print_checks(checks: &[Check], indent: &str) {
    for c in checks {
        outln!("{indent}{} {}", if c.ok { "✓" } else { "✗" }, c.message);
    }
}
