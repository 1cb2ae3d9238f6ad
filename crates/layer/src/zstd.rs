//! zstd (RFC 8878) decompressed as its bytes arrive: frame and block headers read here, so a
//! block is handed to `ruzstd`'s frame decoder only once all of it is in; the output drained in
//! 32 KiB pieces beyond the window the next block may refer back to. Frames may follow one
//! another, and skippable frames are skipped. The content checksum is not computed: the layer's
//! SHA-256 digest, checked over the compressed bytes by the caller, already covers every byte.
//! Memory: the frame's window (refused above [`MAX_WINDOW`]), one block (at most 128 KiB) of
//! input, and the output buffer.

use ruzstd::decoding::errors::FrameDecoderError;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use ruzstd::io::Read as _;

use crate::LayerError;

/// The largest window a frame may ask for: 32 MiB (zstd uses at most 8 MiB up to level 19;
/// only `--ultra` and `--long` go beyond).
pub const MAX_WINDOW: u64 = 32 * 1024 * 1024;

const MAGIC: u32 = 0xFD2F_B528;
const OUT_BYTES: usize = 32 * 1024;
/// A block's content is at most 128 KiB (RFC 8878 §3.1.1.2.4).
const MAX_BLOCK: usize = 128 * 1024;

fn zstd_error(reason: impl Into<String>) -> LayerError {
    LayerError::Zstd {
        reason: reason.into(),
    }
}

/// The decoder's error, named by what failed (its own messages, and the formatting code for
/// them, stay out of the page).
fn decoder_error(e: FrameDecoderError) -> LayerError {
    let reason = match e {
        FrameDecoderError::WindowSizeTooBig { requested, .. } => {
            return zstd_error(format!(
                "a frame's window of {requested} bytes is over the {MAX_WINDOW} this reader holds"
            ))
        }
        FrameDecoderError::DictNotProvided { .. } | FrameDecoderError::DictionaryDecodeError(_) => {
            "the frame needs a dictionary (layers never have one)"
        }
        FrameDecoderError::ReadFrameHeaderError(_)
        | FrameDecoderError::FrameHeaderError(_)
        | FrameDecoderError::FailedToInitialize(_) => "the frame header does not decode",
        FrameDecoderError::FailedToReadBlockHeader(_) => "a block header does not decode",
        FrameDecoderError::FailedToReadBlockBody(_) => "a block's contents do not decode",
        _ => "the frame does not decode",
    };
    zstd_error(reason)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between frames: the next magic number.
    Magic,
    /// Skipping this many bytes of a skippable frame.
    Skip(u64),
    /// Inside a frame's blocks; `checksum`: 4 bytes follow the last block.
    Blocks { checksum: bool },
}

/// The decompressor.
pub(crate) struct Unzstd {
    phase: Phase,
    frame: Box<FrameDecoder>,
    /// Input not yet decoded: at most a frame header or one block.
    held: Vec<u8>,
    out: Vec<u8>,
    frames: usize,
}

/// The little-endian `u32` at `at` (the caller holds at least `at + 4` bytes).
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A frame header's length (magic included) from its first five bytes.
fn frame_header_len(descriptor: u8) -> usize {
    let single_segment = descriptor & 0x20 != 0;
    let dict_id = [0, 1, 2, 4][usize::from(descriptor & 0x03)];
    let content_size = match descriptor >> 6 {
        0 if single_segment => 1,
        0 => 0,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    4 + 1 + usize::from(!single_segment) + dict_id + content_size
}

/// The bytes a block takes in the stream (header included), from its 3-byte header.
fn block_len(header: [u8; 3]) -> Result<(usize, bool), LayerError> {
    let h = u32::from_le_bytes([header[0], header[1], header[2], 0]);
    let last = h & 1 != 0;
    let size = (h >> 3) as usize;
    let body = match (h >> 1) & 3 {
        0 | 2 => size,
        1 => 1,
        _ => return Err(zstd_error("a block of the reserved type")),
    };
    if size > MAX_BLOCK {
        return Err(zstd_error("a block is over 128 KiB"));
    }
    Ok((3 + body, last))
}

impl Unzstd {
    pub(crate) fn new() -> Self {
        let mut frame = Box::new(FrameDecoder::new());
        frame.set_max_window_size(MAX_WINDOW);
        Self {
            phase: Phase::Magic,
            frame,
            held: Vec::new(),
            out: vec![0; OUT_BYTES],
            frames: 0,
        }
    }

    /// Whether the stream ended at a frame's end, after at least one frame.
    pub(crate) fn complete(&self) -> bool {
        self.phase == Phase::Magic && self.held.is_empty() && self.frames > 0
    }

    /// Decompresses `chunk`, handing the output to `sink` piece by piece.
    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), LayerError>,
    ) -> Result<(), LayerError> {
        let mut input = chunk;
        loop {
            match self.phase {
                Phase::Skip(left) => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(input.len());
                    input = &input[n..];
                    let left = left - n as u64;
                    self.phase = if left == 0 {
                        Phase::Magic
                    } else {
                        Phase::Skip(left)
                    };
                    if left > 0 {
                        return Ok(());
                    }
                }
                Phase::Magic => {
                    if !self.fill(&mut input, 5) {
                        return Ok(());
                    }
                    let magic = le_u32(&self.held, 0);
                    if (0x184D_2A50..=0x184D_2A5F).contains(&magic) {
                        if !self.fill(&mut input, 8) {
                            return Ok(());
                        }
                        let len = le_u32(&self.held, 4);
                        self.held.clear();
                        self.phase = Phase::Skip(u64::from(len));
                        continue;
                    }
                    if magic != MAGIC {
                        return Err(zstd_error("not a zstd stream (bad magic number)"));
                    }
                    let descriptor = self.held[4];
                    if descriptor & 0x08 != 0 {
                        return Err(zstd_error("the frame descriptor's reserved bit is set"));
                    }
                    if !self.fill(&mut input, frame_header_len(descriptor)) {
                        return Ok(());
                    }
                    let mut header = self.held.as_slice();
                    self.frame.reset(&mut header).map_err(decoder_error)?;
                    if !header.is_empty() {
                        return Err(zstd_error("the frame header is longer than it says"));
                    }
                    self.held.clear();
                    self.phase = Phase::Blocks {
                        checksum: descriptor & 0x04 != 0,
                    };
                }
                Phase::Blocks { checksum } => {
                    if !self.fill(&mut input, 3) {
                        return Ok(());
                    }
                    let (len, last) = block_len([self.held[0], self.held[1], self.held[2]])?;
                    let need = len + if last && checksum { 4 } else { 0 };
                    if !self.fill(&mut input, need) {
                        return Ok(());
                    }
                    let mut block = self.held.as_slice();
                    self.frame
                        .decode_blocks(&mut block, BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(decoder_error)?;
                    if !block.is_empty() {
                        return Err(zstd_error("a block is shorter than its header says"));
                    }
                    self.held.clear();
                    self.drain(sink)?;
                    if last {
                        if !self.frame.is_finished() {
                            return Err(zstd_error("the frame did not end at its last block"));
                        }
                        self.frames += 1;
                        self.phase = Phase::Magic;
                    }
                }
            }
            if input.is_empty() && self.held.is_empty() {
                return Ok(());
            }
        }
    }

    /// Moves bytes from `input` into `held` until it holds `n`; whether it does.
    fn fill(&mut self, input: &mut &[u8], n: usize) -> bool {
        let want = n.saturating_sub(self.held.len()).min(input.len());
        self.held.extend_from_slice(&input[..want]);
        *input = &input[want..];
        self.held.len() >= n
    }

    /// Hands `sink` what the decoder can give up: all of a finished frame, else what lies
    /// beyond the window.
    fn drain(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), LayerError>,
    ) -> Result<(), LayerError> {
        while self.frame.can_collect() > 0 {
            let n = self
                .frame
                .read(&mut self.out)
                .map_err(|_| zstd_error("the decoded bytes could not be read out"))?;
            if n == 0 {
                break;
            }
            sink(&self.out[..n])?;
        }
        Ok(())
    }
}
