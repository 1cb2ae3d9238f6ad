//! gzip (RFC 1952) decompressed as its bytes arrive: the member header parsed here, the DEFLATE
//! data inflated by `miniz_oxide` into one fixed 32 KiB buffer, the trailer's length checked;
//! members may follow one another. The CRC-32 is not computed: the layer's SHA-256 digest,
//! checked over the compressed bytes by the caller, already covers every byte.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::LayerError;

/// Longest member header kept (file name, comment and extra field included).
const MAX_HEADER_BYTES: usize = 64 * 1024;
const OUT_BYTES: usize = 32 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Header,
    Body,
    Trailer,
}

/// The decompressor.
pub(crate) struct Gunzip {
    phase: Phase,
    inflate: Box<InflateState>,
    out: Vec<u8>,
    /// The header or trailer bytes so far.
    held: Vec<u8>,
    /// Uncompressed bytes of the current member, modulo 2³² (the trailer's ISIZE).
    size: u32,
    members: usize,
}

fn gzip_error(reason: &str) -> LayerError {
    LayerError::Gzip {
        reason: reason.to_owned(),
    }
}

/// The header's length once `b` holds all of it; `None` while it is incomplete.
fn header_len(b: &[u8]) -> Result<Option<usize>, LayerError> {
    if b.len() < 10 {
        return Ok(None);
    }
    if b[0] != 0x1f || b[1] != 0x8b {
        return Err(gzip_error("not a gzip stream (bad magic bytes)"));
    }
    if b[2] != 8 {
        return Err(gzip_error("compression method is not DEFLATE"));
    }
    let flags = b[3];
    if flags & 0xe0 != 0 {
        return Err(gzip_error("reserved header flags are set"));
    }
    let mut at = 10;
    if flags & 0x04 != 0 {
        let Some(len) = b.get(at..at + 2) else {
            return Ok(None);
        };
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            match b
                .get(at..)
                .and_then(|rest| rest.iter().position(|&c| c == 0))
            {
                Some(end) => at += end + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    Ok((b.len() >= at).then_some(at))
}

impl Gunzip {
    pub(crate) fn new() -> Self {
        Self {
            phase: Phase::Header,
            inflate: InflateState::new_boxed(DataFormat::Raw),
            out: vec![0; OUT_BYTES],
            held: Vec::new(),
            size: 0,
            members: 0,
        }
    }

    /// Decompresses `input`, passing what comes out to `sink`.
    pub(crate) fn push(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), LayerError>,
    ) -> Result<(), LayerError> {
        while !input.is_empty() {
            match self.phase {
                Phase::Header => {
                    let before = self.held.len();
                    self.held.extend_from_slice(input);
                    match header_len(&self.held)? {
                        Some(n) => {
                            // The header ends inside `input`: the rest is DEFLATE data.
                            input = input.get(n.saturating_sub(before)..).unwrap_or_default();
                            self.held.clear();
                            self.phase = Phase::Body;
                            self.size = 0;
                            self.inflate = InflateState::new_boxed(DataFormat::Raw);
                        }
                        None if self.held.len() > MAX_HEADER_BYTES => {
                            return Err(gzip_error("member header over 64 KiB"))
                        }
                        None => input = &[],
                    }
                }
                Phase::Body => {
                    let r = inflate(&mut self.inflate, input, &mut self.out, MZFlush::None);
                    input = &input[r.bytes_consumed..];
                    if r.bytes_written > 0 {
                        self.size = self.size.wrapping_add(r.bytes_written as u32);
                        sink(&self.out[..r.bytes_written])?;
                    }
                    match r.status {
                        Ok(MZStatus::StreamEnd) => self.phase = Phase::Trailer,
                        Ok(_) | Err(MZError::Buf) => {
                            if r.bytes_consumed == 0 && r.bytes_written == 0 && !input.is_empty() {
                                return Err(gzip_error("the DEFLATE data makes no progress"));
                            }
                        }
                        Err(_) => return Err(gzip_error("the DEFLATE data is corrupt")),
                    }
                }
                Phase::Trailer => {
                    let n = (8 - self.held.len()).min(input.len());
                    self.held.extend_from_slice(&input[..n]);
                    input = &input[n..];
                    if self.held.len() == 8 {
                        let isize = u32::from_le_bytes([
                            self.held[4],
                            self.held[5],
                            self.held[6],
                            self.held[7],
                        ]);
                        if isize != self.size {
                            return Err(gzip_error("the trailer's length does not match the data"));
                        }
                        self.held.clear();
                        self.members += 1;
                        self.phase = Phase::Header;
                    }
                }
            }
        }
        // Output still held by the inflater (its input all consumed) is drained here.
        while self.phase == Phase::Body {
            let r = inflate(&mut self.inflate, &[], &mut self.out, MZFlush::None);
            if r.bytes_written == 0 {
                if r.status == Ok(MZStatus::StreamEnd) {
                    self.phase = Phase::Trailer;
                }
                break;
            }
            self.size = self.size.wrapping_add(r.bytes_written as u32);
            sink(&self.out[..r.bytes_written])?;
            if r.status == Ok(MZStatus::StreamEnd) {
                self.phase = Phase::Trailer;
            }
        }
        Ok(())
    }

    /// Whether the stream ended cleanly: at least one whole member, nothing after it.
    pub(crate) fn complete(&self) -> bool {
        self.phase == Phase::Header && self.held.is_empty() && self.members > 0
    }
}
