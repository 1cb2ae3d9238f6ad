//! `inspect IMAGE`: an image's structure, every object fetched by digest and checked — what the
//! web page shows and `opk inspect --json` prints. Attestation manifests are listed under the
//! platform they describe, with the signatures found for it (Sigstore bundles, cosign tags,
//! Notation: listed, not verified here). Shared by the CLI and the JS API.

use opk_verify::limits::{Limit, MAX_MANIFEST_BYTES};
use opk_verify::oci::{Descriptor, Manifest, Platform};
use serde_json::{json, Value};

use opk_registry::{
    attestations, signatures, Client, FoundSignature, Image, Reference, RegistryError, TopLevel,
    Transport,
};

fn raw(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn descriptor(d: &Descriptor) -> Value {
    json!({"mediaType": d.media_type, "digest": d.digest, "size": d.size, "annotations": d.annotations})
}

/// The image's structure as the `opk inspect --json` object (without the fetch log): index,
/// platforms with manifest, config and layers, and each platform's attestation manifests.
pub async fn inspect_image<T: Transport>(
    client: &Client<T>,
    r: &Reference,
) -> Result<Value, RegistryError> {
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
            Err(e) => json!({"error": crate::report::error_json(e.code(), &e)}),
        };
        let sigs = match signatures(client, &image, &d.digest).await {
            Ok(found) => json!(found.iter().map(signature_json).collect::<Vec<_>>()),
            Err(e) => json!({"error": crate::report::error_json(e.code(), &e)}),
        };
        platforms.push(json!({
            "platform": platform,
            "manifest": descriptor(&d),
            "manifestJson": raw(&bytes),
            "config": descriptor(&manifest.config),
            "configJson": config_json,
            "layers": manifest.layers.iter().map(descriptor).collect::<Vec<_>>(),
            "attestations": atts,
            "signatures": sigs,
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

fn signature_json(s: &FoundSignature) -> Value {
    json!({
        "kind": s.kind,
        "kindText": s.kind.describe(),
        "found": s.found,
        "foundText": s.found.describe(),
        "subject": s.subject,
        "manifest": descriptor(&s.manifest),
        "tag": s.tag,
        "layers": s.layers.iter().map(descriptor).collect::<Vec<_>>(),
    })
}

fn platform_of(config: &Value) -> String {
    let s = |k: &str| config.get(k).and_then(Value::as_str).unwrap_or("unknown");
    format!("{}/{}", s("os"), s("architecture"))
}
