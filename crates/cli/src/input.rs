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
