//! BuildKit-shaped images as content-addressed blobs: per platform a config, one layer and an
//! image manifest; per platform an attestation manifest whose layers are OPK-signed DSSE
//! envelopes (SLSA provenance v0.2 and SPDX) over statements naming the platform manifest; and
//! the index that lists images first, then attestation manifests (spec §1). Deterministic: the
//! same inputs give the same bytes.

use opk_verify::dsse::{pae, IN_TOTO_PAYLOAD_TYPE};
use opk_verify::hex;
use serde_json::{json, Value};
use sha2::Digest as _;

use crate::forge::{self, Client, GqKind, TestOp};

/// OCI media types used here.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// See [`OCI_INDEX`].
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The provenance predicate type.
pub const SLSA_V02: &str = "https://slsa.dev/provenance/v0.2";
/// The SPDX predicate type.
pub const SPDX: &str = "https://spdx.dev/Document";

/// Bytes with a media type, addressed by their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The media type.
    pub media_type: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

impl Blob {
    /// A blob of `bytes`.
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            media_type: media_type.to_owned(),
            bytes,
        }
    }
    /// `sha256:<hex>`.
    pub fn digest(&self) -> String {
        format!("sha256:{}", hex::encode(&sha2::Sha256::digest(&self.bytes)))
    }
    /// Its OCI descriptor.
    pub fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest(), "size": self.bytes.len()})
    }
}

/// How a fixture's attestations are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// OPK-signed provenance and SPDX envelopes (F0, as BuildKit's fork writes them).
    Signed,
    /// Plain in-toto statements (`application/vnd.in-toto+json`), as upstream BuildKit writes.
    Unsigned,
    /// No attestation manifests at all.
    NoAttestations,
    /// Signed, then the provenance statement is changed after signing (the `att` binding breaks).
    Tampered,
    /// Validly signed statements that name another image's digest.
    ForgedSubject,
}

/// One platform of a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformImage {
    /// `os/arch`.
    pub platform: String,
    /// The image manifest.
    pub manifest: Blob,
    /// Its attestation manifest, if any.
    pub attestation: Option<Blob>,
    /// The attestation layers (envelopes or statements).
    pub attestation_layers: Vec<Blob>,
}

/// A whole image, ready to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Every blob (configs, layers, attestation configs and layers).
    pub blobs: Vec<Blob>,
    /// The platforms.
    pub platforms: Vec<PlatformImage>,
    /// The index.
    pub index: Blob,
}

impl Fixture {
    /// The platform `os/arch`.
    pub fn platform(&self, p: &str) -> &PlatformImage {
        self.platforms
            .iter()
            .find(|i| i.platform == p)
            .expect("fixture platform")
    }
    /// Every manifest to push by digest, images before attestations.
    pub fn manifests(&self) -> Vec<&Blob> {
        let mut out: Vec<&Blob> = self.platforms.iter().map(|p| &p.manifest).collect();
        out.extend(self.platforms.iter().filter_map(|p| p.attestation.as_ref()));
        out
    }
    /// An index with the given image and attestation entries (for hostile rewrites).
    pub fn index_with(entries: &[Value]) -> Blob {
        Blob::new(
            OCI_INDEX,
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
                .to_string()
                .into_bytes(),
        )
    }
}

/// The index entry for an attestation manifest describing `image_digest`.
pub fn attestation_entry(attestation: &Blob, image_digest: &str) -> Value {
    let mut d = attestation.descriptor();
    d["annotations"] = json!({
        "vnd.docker.reference.digest": image_digest,
        "vnd.docker.reference.type": "attestation-manifest"
    });
    d["platform"] = json!({"architecture": "unknown", "os": "unknown"});
    d
}

/// The index entry for an image manifest of `platform`.
pub fn image_entry(manifest: &Blob, platform: &str) -> Value {
    let (os, arch) = platform.split_once('/').expect("os/arch");
    let mut d = manifest.descriptor();
    d["platform"] = json!({"architecture": arch, "os": os});
    d
}

/// An OCI image manifest naming `config` and `layers`.
pub fn image_manifest(config: &Blob, layers: &[&Blob]) -> Blob {
    manifest_of_descriptors(config, layers.iter().map(|l| l.descriptor()).collect())
}

/// An OCI image manifest naming `config` and the layer descriptors `layers` as given (with
/// whatever annotations the caller put on them).
pub fn manifest_of_descriptors(config: &Blob, layers: Vec<Value>) -> Blob {
    Blob::new(
        OCI_MANIFEST,
        json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
               "config": config.descriptor(), "layers": layers})
        .to_string()
        .into_bytes(),
    )
}

/// Builds an image named `name` (the familiar name in subject purls, e.g.
/// `127.0.0.1:5000/openpubkey/demo`) tagged `tag` for `platforms`.
pub fn build(name: &str, tag: &str, platforms: &[&str], signing: Signing) -> Fixture {
    let op = TestOp::new();
    let client = Client::new();
    let mut blobs = Vec::new();
    let mut images = Vec::new();
    for platform in platforms {
        let (os, arch) = platform.split_once('/').expect("os/arch");
        // A real gzipped tar (a small root file system), so the layer browser has files.
        let layer = Blob::new(
            OCI_LAYER,
            crate::tarball::demo_layer(&format!("{name}:{tag} for {platform}")),
        );
        let config = Blob::new(
            OCI_CONFIG,
            json!({
                "architecture": arch, "os": os, "created": "2023-10-24T10:00:00Z",
                "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Entrypoint": ["/hello"],
                           "Labels": {"org.opencontainers.image.source": "https://github.com/openpubkey/demo"}},
                "rootfs": {"type": "layers", "diff_ids": [layer.digest()]},
                "history": [
                    {"created": "2023-10-24T09:59:00Z", "created_by": "ENV PATH=/usr/local/bin:/usr/bin:/bin", "empty_layer": true},
                    {"created": "2023-10-24T10:00:00Z", "created_by": "COPY hello /hello # buildkit"}
                ]
            })
            .to_string()
            .into_bytes(),
        );
        let manifest = image_manifest(&config, &[&layer]);
        blobs.push(config);
        blobs.push(layer);
        images.push(PlatformImage {
            platform: (*platform).to_owned(),
            manifest,
            attestation: None,
            attestation_layers: Vec::new(),
        });
    }
    if signing != Signing::NoAttestations {
        for image in &mut images {
            let purl = format!(
                "pkg:docker/{name}@{tag}?platform={}",
                image.platform.replace('/', "%2F")
            );
            let subject_hex = match signing {
                Signing::ForgedSubject => hex::encode(&sha2::Sha256::digest(b"another image")),
                _ => image.manifest.digest()["sha256:".len()..].to_owned(),
            };
            let mut layers = Vec::new();
            for predicate_type in [SLSA_V02, SPDX] {
                let statement = statement(predicate_type, &purl, &subject_hex);
                let layer = match signing {
                    Signing::Unsigned => Blob::new("application/vnd.in-toto+json", statement),
                    Signing::Tampered if predicate_type == SLSA_V02 => {
                        let tampered = String::from_utf8(statement.clone())
                            .expect("utf-8")
                            .replace("dockerfile.v0", "dockerfile.v1")
                            .into_bytes();
                        Blob::new(
                            &dsse_type(predicate_type),
                            signed_over(&op, &client, &statement, &tampered),
                        )
                    }
                    _ => Blob::new(
                        &dsse_type(predicate_type),
                        forge::envelope(&op, &client, &statement),
                    ),
                };
                layers.push((layer, predicate_type));
            }
            let config = Blob::new(
                OCI_CONFIG,
                json!({"architecture": "unknown", "os": "unknown", "config": {},
                       "rootfs": {"type": "layers",
                                  "diff_ids": layers.iter().map(|(l, _)| l.digest()).collect::<Vec<_>>()}})
                .to_string()
                .into_bytes(),
            );
            let layer_descriptors: Vec<Value> = layers
                .iter()
                .map(|(l, p)| {
                    let mut d = l.descriptor();
                    d["annotations"] = json!({"in-toto.io/predicate-type": p});
                    d
                })
                .collect();
            let attestation = Blob::new(
                OCI_MANIFEST,
                json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": config.descriptor(), "layers": layer_descriptors})
                .to_string()
                .into_bytes(),
            );
            blobs.push(config);
            image.attestation_layers = layers.into_iter().map(|(l, _)| l).collect();
            blobs.extend(image.attestation_layers.iter().cloned());
            image.attestation = Some(attestation);
        }
    }
    let mut entries: Vec<Value> = images
        .iter()
        .map(|i| image_entry(&i.manifest, &i.platform))
        .collect();
    entries.extend(images.iter().filter_map(|i| {
        i.attestation
            .as_ref()
            .map(|a| attestation_entry(a, &i.manifest.digest()))
    }));
    Fixture {
        blobs,
        platforms: images,
        index: Fixture::index_with(&entries),
    }
}

fn dsse_type(predicate_type: &str) -> String {
    if predicate_type == SLSA_V02 {
        "application/vnd.in-toto.provenance+dsse".into()
    } else {
        "application/vnd.in-toto.spdx+dsse".into()
    }
}

/// An in-toto v0.1 statement in BuildKit's field order.
pub fn statement(predicate_type: &str, purl: &str, subject_hex: &str) -> Vec<u8> {
    let predicate = if predicate_type == SLSA_V02 {
        let claims = forge::github_claims("");
        let repo = claims["repository"].as_str().unwrap_or_default().to_owned();
        json!({
            "builder": {"id": format!("https://github.com/{repo}/actions/runs/{}", claims["run_id"].as_str().unwrap_or_default())},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "materials": [{"uri": "pkg:docker/docker/dockerfile@1", "digest": {"sha256": "9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc"}}],
            "invocation": {"configSource": {"entryPoint": "Dockerfile"}, "parameters": {"frontend": "dockerfile.v0"}},
            "metadata": {"https://mobyproject.org/buildkit@v1#metadata": {"vcs": {
                "revision": claims["sha"], "source": format!("https://github.com/{repo}")}}}
        })
    } else {
        json!({"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
               "name": "sbom", "packages": [
                   {"name": "busybox", "SPDXID": "SPDXRef-Package-busybox", "versionInfo": "1.36.1"},
                   {"name": "musl", "SPDXID": "SPDXRef-Package-musl", "versionInfo": "1.2.4"}]})
    };
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"{predicate_type}","subject":[{{"name":"{purl}","digest":{{"sha256":"{subject_hex}"}}}}],"predicate":{predicate}}}"#
    )
    .into_bytes()
}

/// A PK token bound (by `att`) to `signed`, in an envelope carrying `payload` instead.
fn signed_over(op: &TestOp, client: &Client, signed: &[u8], payload: &[u8]) -> Vec<u8> {
    let p = pae(IN_TOTO_PAYLOAD_TYPE.as_bytes(), signed);
    let att = hex::encode(&sha2::Sha256::digest(&p));
    let parts = forge::build(op, client, Some(&att), GqKind::Original, |_| {});
    forge::envelope_with(payload, &[parts.f0_json()])
}
