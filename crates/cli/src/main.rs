//! `opk`: the OPK Explorer command line. Offline verification of OpenPubkey-signed DSSE
//! envelopes and PK tokens with the same core (`opk-verify`) the web page runs.
//!
//! Exit status: 0 verified; 1 rejected (`error: <code>: <message>` on stderr); 2 usage or input
//! error.

mod args;
mod output;

use std::process::ExitCode;

use opk_verify::UnixTime;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let cmd = match args::parse(&argv) {
        Ok(cmd) => cmd,
        Err(msg) => {
            eprintln!("error: {msg}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let now = UnixTime(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0),
    );
    match cmd {
        args::Command::Help => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        args::Command::Version => {
            println!(
                "opk {} (opk-verify {})",
                env!("CARGO_PKG_VERSION"),
                opk_verify::VERSION
            );
            ExitCode::SUCCESS
        }
        args::Command::Verify(v) => output::run(&v, now),
    }
}
