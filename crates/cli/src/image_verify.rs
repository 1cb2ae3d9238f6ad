//! `opk verify IMAGE`: fetch and verify one platform's attestations and signatures (OpenPubkey
//! envelopes, Sigstore bundles), printing `docker verify`'s lines in its order, naming the
//! scheme of any other than OpenPubkey (or one JSON object with an entry per attestation).

use std::process::ExitCode;

use opk_pipeline::{report, verify_image, ImageVerdict, LazySigstoreTrust, VerifyContext};
use opk_registry::Reference;
use opk_verify::intoto::SLSA_PROVENANCE_V02;
use opk_verify::sigstore::SigstoreTrust;
use opk_verify::UnixTime;

use crate::args::VerifyImage;
use crate::policy::{self, Need};
use crate::{input_error, remote};

/// Runs the command.
pub fn run(v: &VerifyImage, now: UnixTime) -> ExitCode {
    let reference = match Reference::parse(&v.image) {
        Ok(r) => r,
        Err(e) => return input_error(&format!("{}: {e}", e.code())),
    };
    let predicates = if v.predicates.is_empty() {
        vec![SLSA_PROVENANCE_V02.to_owned()]
    } else {
        v.predicates.clone()
    };
    let (trust, policy) = match policy::build_with(
        &v.trust,
        &v.identity,
        Some(&v.sigstore),
        &predicates,
        Need::Identity,
    ) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    let sigstore = match crate::bundle::trusted_root(
        v.sigstore.trusted_root.as_deref(),
        v.sigstore.instance,
    ) {
        Ok(root) => LazySigstoreTrust::parsed(SigstoreTrust {
            root,
            keys: Vec::new(),
        }),
        Err(e) => return input_error(&e),
    };
    let client = match remote::client(&v.registry) {
        Ok(c) => c,
        Err(e) => return input_error(&e),
    };
    let cx = VerifyContext {
        trust: &trust,
        sigstore: &sigstore,
        policy: &policy,
        now,
    };
    let result = pollster::block_on(verify_image(&client, &reference, &v.platform, &cx));
    let fetches = client.fetch_log();
    match result {
        Err(e) => {
            if v.json {
                outln!(
                    "{}",
                    report::failure_json(&v.image, &v.platform, &e, &fetches)
                );
            } else {
                outln!("✗ {e}");
            }
            eprintln!("error: {}: {e}", e.code());
            explain(&e);
            ExitCode::from(if e.is_unreachable() { 2 } else { 1 })
        }
        Ok(verdict) => {
            if v.json {
                outln!(
                    "{}",
                    report::verdict_json(&v.image, &reference, &verdict, &fetches)
                );
            } else {
                print_text(&reference, &verdict);
            }
            match &verdict.error {
                None => ExitCode::SUCCESS,
                Some(e) => {
                    eprintln!("error: {}: {e}", e.code());
                    explain(e);
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// What the failure means and what to do, as the page's banner says it (from the typed error).
fn explain(e: &opk_registry::RegistryError) {
    let x = opk_pipeline::explain::explain(e);
    eprintln!("  {}", x.meaning);
    eprintln!("  what to do: {}", x.action);
}

fn print_text(reference: &Reference, v: &ImageVerdict) {
    for line in report::verdict_lines(reference, v) {
        outln!("{}", line.render());
    }
}
