//! A push-model tar reader: bytes are written in as they arrive, in chunks of any size, and each
//! entry's header (path, size, mode, type, link target, whiteout) is recorded as soon as it is
//! complete. File contents are skipped, except the one file asked for, kept up to a bound.
//! Memory is one 512-byte header, a bounded PAX or GNU long-name record, the entry list (at most
//! [`MAX_ENTRIES`]) and the captured file: never the layer.
//!
//! Formats: POSIX ustar (with `prefix`), PAX extended headers (`path`, `linkpath`, `size`), GNU
//! long names and link names (`L`, `K`); sizes in octal or GNU base-256. Every header's checksum
//! is checked; reading stops at the first all-zero block (the archive's end).

use crate::{Captured, Entry, EntryKind, LayerError, Listing};

/// Most entries listed from one layer.
pub const MAX_ENTRIES: usize = 200_000;
/// Largest PAX or GNU long-name record.
pub const MAX_META_BYTES: usize = 64 * 1024;
/// Longest path or link target.
pub const MAX_PATH_BYTES: usize = 4096;

const BLOCK: usize = 512;

/// What the bytes being read belong to.
#[derive(Debug)]
enum State {
    /// A header block, filled so far.
    Header { filled: usize },
    /// An entry's contents (`captured`: kept), then its padding.
    Data { left: u64, pad: u64, capture: bool },
    /// A metadata record's contents, kept, then its padding.
    Meta { kind: u8, left: u64, pad: u64 },
    /// After the end-of-archive block: the rest is ignored.
    End,
}

/// Overrides for the next entry, from PAX or GNU records.
#[derive(Debug, Default)]
struct Pending {
    path: Option<String>,
    link: Option<String>,
    size: Option<u64>,
}

/// The reader.
#[derive(Debug)]
pub struct TarLister {
    state: State,
    header: Box<[u8; BLOCK]>,
    meta: Vec<u8>,
    pending: Pending,
    entries: Vec<Entry>,
    offset: u64,
    capture: Option<(String, usize)>,
    captured: Option<Result<Vec<u8>, u64>>,
}

fn octal(field: &[u8]) -> Option<u64> {
    // GNU base-256: the high bit of the first byte set, the rest big-endian.
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut v: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

fn text(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

impl TarLister {
    /// A reader that keeps the contents of the regular file `path` (as listed, without a
    /// leading `./` or `/`) when it is at most `max` bytes.
    pub fn new(capture: Option<(String, usize)>) -> Self {
        Self {
            state: State::Header { filled: 0 },
            header: Box::new([0; BLOCK]),
            meta: Vec::new(),
            pending: Pending::default(),
            entries: Vec::new(),
            offset: 0,
            capture,
            captured: None,
        }
    }

    /// The entries so far.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether the end-of-archive block was read.
    pub fn ended(&self) -> bool {
        matches!(self.state, State::End)
    }

    /// Whether the archive stops inside an entry or header (a truncated layer).
    pub fn truncated(&self) -> bool {
        match self.state {
            State::Header { filled } => filled != 0,
            State::End => false,
            _ => true,
        }
    }

    /// Gives up the entries and the captured file.
    pub fn into_listing(self) -> Listing {
        Listing {
            entries: self.entries,
            file: self.captured.map(|c| match c {
                Ok(bytes) => Captured::Bytes(bytes),
                Err(size) => Captured::TooLarge(size),
            }),
        }
    }

    /// Reads `bytes`, the archive's next bytes.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<(), LayerError> {
        while !bytes.is_empty() {
            let used = match self.state {
                State::End => return Ok(()),
                State::Header { filled } => {
                    let n = (BLOCK - filled).min(bytes.len());
                    self.header[filled..filled + n].copy_from_slice(&bytes[..n]);
                    if filled + n == BLOCK {
                        // The header's first byte, in the uncompressed archive.
                        let at = (self.offset + n as u64).saturating_sub(BLOCK as u64);
                        self.header_done(at)?;
                    } else {
                        self.state = State::Header { filled: filled + n };
                    }
                    n
                }
                State::Data { left, pad, capture } => {
                    let n = usize::try_from((left + pad).min(bytes.len() as u64)).unwrap_or(0);
                    let data = usize::try_from(left.min(n as u64)).unwrap_or(0);
                    if capture {
                        if let Some(Ok(kept)) = self.captured.as_mut() {
                            kept.extend_from_slice(&bytes[..data]);
                        }
                    }
                    self.after(left + pad - n as u64, left - data as u64);
                    n
                }
                State::Meta { kind, left, pad } => {
                    let n = usize::try_from((left + pad).min(bytes.len() as u64)).unwrap_or(0);
                    let data = usize::try_from(left.min(n as u64)).unwrap_or(0);
                    self.meta.extend_from_slice(&bytes[..data]);
                    let rest = left + pad - n as u64;
                    if rest == 0 {
                        self.meta_done(kind)?;
                        self.state = State::Header { filled: 0 };
                    } else {
                        self.state = State::Meta {
                            kind,
                            left: left - data as u64,
                            pad: rest - (left - data as u64),
                        };
                    }
                    n
                }
            };
            self.offset += used as u64;
            bytes = &bytes[used..];
        }
        Ok(())
    }

    /// After `n` more bytes of contents (or padding): the state that follows.
    fn after(&mut self, rest: u64, left: u64) {
        self.state = if rest == 0 {
            State::Header { filled: 0 }
        } else {
            let capture = matches!(self.state, State::Data { capture: true, .. });
            State::Data {
                left,
                pad: rest - left,
                capture,
            }
        };
    }

    fn header_done(&mut self, at: u64) -> Result<(), LayerError> {
        let h = &*self.header;
        if h.iter().all(|&b| b == 0) {
            self.state = State::End;
            return Ok(());
        }
        let stored = octal(&h[148..156]).ok_or(LayerError::TarHeader {
            offset: at,
            reason: "checksum field is not octal",
        })?;
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if sum != stored {
            return Err(LayerError::TarHeader {
                offset: at,
                reason: "header checksum does not match",
            });
        }
        let size_field = octal(&h[124..136]).ok_or(LayerError::TarHeader {
            offset: at,
            reason: "size field is not a number",
        })?;
        let kind = h[156];
        if matches!(kind, b'x' | b'g' | b'L' | b'K') {
            if size_field > MAX_META_BYTES as u64 {
                return Err(LayerError::MetaTooLarge { offset: at });
            }
            self.meta.clear();
            self.state = if size_field == 0 {
                State::Header { filled: 0 }
            } else {
                State::Meta {
                    kind,
                    left: size_field,
                    pad: padding(size_field),
                }
            };
            return Ok(());
        }
        let ustar = &h[257..262] == b"ustar";
        let mut path = text(&h[0..100]);
        let prefix = if ustar && h[263] == b'0' {
            text(&h[345..500])
        } else {
            String::new()
        };
        if !prefix.is_empty() {
            path = format!("{prefix}/{path}");
        }
        let pending = std::mem::take(&mut self.pending);
        let path = pending.path.unwrap_or(path);
        let link = pending.link.unwrap_or_else(|| text(&h[157..257]));
        let size = pending.size.unwrap_or(size_field);
        if path.len() > MAX_PATH_BYTES || link.len() > MAX_PATH_BYTES {
            return Err(LayerError::TarHeader {
                offset: at,
                reason: "path or link target over 4096 bytes",
            });
        }
        let kind = match kind {
            b'0' | 0 | b'7' => EntryKind::File,
            b'1' => EntryKind::HardLink,
            b'2' => EntryKind::Symlink,
            b'5' => EntryKind::Dir,
            other => EntryKind::Other(other as char),
        };
        // Links and directories have no contents, whatever their size field says.
        let size = if matches!(kind, EntryKind::File | EntryKind::Other(_)) {
            size
        } else {
            0
        };
        if self.entries.len() >= MAX_ENTRIES {
            return Err(LayerError::TooManyEntries);
        }
        let path = path.trim_start_matches("./").trim_start_matches('/');
        // Directories as tar writes them ("usr/bin/"), named as the other entries are; the
        // archive's root ("./") is ".".
        let path = match kind {
            EntryKind::Dir if path.trim_end_matches('/').is_empty() => ".".to_owned(),
            EntryKind::Dir => path.trim_end_matches('/').to_owned(),
            _ => path.to_owned(),
        };
        let capture = kind == EntryKind::File
            && self.captured.is_none()
            && self.capture.as_ref().is_some_and(|(p, _)| *p == path);
        if capture {
            let max = self.capture.as_ref().map_or(0, |(_, m)| *m);
            self.captured = Some(if size > max as u64 {
                Err(size)
            } else {
                Ok(Vec::with_capacity(size as usize))
            });
        }
        let whiteout = path
            .rsplit('/')
            .next()
            .is_some_and(|b| b.starts_with(".wh."));
        self.entries.push(Entry {
            path,
            size,
            mode: u32::try_from(octal(&h[100..108]).unwrap_or(0) & 0o7777).unwrap_or(0),
            kind,
            link: matches!(kind, EntryKind::Symlink | EntryKind::HardLink).then_some(link),
            whiteout,
        });
        self.state = if size == 0 {
            State::Header { filled: 0 }
        } else {
            State::Data {
                left: size,
                pad: padding(size),
                capture,
            }
        };
        Ok(())
    }

    fn meta_done(&mut self, kind: u8) -> Result<(), LayerError> {
        let record = std::mem::take(&mut self.meta);
        match kind {
            b'L' => self.pending.path = Some(text(&record)),
            b'K' => self.pending.link = Some(text(&record)),
            b'x' => {
                for (key, value) in pax_records(&record) {
                    match key {
                        "path" => self.pending.path = Some(value.to_owned()),
                        "linkpath" => self.pending.link = Some(value.to_owned()),
                        "size" => self.pending.size = value.parse().ok(),
                        _ => {}
                    }
                }
            }
            _ => {} // global PAX headers: nothing the listing uses
        }
        Ok(())
    }
}

/// `"<len> <key>=<value>\n"` records; a malformed one ends the list.
fn pax_records(mut bytes: &[u8]) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let Some(space) = bytes.iter().position(|&b| b == b' ') else {
            break;
        };
        let Some(len) = std::str::from_utf8(&bytes[..space])
            .ok()
            .and_then(|l| l.parse::<usize>().ok())
        else {
            break;
        };
        if len <= space + 1 || len > bytes.len() {
            break;
        }
        let record = &bytes[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Ok(r) = std::str::from_utf8(record) {
            if let Some((k, v)) = r.split_once('=') {
                out.push((k, v));
            }
        }
        bytes = &bytes[len..];
    }
    out
}
