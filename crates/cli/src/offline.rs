//! `verify-envelope` and `verify-token`: offline verification of one file, printing the
//! checklist (or one JSON object). An OpenPubkey Ext envelope (its signature carries the PK
//! token and a Rekor entry) is verified with its log, under a Sigstore trusted root.

use std::process::ExitCode;

use opk_verify::{Check, ExpectedSubject, Rejected, UnixTime};
use serde_json::Value;

use crate::args::{VerifyEnvelope, VerifyToken};
use crate::input::read_bounded;
use crate::policy::{self, Need};
use crate::{input_error, print_checks};
use opk_verify::limits::Limit;

/// Runs `verify-envelope`.
pub fn envelope(v: &VerifyEnvelope, now: UnixTime) -> ExitCode {
    let (trust, policy) = match policy::build(&v.trust, &v.identity, &[], Need::Identity) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    // More than the limit comes back cut at limit + 1: the core refuses it with limit_exceeded.
    let bytes = match read_bounded(&v.file, Limit::EnvelopeBytes) {
        Ok(b) => b,
        Err(e) => return input_error(&e),
    };
    let mut subject = ExpectedSubject::digest(v.subject_digest.clone());
    if let Some(name) = &v.subject_name {
        subject = subject.with_name(name.clone());
    }
    if opk_verify::opk_ext::has_extension(&bytes) {
        let root = match crate::bundle::trusted_root(
            v.trusted_root.as_deref(),
            crate::args::Instance::PublicGood,
        ) {
            Ok(r) => r,
            Err(e) => return input_error(&e),
        };
        let result =
            opk_verify::opk_ext::verify_ext_envelope(&bytes, subject, &trust, &root, &policy, now)
                .map(|ok| {
                    (
                        ok.checks.clone(),
                        opk_pipeline::report::ext_envelope_json(&ok),
                    )
                });
        return finish(result, v.json);
    }
    let result = opk_verify::verify_envelope(&bytes, subject, &trust, &policy, now)
        .map(|ok| (ok.checks.clone(), opk_pipeline::report::envelope_json(&ok)));
    finish(result, v.json)
}

/// Runs `verify-token`.
pub fn token(v: &VerifyToken, now: UnixTime) -> ExitCode {
    let (trust, policy) = match policy::build(&v.trust, &v.identity, &[], Need::Nothing) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    // PK tokens and JWTs share one limit; more comes back cut, for the core to refuse.
    let bytes = match read_bounded(&v.file, Limit::PkTokenBytes) {
        Ok(b) => b,
        Err(e) => return input_error(&e),
    };
    let result = opk_verify::verify_token(&bytes, &trust, &policy, now)
        .map(|ok| (ok.checks.clone(), opk_pipeline::report::token_json(&ok)));
    finish(result, v.json)
}

fn finish(result: Result<(Vec<Check>, Value), Rejected>, as_json: bool) -> ExitCode {
    match result {
        Ok((checks, doc)) => {
            if as_json {
                outln!("{doc}");
            } else {
                print_checks(&checks, "");
                outln!("Verified successfully");
            }
            ExitCode::SUCCESS
        }
        Err(rejected) => {
            if as_json {
                outln!("{}", opk_pipeline::report::rejected_json(&rejected));
            } else {
                print_checks(&rejected.checks, "");
            }
            let error = &rejected.error;
            eprintln!("error: {}: {error}", error.code());
            ExitCode::from(1)
        }
    }
}
