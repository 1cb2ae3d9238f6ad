//! `opk verify IMAGE`: fetch and verify one platform's attestations, printing `docker verify`'s
//! lines in its order (or one JSON object with an entry per attestation).

use std::process::ExitCode;

use opk_registry::{
    verify_image, AttestationFailure, AttestationReport, ImageVerdict, Reference, RegistryError,
};
use opk_verify::intoto::SLSA_PROVENANCE_V02;
use opk_verify::{Check, EnvelopeOutcome, UnixTime};
use serde_json::{json, Value};

use crate::args::VerifyImage;
use crate::policy::{self, Need};
use crate::{input_error, json_out, print_checks, remote};

/// The checks `docker verify` prints, in its order (spec §4.2), by opk-verify check id.
const DOCKER_ORDER: [&str; 8] = [
    "subject",
    "subject.name",
    "op.signature",
    "github.run",
    "policy.repository_owner_id",
    "provenance.revision",
    "provenance.source",
    "provenance.builder",
];

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
    let (trust, policy) = match policy::build(&v.trust, &v.identity, &predicates, Need::Identity) {
        Ok(x) => x,
        Err(e) => return input_error(&e),
    };
    let client = match remote::client(&v.registry) {
        Ok(c) => c,
        Err(e) => return input_error(&e),
    };
    let result = pollster::block_on(verify_image(
        &client,
        &reference,
        &v.platform,
        &trust,
        &policy,
        now,
    ));
    let fetches = serde_json::to_value(client.fetch_log()).unwrap_or(Value::Null);
    match result {
        Err(e) => {
            if v.json {
                println!(
                    "{}",
                    json!({"verified": false, "image": v.image, "platform": v.platform,
                           "attestations": [], "error": json_out::error(e.code(), &e), "fetches": fetches})
                );
            } else {
                println!("✗ {e}");
            }
            eprintln!("error: {}: {e}", e.code());
            ExitCode::from(if e.is_unreachable() { 2 } else { 1 })
        }
        Ok(verdict) => {
            if v.json {
                println!("{}", verdict_json(&v.image, &verdict, fetches));
            } else {
                print_text(&reference, &verdict);
            }
            match &verdict.error {
                None => ExitCode::SUCCESS,
                Some(e) => {
                    eprintln!("error: {}: {e}", e.code());
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn print_text(reference: &Reference, v: &ImageVerdict) {
    if let Some(tag) = &v.resolved.from_tag {
        println!(
            "! tag {tag} resolved to {} by the registry: the one unverified step (pin @{} to remove it)",
            v.resolved.digest, v.resolved.digest
        );
    }
    let signed = v
        .attestations
        .iter()
        .filter(|a| a.outcome.is_some())
        .count();
    let target = v
        .purl
        .clone()
        .unwrap_or_else(|| format!("{reference} ({})", v.platform));
    println!("Verifying {signed} attestations for {target}");
    for a in &v.attestations {
        println!();
        match &a.outcome {
            None => println!(
                "Skipping unsigned {} attestation ({})",
                a.predicate_hint.as_deref().unwrap_or("in-toto"),
                a.layer.digest
            ),
            Some(Ok(ok)) => {
                println!("Verifying {} attestation", ok.statement.predicate_type);
                print_docker_lines(reference, ok);
            }
            Some(Err(AttestationFailure::Fetch(e))) => {
                println!("Verifying {} attestation", hint(a));
                println!("  ✗ {e}");
            }
            Some(Err(AttestationFailure::Rejected(r))) => {
                println!("Verifying {} attestation", hint(a));
                print_checks(&r.checks, "  ");
            }
        }
    }
    println!();
    match &v.error {
        None => println!("Verified all required attestations are present"),
        Some(e) => println!("✗ {e}"),
    }
}

fn hint(a: &AttestationReport) -> &str {
    a.predicate_hint.as_deref().unwrap_or("unknown")
}

/// docker verify's lines in its order, then one line for the OpenPubkey checks it runs silently.
fn print_docker_lines(reference: &Reference, ok: &EnvelopeOutcome) {
    for id in DOCKER_ORDER {
        for c in ok.checks.iter().filter(|c| c.id == id) {
            let line = if id == "subject.name" {
                format!("Verified attestation refers to tag {reference}")
            } else {
                c.message.clone()
            };
            println!("  ✓ {line}");
        }
    }
    for c in ok
        .checks
        .iter()
        .filter(|c| c.id.starts_with("policy.") && !DOCKER_ORDER.contains(&c.id))
    {
        println!("  ✓ {}", c.message);
    }
    let bound = ["commitment", "cic.signature", "att"]
        .iter()
        .all(|id| ok.checks.iter().any(|c: &Check| c.id == *id && c.ok));
    if bound {
        println!(
            "  ✓ Verified OpenPubkey binding ({}): commitment, CIC signature by the ephemeral key, att over this envelope",
            ok.format
        );
    }
}

fn verdict_json(image: &str, v: &ImageVerdict, fetches: Value) -> Value {
    let attestations: Vec<Value> = v.attestations.iter().map(attestation_json).collect();
    json!({
        "verified": v.verified(),
        "image": image,
        "platform": v.platform,
        "resolved": {"digest": v.resolved.digest, "fromTag": v.resolved.from_tag,
                     "unverifiedStep": v.resolved.from_tag.is_some()},
        "imageDigest": v.image_digest,
        "purl": v.purl,
        "attestations": attestations,
        "error": v.error.as_ref().map(|e: &RegistryError| json_out::error(e.code(), e)),
        "fetches": fetches,
    })
}

fn attestation_json(a: &AttestationReport) -> Value {
    let mut entry = json!({
        "manifest": a.manifest,
        "found": a.found,
        "layer": {"mediaType": a.layer.media_type, "digest": a.layer.digest, "size": a.layer.size},
        "predicateTypeHint": a.predicate_hint,
    });
    let (status, extra) = match &a.outcome {
        None => ("unsigned", json!({})),
        Some(Ok(ok)) => ("verified", json_out::envelope(ok)),
        Some(Err(AttestationFailure::Fetch(e))) => (
            "rejected",
            json!({"error": json_out::error(e.code(), e), "checks": []}),
        ),
        Some(Err(AttestationFailure::Rejected(r))) => (
            "rejected",
            json!({"error": json_out::error(r.error.code(), &r.error), "checks": r.checks}),
        ),
    };
    if let (Some(obj), Value::Object(more)) = (entry.as_object_mut(), extra) {
        obj.extend(more);
        obj.insert("status".into(), status.into());
        obj.insert("verified".into(), (status == "verified").into());
    }
    entry
}
