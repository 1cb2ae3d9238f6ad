//! Signatures stored the ways registries keep them, as blobs ready to push: OCI 1.1 referrer
//! manifests (an artifact type, the empty config, layers, a `subject`), the referrers index the
//! API answers with or the `sha256-<hex>` tag holds, Sigstore bundle referrers (as cosign v3 and
//! GitHub's attest action write them), cosign v2 `.sig`/`.att` manifests and Notation referrers.

use serde_json::{json, Value};

use crate::image::{Blob, OCI_INDEX, OCI_MANIFEST};

/// The OCI empty config (`{}`).
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
/// Sigstore bundle v0.3's media type, the artifact type of its referrers.
pub const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// cosign's simple-signing layers.
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// cosign's DSSE layers.
pub const DSSE_LAYER: &str = "application/vnd.dsse.envelope.v1+json";
/// Notation's artifact type.
pub const NOTATION: &str = "application/vnd.cncf.notary.signature";

/// The `sha256-<hex>` tag that lists `subject`'s referrers (and, with `.sig`/`.att`, holds
/// cosign's signatures of it).
pub fn referrers_tag(subject: &Blob) -> String {
    format!("sha256-{}", &subject.digest()["sha256:".len()..])
}

/// The empty config blob.
pub fn empty_config() -> Blob {
    Blob::new(EMPTY_CONFIG, b"{}".to_vec())
}

/// A referrer manifest of `artifact_type` with `layers`, referring to `subject`.
pub fn referrer(artifact_type: &str, layers: &[&Blob], subject: &Blob) -> Blob {
    Blob::new(
        OCI_MANIFEST,
        json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": empty_config().descriptor(),
            "layers": layers.iter().map(|l| l.descriptor()).collect::<Vec<_>>(),
            "subject": subject.descriptor()
        })
        .to_string()
        .into_bytes(),
    )
}

/// A Sigstore bundle referrer of `subject`: `(manifest, bundle blob)`.
pub fn bundle_referrer(bundle: Vec<u8>, subject: &Blob) -> (Blob, Blob) {
    let layer = Blob::new(BUNDLE_V03, bundle);
    (referrer(BUNDLE_V03, &[&layer], subject), layer)
}

/// A referrers index listing `referrers` (`(manifest, artifact type)`), as the API answers and
/// the `sha256-<hex>` tag holds.
pub fn referrers_index(referrers: &[(&Blob, &str)]) -> Blob {
    let entries: Vec<Value> = referrers
        .iter()
        .map(|(m, t)| {
            let mut d = m.descriptor();
            d["artifactType"] = json!(t);
            d
        })
        .collect();
    Blob::new(
        OCI_INDEX,
        json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
            .to_string()
            .into_bytes(),
    )
}

/// A cosign v2 manifest as its `.sig` or `.att` tag holds it: a config and `layers` (with the
/// annotations cosign puts on them, given by the caller). No subject.
pub fn cosign_tag_manifest(layers: &[(&Blob, Value)]) -> Blob {
    let config = cosign_config();
    let layers: Vec<Value> = layers
        .iter()
        .map(|(l, annotations)| {
            let mut d = l.descriptor();
            d["annotations"] = annotations.clone();
            d
        })
        .collect();
    crate::image::manifest_of_descriptors(&config, layers)
}

/// The config blob [`cosign_tag_manifest`] names.
pub fn cosign_config() -> Blob {
    Blob::new("application/vnd.oci.image.config.v1+json", b"{}".to_vec())
}
