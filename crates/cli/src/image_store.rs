//! Where `opk sign` reads an image and writes its attestations: a registry (through the same
//! client `opk verify` uses, every by-digest read checked) or an OCI image layout directory
//! (`oci-layout`, `index.json`, `blobs/sha256/…`; reads are digest-checked too).

use std::path::{Path, PathBuf};

use opk_registry::{Client, NativeTransport, Reference};
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Descriptor, Digest};

/// A layout file, bounded (`crate::input`).
fn read_limited(path: &Path, limit: Limit) -> Result<Vec<u8>, String> {
    crate::input::read_limited(&path.to_string_lossy(), limit)
}
use serde_json::{json, Value};

/// An image's home.
pub trait Store {
    /// The top-level object: its digest and exact bytes.
    fn top(&mut self) -> Result<(Digest, Vec<u8>), String>;
    /// A manifest by descriptor (checked against its digest and size).
    fn manifest(&mut self, d: &Descriptor) -> Result<Vec<u8>, String>;
    /// A blob by descriptor, at most `max` bytes (checked against its digest and size).
    fn blob(&mut self, d: &Descriptor, max: usize, limit: Limit) -> Result<Vec<u8>, String>;
    /// Stores a blob (content-addressed).
    fn put_blob(&mut self, bytes: &[u8]) -> Result<(), String>;
    /// Stores a manifest by its digest.
    fn put_manifest(&mut self, bytes: &[u8], media_type: &str) -> Result<(), String>;
    /// Makes `bytes` the image's new top-level object; returns where it now is.
    fn put_top(&mut self, bytes: &[u8], media_type: &str) -> Result<String, String>;
}

/// An image in a registry, named by a reference with a tag.
pub struct RegistryStore {
    client: Client<NativeTransport>,
    reference: Reference,
    tag: String,
}

impl RegistryStore {
    /// The image `reference` (its tag is where the new index goes).
    pub fn new(client: Client<NativeTransport>, reference: Reference, tag: String) -> Self {
        Self {
            client,
            reference,
            tag,
        }
    }
}

fn reg_err(e: &opk_registry::RegistryError) -> String {
    format!("{}: {e}", e.code())
}

impl Store for RegistryStore {
    fn top(&mut self) -> Result<(Digest, Vec<u8>), String> {
        let resolved =
            pollster::block_on(self.client.resolve(&self.reference)).map_err(|e| reg_err(&e))?;
        let bytes = pollster::block_on(self.client.manifest(
            &self.reference,
            &resolved.digest,
            None,
        ))
        .map_err(|e| reg_err(&e))?;
        Ok((resolved.digest, bytes))
    }
    fn manifest(&mut self, d: &Descriptor) -> Result<Vec<u8>, String> {
        pollster::block_on(self.client.manifest(&self.reference, &d.digest, Some(d)))
            .map_err(|e| reg_err(&e))
    }
    fn blob(&mut self, d: &Descriptor, max: usize, limit: Limit) -> Result<Vec<u8>, String> {
        pollster::block_on(self.client.blob(&self.reference, d, max, limit))
            .map_err(|e| reg_err(&e))
    }
    fn put_blob(&mut self, bytes: &[u8]) -> Result<(), String> {
        pollster::block_on(self.client.push_blob(&self.reference, bytes))
            .map(drop)
            .map_err(|e| reg_err(&e))
    }
    fn put_manifest(&mut self, bytes: &[u8], media_type: &str) -> Result<(), String> {
        let digest = Digest::of(bytes);
        pollster::block_on(self.client.push_manifest(
            &self.reference,
            digest.as_str(),
            media_type,
            bytes,
        ))
        .map(drop)
        .map_err(|e| reg_err(&e))
    }
    fn put_top(&mut self, bytes: &[u8], media_type: &str) -> Result<String, String> {
        pollster::block_on(self.client.push_manifest(
            &self.reference,
            &self.tag,
            media_type,
            bytes,
        ))
        .map_err(|e| reg_err(&e))?;
        Ok(format!(
            "{}/{}:{}",
            self.reference.registry(),
            self.reference.repository(),
            self.tag
        ))
    }
}

/// An image in an OCI image layout directory, selected in `index.json` by its
/// `org.opencontainers.image.ref.name` (the tag) or `io.containerd.image.name`, or the only entry.
pub struct LayoutStore {
    dir: PathBuf,
    tag: String,
    name: String,
    entry: Option<usize>,
}

const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

impl LayoutStore {
    /// The layout at `dir`; `name` and `tag` select the entry.
    pub fn new(dir: &str, name: String, tag: String) -> Result<Self, String> {
        let dir = PathBuf::from(dir);
        let layout = read_limited(&dir.join("oci-layout"), Limit::ManifestBytes)
            .map_err(|e| format!("{}: not an OCI image layout: {e}", dir.display()))?;
        let v: Value = serde_json::from_slice(&layout)
            .map_err(|e| format!("{}/oci-layout: {e}", dir.display()))?;
        if v.get("imageLayoutVersion").and_then(Value::as_str) != Some("1.0.0") {
            return Err(format!(
                "{}/oci-layout: imageLayoutVersion is not 1.0.0",
                dir.display()
            ));
        }
        Ok(Self {
            dir,
            tag,
            name,
            entry: None,
        })
    }

    fn index(&self) -> Result<Value, String> {
        let path = self.dir.join("index.json");
        let bytes = read_limited(&path, Limit::ManifestBytes)?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn read(&self, d: &Descriptor, max: usize, limit: Limit) -> Result<Vec<u8>, String> {
        let size = usize::try_from(d.size).unwrap_or(usize::MAX);
        limits::check(size, max, limit).map_err(|e| format!("{}: {e}", e.code()))?;
        let path = blob_path(&self.dir, &d.digest);
        // At most one byte more than the descriptor says: more is a digest mismatch.
        let bytes = crate::input::read_at_most(&path.to_string_lossy(), size)?;
        if bytes.len() != size || Digest::of(&bytes) != d.digest {
            return Err(format!(
                "digest_mismatch: {} does not hash to {} ({} bytes)",
                path.display(),
                d.digest,
                d.size
            ));
        }
        Ok(bytes)
    }

    fn write(&self, bytes: &[u8]) -> Result<Digest, String> {
        let digest = Digest::of(bytes);
        let path = blob_path(&self.dir, &digest);
        if !path.exists() {
            write_atomically(&path, bytes)?;
        }
        Ok(digest)
    }
}

fn blob_path(dir: &Path, d: &Digest) -> PathBuf {
    dir.join("blobs").join("sha256").join(d.hex())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("opk-tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

impl Store for LayoutStore {
    fn top(&mut self) -> Result<(Digest, Vec<u8>), String> {
        let index = self.index()?;
        let entries = index
            .get("manifests")
            .and_then(Value::as_array)
            .ok_or("index.json has no manifests")?;
        let named = |e: &Value, key: &str, want: &str| {
            e.pointer(&format!("/annotations/{}", key.replace('/', "~1")))
                .and_then(Value::as_str)
                == Some(want)
        };
        let pos = entries
            .iter()
            .position(|e| named(e, REF_NAME, &self.tag) || named(e, CONTAINERD_NAME, &self.name))
            .or_else(|| (entries.len() == 1).then_some(0))
            .ok_or_else(|| {
                format!(
                    "index.json has no entry named {} or {}",
                    self.tag, self.name
                )
            })?;
        self.entry = Some(pos);
        let d = Descriptor::from_value(&entries[pos]).map_err(|e| format!("index.json: {e}"))?;
        let bytes = self.read(&d, limits::MAX_MANIFEST_BYTES, Limit::ManifestBytes)?;
        Ok((d.digest, bytes))
    }
    fn manifest(&mut self, d: &Descriptor) -> Result<Vec<u8>, String> {
        self.read(d, limits::MAX_MANIFEST_BYTES, Limit::ManifestBytes)
    }
    fn blob(&mut self, d: &Descriptor, max: usize, limit: Limit) -> Result<Vec<u8>, String> {
        self.read(d, max, limit)
    }
    fn put_blob(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.write(bytes).map(drop)
    }
    fn put_manifest(&mut self, bytes: &[u8], _media_type: &str) -> Result<(), String> {
        self.write(bytes).map(drop)
    }
    fn put_top(&mut self, bytes: &[u8], media_type: &str) -> Result<String, String> {
        let digest = self.write(bytes)?;
        let mut index = self.index()?;
        let pos = self.entry.ok_or("the layout's entry was never read")?;
        let entry = index
            .pointer_mut(&format!("/manifests/{pos}"))
            .ok_or("index.json changed while signing")?;
        entry["mediaType"] = json!(media_type);
        entry["digest"] = json!(digest.as_str());
        entry["size"] = json!(bytes.len());
        let path = self.dir.join("index.json");
        write_atomically(&path, index.to_string().as_bytes())?;
        Ok(format!("{} ({})", self.dir.display(), digest))
    }
}
