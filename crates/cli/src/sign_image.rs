//! `opk sign IMAGE`: OPK-sign an image's attestations and write them in BuildKit's layout
//! (spec §1): per platform image an attestation manifest whose layers are DSSE envelopes, listed
//! in a new index after the images, pushed under the image's tag (or written into an OCI layout).
//! Nothing is written until every envelope has been signed and verified.

use std::process::ExitCode;

use opk_registry::{parse_top_level, NativeTransport, Reference, TopLevel};
use opk_verify::intoto::SLSA_PROVENANCE_V02;
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest, OCI_INDEX, OCI_MANIFEST};
use opk_verify::sign::SignFormat;
use opk_verify::UnixTime;
use serde_json::{json, Value};

use crate::args::{Sign, SignFormatArg};
use crate::image_store::{LayoutStore, RegistryStore, Store};
use crate::input::read_limited;
use crate::oidc::Provider;
use crate::opk_signer::{Issuer, Signer};
use crate::remote;
use crate::statements::{self, Run, ToSign, SPDX};

const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// One platform image to sign for.
struct Target {
    platform: String,
    descriptor: Descriptor,
    /// Its entry in the original index (kept verbatim), or a new one for a single manifest.
    entry: Value,
}

/// Runs the command. The statement files are read first, bounded: an unreadable or oversized
/// one is an input error (exit 2) before anything is contacted or signed.
pub fn run(a: &Sign, now: UnixTime) -> ExitCode {
    let statement = |path: &str| read_limited(path, Limit::StatementBytes);
    let (provenance, sbom) = match (
        a.provenance.as_deref().map(statement).transpose(),
        a.sbom.as_deref().map(statement).transpose(),
    ) {
        (Ok(p), Ok(s)) => (p, s),
        (Err(e), _) | (_, Err(e)) => return crate::input_error(&e),
    };
    match sign(a, now, provenance, sbom) {
        Ok(lines) => {
            for l in lines {
                outln!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn sign(
    a: &Sign,
    now: UnixTime,
    provenance: Option<Vec<u8>>,
    sbom: Option<Vec<u8>>,
) -> Result<Vec<String>, String> {
    let reference = Reference::parse(&a.image).map_err(|e| format!("{}: {e}", e.code()))?;
    let tag = reference.tag().map(str::to_owned).ok_or_else(|| {
        format!(
            "{}: opk sign needs a tag: the statements name the image as pkg:docker/NAME@TAG and \
             the signed index is pushed there",
            a.image
        )
    })?;
    let provider = Provider::from_arg(
        &a.oidc,
        &NativeTransport::default(),
        &a.client_id,
        std::env::var("OPK_OIDC_CLIENT_SECRET").ok(),
    )?;
    let format = match a.format {
        SignFormatArg::F0 => SignFormat::F0,
        SignFormatArg::F3 => SignFormat::F3,
    };
    let mut store: Box<dyn Store> = match &a.oci_layout {
        Some(dir) => Box::new(LayoutStore::new(
            dir,
            reference.familiar_name(),
            tag.clone(),
        )?),
        None => Box::new(RegistryStore::new(
            remote::client(&a.registry)?,
            reference.clone(),
            tag.clone(),
        )),
    };
    let (top_digest, top_bytes) = store.top()?;
    let top = parse_top_level(&top_bytes).map_err(|e| format!("{}: {e}", e.code()))?;
    let (targets, index) = targets(store.as_mut(), &top, &top_digest, &top_bytes)?;
    let mut signer = Signer::new(provider, format);
    let run = Run::from_env(|k| std::env::var(k).ok());
    let mut lines = Vec::new();
    let mut new_blobs: Vec<Vec<u8>> = Vec::new();
    let mut new_manifests: Vec<Vec<u8>> = Vec::new();
    let mut attestation_entries = Vec::new();
    let mut replaced: Vec<Digest> = Vec::new();
    let mut issuer: Option<Issuer> = None;
    for t in &targets {
        let hex = t.descriptor.digest.hex().to_owned();
        let purl = format!(
            "pkg:docker/{}@{tag}?platform={}",
            reference.familiar_name(),
            t.platform.replace('/', "%2F")
        );
        let subject = (purl.clone(), hex.clone());
        let (mut todo, old) = existing(store.as_mut(), &index, &t.descriptor, a.replace)?;
        replaced.extend(old);
        if let Some(p) = &provenance {
            todo.retain(|s| !is_provenance(&s.predicate_type));
            todo.push(statements::from_predicate(
                SLSA_PROVENANCE_V02,
                &subject,
                p,
                "--provenance",
            )?);
        }
        if let Some(s) = &sbom {
            todo.retain(|s| s.predicate_type != SPDX);
            todo.push(statements::from_predicate(SPDX, &subject, s, "--sbom")?);
        }
        if !todo.iter().any(|s| is_provenance(&s.predicate_type)) {
            let run = run.clone()?;
            todo.push(statements::from_predicate(
                SLSA_PROVENANCE_V02,
                &subject,
                &run.minimal_provenance(&t.platform),
                "minimal provenance",
            )?);
        }
        todo.sort_by_key(|s| !is_provenance(&s.predicate_type));
        let mut layers = Vec::new();
        for s in &todo {
            let media_type = statements::dsse_media_type(&s.predicate_type).ok_or_else(|| {
                format!(
                    "predicate type {} cannot be signed in BuildKit's layout (provenance and SPDX only)",
                    s.predicate_type
                )
            })?;
            limits::check(
                s.bytes.len(),
                limits::MAX_ENVELOPE_BYTES / 2,
                Limit::EnvelopeBytes,
            )
            .map_err(|e| format!("{}: {e}", e.code()))?;
            let (envelope, who) = signer.sign(&s.bytes, &hex, &purl, now)?;
            issuer = Some(who);
            layers.push(json!({
                "mediaType": media_type,
                "digest": Digest::of(&envelope).as_str(),
                "size": envelope.len(),
                "annotations": {"in-toto.io/predicate-type": s.predicate_type}
            }));
            new_blobs.push(envelope);
        }
        let config = json!({
            "architecture": "unknown", "os": "unknown", "config": {},
            "rootfs": {"type": "layers",
                       "diff_ids": layers.iter().map(|l| l["digest"].clone()).collect::<Vec<_>>()}
        })
        .to_string()
        .into_bytes();
        let manifest = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": Digest::of(&config).as_str(), "size": config.len()},
            "layers": layers
        })
        .to_string()
        .into_bytes();
        attestation_entries.push(json!({
            "mediaType": OCI_MANIFEST,
            "digest": Digest::of(&manifest).as_str(),
            "size": manifest.len(),
            "annotations": {"vnd.docker.reference.digest": t.descriptor.digest.as_str(),
                            "vnd.docker.reference.type": "attestation-manifest"},
            "platform": {"architecture": "unknown", "os": "unknown"}
        }));
        lines.push(format!(
            "Signed {} attestation{} for {} ({}): {}",
            todo.len(),
            if todo.len() == 1 { "" } else { "s" },
            t.platform,
            t.descriptor.digest,
            todo.iter()
                .map(|s| s.predicate_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        new_blobs.push(config);
        new_manifests.push(manifest);
    }
    let new_index = new_index(&index, &targets, &replaced, attestation_entries);
    for b in &new_blobs {
        store.put_blob(b)?;
    }
    for m in &new_manifests {
        store.put_manifest(m, OCI_MANIFEST)?;
    }
    let place = store.put_top(&new_index, OCI_INDEX)?;
    let issuer = issuer.ok_or("nothing was signed")?;
    lines.push(format!(
        "Pushed index {} to {place} ({} PK tokens, issuer {}{})",
        Digest::of(&new_index),
        match format {
            SignFormat::F0 => "F0",
            SignFormat::F3 => "F3",
        },
        issuer.url,
        if issuer.dev { ", dev issuer" } else { "" }
    ));
    Ok(lines)
}

fn is_provenance(predicate_type: &str) -> bool {
    predicate_type.starts_with("https://slsa.dev/provenance/")
}

/// The platform images, and the index as JSON (a single manifest is wrapped in a new index).
fn targets(
    store: &mut dyn Store,
    top: &TopLevel,
    top_digest: &Digest,
    top_bytes: &[u8],
) -> Result<(Vec<Target>, Value), String> {
    match top {
        TopLevel::Index(index) => {
            let raw: Value = serde_json::from_slice(top_bytes).map_err(|e| e.to_string())?;
            let entries = raw["manifests"].as_array().cloned().unwrap_or_default();
            let mut out = Vec::new();
            for (d, entry) in index.manifests.iter().zip(entries) {
                if d.is_attestation_manifest() {
                    continue;
                }
                if let Some(p) = &d.platform {
                    out.push(Target {
                        platform: p.to_string(),
                        descriptor: d.clone(),
                        entry,
                    });
                }
            }
            if out.is_empty() {
                return Err("the index lists no platform images".into());
            }
            Ok((out, raw))
        }
        TopLevel::Manifest(m) => {
            let config = store.blob(&m.config, limits::MAX_MANIFEST_BYTES, Limit::ManifestBytes)?;
            let c: Value =
                serde_json::from_slice(&config).map_err(|e| format!("image config: {e}"))?;
            let field = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let (os, arch) = (field("os"), field("architecture"));
            if os.is_empty() || arch.is_empty() {
                return Err("the image config names no os/architecture".into());
            }
            let mut platform = json!({"architecture": arch, "os": os});
            let mut name = format!("{os}/{arch}");
            if let Some(v) = c.get("variant").and_then(Value::as_str) {
                platform["variant"] = json!(v);
                name = format!("{name}/{v}");
            }
            let descriptor = Descriptor {
                media_type: m
                    .media_type
                    .clone()
                    .unwrap_or_else(|| OCI_MANIFEST.to_owned()),
                digest: top_digest.clone(),
                size: u64::try_from(top_bytes.len()).unwrap_or(u64::MAX),
                annotations: Default::default(),
                platform: None,
                artifact_type: None,
            };
            let entry = json!({"mediaType": descriptor.media_type, "digest": top_digest.as_str(),
                               "size": top_bytes.len(), "platform": platform});
            let index =
                json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry.clone()]});
            Ok((
                vec![Target {
                    platform: name,
                    descriptor,
                    entry,
                }],
                index,
            ))
        }
    }
}

/// The image's existing attestation statements for `image` that can be signed (unsigned
/// in-toto layers, kept byte for byte), and the attestation manifests they replace. Already
/// signed attestations are an error unless `replace`.
fn existing(
    store: &mut dyn Store,
    index: &Value,
    image: &Descriptor,
    replace: bool,
) -> Result<(Vec<ToSign>, Vec<Digest>), String> {
    let mut todo = Vec::new();
    let mut old = Vec::new();
    for entry in index["manifests"].as_array().into_iter().flatten() {
        let d = Descriptor::from_value(entry).map_err(|e| format!("{}: {e}", e.code()))?;
        if !d.is_attestation_manifest() || d.attests() != Some(image.digest.as_str()) {
            continue;
        }
        let bytes = store.manifest(&d)?;
        let m =
            opk_verify::oci::Manifest::parse(&bytes).map_err(|e| format!("{}: {e}", e.code()))?;
        limits::check(
            m.layers.len(),
            limits::MAX_ATTESTATION_LAYERS,
            Limit::AttestationLayers,
        )
        .map_err(|e| format!("{}: {e}", e.code()))?;
        for (layer, signed) in m.attestation_layers() {
            if signed && !replace {
                return Err(format!(
                    "{} already has signed attestations ({}); pass --replace to sign it again",
                    image.digest, d.digest
                ));
            }
            if !signed {
                let statement =
                    store.blob(layer, limits::MAX_ENVELOPE_BYTES / 2, Limit::EnvelopeBytes)?;
                todo.push(statements::existing(statement, image.digest.hex())?);
            }
        }
        old.push(d.digest);
    }
    Ok((todo, old))
}

/// The original index with the replaced attestation entries removed and the new ones appended
/// after everything else (images first, as BuildKit writes them).
fn new_index(
    index: &Value,
    targets: &[Target],
    replaced: &[Digest],
    attestations: Vec<Value>,
) -> Vec<u8> {
    let mut out = index.clone();
    let mut entries: Vec<Value> = index["manifests"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| targets.iter().map(|t| t.entry.clone()).collect());
    entries.retain(|e| {
        e.get("digest")
            .and_then(Value::as_str)
            .is_none_or(|d| !replaced.iter().any(|r| r.as_str() == d))
    });
    entries.extend(attestations);
    out["manifests"] = Value::Array(entries);
    out["mediaType"] = json!(OCI_INDEX);
    out["schemaVersion"] = json!(2);
    out.to_string().into_bytes()
}
