//! Every file and stream the CLI accepts is read through here, bounded: at most `max + 1`
//! bytes are read, so a huge file, a device or an endless pipe costs no more memory than its
//! limit. `-` is standard input.

use std::io::Read;

use opk_verify::limits::Limit;
use opk_verify::VerifyError;

/// Reads `path` (or standard input for `-`), at most `limit.max() + 1` bytes. More than
/// `limit.max()` bytes come back cut at `max + 1`: what a core function given them refuses with
/// its own `limit_exceeded`, before any parsing (its size check comes first).
pub fn read_bounded(path: &str, limit: Limit) -> Result<Vec<u8>, String> {
    read_at_most(path, limit.max())
}

/// Reads `path` (or standard input for `-`), at most `max + 1` bytes.
pub fn read_at_most(path: &str, max: usize) -> Result<Vec<u8>, String> {
    let take = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut buf = Vec::new();
    let result = if path == "-" {
        std::io::stdin().lock().take(take).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(take).read_to_end(&mut buf))
    };
    let name = if path == "-" { "standard input" } else { path };
    result.map_err(|e| format!("reading {name}: {e}"))?;
    Ok(buf)
}

/// Reads `path` whole, refusing more than `limit.max()` bytes with `limit_exceeded`.
pub fn read_limited(path: &str, limit: Limit) -> Result<Vec<u8>, String> {
    let bytes = read_bounded(path, limit)?;
    if bytes.len() > limit.max() {
        let e = VerifyError::LimitExceeded { limit };
        return Err(format!("{path}: {}: {e}", e.code()));
    }
    Ok(bytes)
}

/// An artifact read whole: its bytes while they fit in `keep` bytes, and always its digests
/// with every algorithm a bundle may name (hashed as it is read, in constant memory).
pub struct ReadArtifact {
    /// The bytes, when there were at most `keep` of them.
    pub bytes: Option<Vec<u8>>,
    /// SHA-256, SHA-384 and SHA-512 of all of it.
    pub digests: opk_verify::sigstore::ArtifactDigests,
}

/// Reads `path` (or standard input for `-`) to its end, keeping at most `keep` bytes.
pub fn read_artifact(path: &str, keep: usize) -> Result<ReadArtifact, String> {
    let name = if path == "-" { "standard input" } else { path };
    let mut reader: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| format!("reading {name}: {e}"))?)
    };
    let mut hasher = opk_verify::sigstore::ArtifactHasher::new();
    let mut kept = Some(Vec::new());
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading {name}: {e}")),
        };
        hasher.update(&chunk[..n]);
        if let Some(buf) = &mut kept {
            if buf.len() + n <= keep {
                buf.extend_from_slice(&chunk[..n]);
            } else {
                kept = None;
            }
        }
    }
    Ok(ReadArtifact {
        bytes: kept,
        digests: hasher.finish(),
    })
}
