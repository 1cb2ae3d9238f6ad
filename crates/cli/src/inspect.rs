//! `opk inspect IMAGE`: the image's structure, every object fetched by digest and checked —
//! what the web page shows. Attestation manifests and the signatures found (listed, not
//! verified) are listed under the platform they describe.

use std::process::ExitCode;

use opk_pipeline::inspect_image;
use opk_registry::Reference;
use serde_json::{json, Value};

use crate::args::Inspect;
use crate::{input_error, remote};

/// Runs the command.
pub fn run(i: &Inspect) -> ExitCode {
    let reference = match Reference::parse(&i.image) {
        Ok(r) => r,
        Err(e) => return input_error(&format!("{}: {e}", e.code())),
    };
    let client = match remote::client(&i.registry) {
        Ok(c) => c,
        Err(e) => return input_error(&e),
    };
    match pollster::block_on(inspect_image(&client, &reference)) {
        Ok(doc) => {
            if i.json {
                let mut doc = doc;
                doc["fetches"] = serde_json::to_value(client.fetch_log()).unwrap_or(Value::Null);
                outln!("{doc}");
            } else {
                print_text(&doc);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if i.json {
                outln!(
                    "{}",
                    json!({"image": i.image, "error": opk_pipeline::report::error_json(e.code(), &e)})
                );
            }
            eprintln!("error: {}: {e}", e.code());
            ExitCode::from(if e.is_unreachable() { 2 } else { 1 })
        }
    }
}

fn print_text(doc: &Value) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    outln!("Image     {}", s(&doc["image"]));
    let top = &doc["top"];
    match top["type"].as_str() {
        Some("index") => outln!(
            "Index     {} ({} entries)",
            s(&doc["digest"]),
            top["entries"]
        ),
        _ => outln!("Manifest  {}", s(&doc["digest"])),
    }
    if let Some(tag) = doc["fromTag"].as_str() {
        outln!("          resolved from tag {tag}: the one unverified step");
    }
    for p in doc["platforms"].as_array().into_iter().flatten() {
        outln!();
        outln!(
            "Platform {}  manifest {} ({} bytes)",
            s(&p["platform"]),
            s(&p["manifest"]["digest"]),
            p["manifest"]["size"]
        );
        let cfg = &p["configJson"]["config"];
        outln!(
            "  config  {}  entrypoint {}, {} env, {} labels, {} history entries",
            s(&p["config"]["digest"]),
            cfg["Entrypoint"],
            cfg["Env"].as_array().map_or(0, Vec::len),
            cfg["Labels"].as_object().map_or(0, |m| m.len()),
            p["configJson"]["history"].as_array().map_or(0, Vec::len)
        );
        for l in p["layers"].as_array().into_iter().flatten() {
            outln!(
                "  layer   {}  {} bytes  {}",
                s(&l["mediaType"]),
                l["size"],
                s(&l["digest"])
            );
        }
        match p["attestations"].as_array() {
            Some(sets) => {
                for set in sets {
                    outln!(
                        "  attestations  {} (found in {})",
                        s(&set["manifest"]["digest"]),
                        s(&set["found"])
                    );
                    for l in set["layers"].as_array().into_iter().flatten() {
                        outln!(
                            "    {}  {}  {} bytes  {}  {}",
                            s(&l["mediaType"]),
                            l["predicateType"].as_str().unwrap_or("-"),
                            l["size"],
                            s(&l["digest"]),
                            if l["signed"] == true {
                                "signed (DSSE)"
                            } else {
                                "unsigned"
                            }
                        );
                    }
                }
            }
            None => outln!(
                "  attestations  none: {}",
                s(&p["attestations"]["error"]["message"])
            ),
        }
        match p["signatures"].as_array() {
            Some(sigs) => {
                for sig in sigs {
                    let on = match sig["subject"]["kind"].as_str() {
                        Some("attestation_manifest") => {
                            format!(", on attestation manifest {}", s(&sig["subject"]["digest"]))
                        }
                        _ => String::new(),
                    };
                    outln!(
                        "  signature  {}  {} (found in {}{on}), {} layer(s)",
                        s(&sig["kindText"]),
                        sig["tag"]
                            .as_str()
                            .map_or_else(|| s(&sig["manifest"]["digest"]), str::to_owned),
                        s(&sig["foundText"]),
                        sig["layers"].as_array().map_or(0, Vec::len)
                    );
                }
            }
            None => outln!(
                "  signatures  not listed: {}",
                s(&p["signatures"]["error"]["message"])
            ),
        }
    }
}
