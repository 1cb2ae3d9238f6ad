//! `opk inspect IMAGE`: the image's structure, every object fetched by digest and checked —
//! what the web page shows. Attestation manifests are listed under the platform they describe.

use std::process::ExitCode;

use opk_registry::{
    attestations, Client, Image, NativeTransport, Reference, RegistryError, TopLevel,
};
use opk_verify::limits::{Limit, MAX_MANIFEST_BYTES};
use opk_verify::oci::{Descriptor, Manifest, Platform};
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
    match pollster::block_on(inspect(&client, &reference)) {
        Ok(doc) => {
            if i.json {
                let mut doc = doc;
                doc["fetches"] = serde_json::to_value(client.fetch_log()).unwrap_or(Value::Null);
                println!("{doc}");
            } else {
                print_text(&doc);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if i.json {
                println!(
                    "{}",
                    json!({"image": i.image, "error": opk_registry::report::error_json(e.code(), &e)})
                );
            }
            eprintln!("error: {}: {e}", e.code());
            ExitCode::from(if e.is_unreachable() { 2 } else { 1 })
        }
    }
}

fn raw(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn descriptor(d: &Descriptor) -> Value {
    json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size, "annotations": d.annotations})
}

async fn inspect(client: &Client<NativeTransport>, r: &Reference) -> Result<Value, RegistryError> {
    let image = Image::fetch(client, r).await?;
    let kind = match &image.top {
        TopLevel::Index(ix) => json!({"type": "index", "entries": ix.manifests.len()}),
        TopLevel::Manifest(_) => json!({"type": "manifest"}),
    };
    let mut platforms = Vec::new();
    for (platform, d) in image.images() {
        let bytes = client.manifest(r, &d.digest, Some(&d)).await?;
        let manifest = Manifest::parse(&bytes)?;
        let config = client
            .blob(
                r,
                &manifest.config,
                MAX_MANIFEST_BYTES,
                Limit::ManifestBytes,
            )
            .await?;
        let config_json = raw(&config);
        let platform =
            platform.map_or_else(|| platform_of(&config_json), |p: Platform| p.to_string());
        let atts = match attestations(client, &image, &d.digest).await {
            Ok(sets) => json!(sets
                .iter()
                .map(|s| json!({
                    "manifest": descriptor(&s.descriptor),
                    "found": s.found,
                    "layers": s.layers.iter().map(|(l, signed)| json!({
                        "mediaType": l.media_type, "digest": l.digest, "size": l.size,
                        "predicateType": l.annotations.get("in-toto.io/predicate-type"),
                        "signed": signed,
                    })).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>()),
            Err(e) => json!({"error": opk_registry::report::error_json(e.code(), &e)}),
        };
        platforms.push(json!({
            "platform": platform,
            "manifest": descriptor(&d),
            "manifestJson": raw(&bytes),
            "config": descriptor(&manifest.config),
            "configJson": config_json,
            "layers": manifest.layers.iter().map(descriptor).collect::<Vec<_>>(),
            "attestations": atts,
        }));
    }
    Ok(json!({
        "image": r.to_string(),
        "digest": image.resolved.digest,
        "fromTag": image.resolved.from_tag,
        "top": kind,
        "topJson": raw(&image.bytes),
        "platforms": platforms,
    }))
}

fn platform_of(config: &Value) -> String {
    let s = |k: &str| config.get(k).and_then(Value::as_str).unwrap_or("unknown");
    format!("{}/{}", s("os"), s("architecture"))
}

fn print_text(doc: &Value) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    println!("Image     {}", s(&doc["image"]));
    let top = &doc["top"];
    match top["type"].as_str() {
        Some("index") => println!(
            "Index     {} ({} entries)",
            s(&doc["digest"]),
            top["entries"]
        ),
        _ => println!("Manifest  {}", s(&doc["digest"])),
    }
    if let Some(tag) = doc["fromTag"].as_str() {
        println!("          resolved from tag {tag}: the one unverified step");
    }
    for p in doc["platforms"].as_array().into_iter().flatten() {
        println!();
        println!(
            "Platform {}  manifest {} ({} bytes)",
            s(&p["platform"]),
            s(&p["manifest"]["digest"]),
            p["manifest"]["size"]
        );
        let cfg = &p["configJson"]["config"];
        println!(
            "  config  {}  entrypoint {}, {} env, {} labels, {} history entries",
            s(&p["config"]["digest"]),
            cfg["Entrypoint"],
            cfg["Env"].as_array().map_or(0, Vec::len),
            cfg["Labels"].as_object().map_or(0, |m| m.len()),
            p["configJson"]["history"].as_array().map_or(0, Vec::len)
        );
        for l in p["layers"].as_array().into_iter().flatten() {
            println!(
                "  layer   {}  {} bytes  {}",
                s(&l["mediaType"]),
                l["size"],
                s(&l["digest"])
            );
        }
        match p["attestations"].as_array() {
            Some(sets) => {
                for set in sets {
                    println!(
                        "  attestations  {} (found in {})",
                        s(&set["manifest"]["digest"]),
                        s(&set["found"])
                    );
                    for l in set["layers"].as_array().into_iter().flatten() {
                        println!(
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
            None => println!(
                "  attestations  none: {}",
                s(&p["attestations"]["error"]["message"])
            ),
        }
    }
}
