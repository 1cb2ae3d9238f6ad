//! # opk-layer
//!
//! The files of an image layer, listed as its bytes stream in: gzip or zstd (or an uncompressed
//! tar) decompressed chunk by chunk (`miniz_oxide`'s inflater and `ruzstd`'s frame decoder,
//! the framing of both read here), the tar read incrementally ([`tar::TarLister`]). Pure — the
//! caller fetches (and checks the layer's digest over the compressed bytes it fed in); nothing
//! here does I/O or keeps the layer. Memory: the inflater's state and window (about 43 KiB) or
//! zstd's window (at most [`zstd::MAX_WINDOW`], 32 MiB; 8 MiB or less up to level 19) and one
//! block (at most 128 KiB), a 32 KiB output buffer, one tar header, a bounded metadata record, the entry list (at most
//! [`tar::MAX_ENTRIES`]) and, on request, one file of at most the size asked for.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod gzip;
pub mod tar;
pub mod zstd;

pub use tar::TarLister;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link.
    HardLink,
    /// Anything else (device, FIFO), by its type flag.
    Other(char),
}

/// One entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path, without a leading `./` or `/`.
    pub path: String,
    /// Its size in bytes (0 for directories and links).
    pub size: u64,
    /// Its permission bits.
    pub mode: u32,
    /// Its kind.
    pub kind: EntryKind,
    /// The target of a link.
    pub link: Option<String>,
    /// An OCI whiteout (`.wh.<name>`): it deletes `<name>` from the layers below.
    pub whiteout: bool,
}

/// The file asked for, when the layer has it as a regular file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    /// Its contents.
    Bytes(Vec<u8>),
    /// It is larger than the bound asked for: its size.
    TooLarge(u64),
}

/// A layer's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The entries, in archive order.
    pub entries: Vec<Entry>,
    /// The file asked for, if the layer has it.
    pub file: Option<Captured>,
}

impl Entry {
    /// `ls -l`'s mode column: the kind (`d`, `l`, `h`, `-`, `?`) and `rwx` bits.
    pub fn mode_text(&self) -> String {
        let kind = match self.kind {
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::HardLink => 'h',
            EntryKind::File => '-',
            EntryKind::Other(_) => '?',
        };
        let bits = (0..9).map(|i| match (self.mode & (1 << (8 - i)) != 0, i % 3) {
            (false, _) => '-',
            (true, 0) => 'r',
            (true, 1) => 'w',
            (true, _) => 'x',
        });
        std::iter::once(kind).chain(bits).collect()
    }
}

/// Why a layer could not be listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The layer's media type names a compression this reader does not handle.
    #[error(
        "layers compressed as {media_type} cannot be browsed here (gzip, zstd and plain tar can)"
    )]
    Unsupported {
        /// The media type.
        media_type: String,
    },
    /// The gzip stream is corrupt.
    #[error("the layer's gzip stream is corrupt: {reason}")]
    Gzip {
        /// The decompressor's words.
        reason: String,
    },
    /// The zstd stream is corrupt, or asks for more memory than the reader holds.
    #[error("the layer's zstd stream is corrupt: {reason}")]
    Zstd {
        /// What is wrong.
        reason: String,
    },
    /// A tar header is malformed.
    #[error("tar header at byte {offset}: {reason}")]
    TarHeader {
        /// Its offset in the uncompressed archive.
        offset: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// A PAX or GNU long-name record is over its bound.
    #[error("tar metadata record at byte {offset} is over 64 KiB")]
    MetaTooLarge {
        /// Its offset.
        offset: u64,
    },
    /// More entries than the listing keeps.
    #[error("the layer has more than {} entries", tar::MAX_ENTRIES)]
    TooManyEntries,
    /// The archive stops inside an entry.
    #[error("the layer ends inside a tar entry (truncated)")]
    Truncated,
}

impl LayerError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unsupported { .. } => "unsupported_layer",
            Self::Gzip { .. } => "layer_gzip_invalid",
            Self::Zstd { .. } => "layer_zstd_invalid",
            Self::TarHeader { .. } => "layer_tar_invalid",
            Self::MetaTooLarge { .. } | Self::TooManyEntries => "limit_exceeded",
            Self::Truncated => "layer_truncated",
        }
    }
}

/// How a layer is compressed, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
    /// None: a plain tar.
    None,
}

impl Compression {
    /// From an OCI or Docker layer media type.
    pub fn of(media_type: &str) -> Result<Self, LayerError> {
        let base = media_type.split(';').next().unwrap_or_default().trim();
        if base.ends_with("+gzip") || base.ends_with(".tar.gzip") || base.ends_with("tar.gzip") {
            Ok(Self::Gzip)
        } else if base.ends_with("+zstd") || base.ends_with(".tar.zstd") {
            Ok(Self::Zstd)
        } else if base.ends_with(".tar") || base.ends_with("+tar") {
            Ok(Self::None)
        } else {
            Err(LayerError::Unsupported {
                media_type: media_type.to_owned(),
            })
        }
    }
}

enum Decoder {
    Gzip(Box<gzip::Gunzip>),
    Zstd(Box<zstd::Unzstd>),
    Plain,
}

/// A layer's listing, fed chunk by chunk.
pub struct LayerLister {
    decoder: Decoder,
    tar: TarLister,
    fed: u64,
}

impl LayerLister {
    /// A lister for a layer of `media_type`; `capture`: keep the regular file at this path if
    /// it is at most this many bytes.
    pub fn new(media_type: &str, capture: Option<(String, usize)>) -> Result<Self, LayerError> {
        let decoder = match Compression::of(media_type)? {
            Compression::Gzip => Decoder::Gzip(Box::new(gzip::Gunzip::new())),
            Compression::Zstd => Decoder::Zstd(Box::new(zstd::Unzstd::new())),
            Compression::None => Decoder::Plain,
        };
        Ok(Self {
            decoder,
            tar: TarLister::new(capture),
            fed: 0,
        })
    }

    /// The entries read so far.
    pub fn entries(&self) -> &[Entry] {
        self.tar.entries()
    }

    /// The compressed bytes fed in so far.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// Feeds the layer's next compressed bytes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), LayerError> {
        self.fed += chunk.len() as u64;
        let tar = &mut self.tar;
        match &mut self.decoder {
            Decoder::Gzip(g) => g.push(chunk, &mut |out| {
                if tar.ended() {
                    Ok(())
                } else {
                    tar.push(out)
                }
            }),
            Decoder::Zstd(z) => z.push(chunk, &mut |out| {
                if tar.ended() {
                    Ok(())
                } else {
                    tar.push(out)
                }
            }),
            Decoder::Plain => tar.push(chunk),
        }
    }

    /// After the last chunk: the entries and the file asked for.
    pub fn finish(self) -> Result<Listing, LayerError> {
        match &self.decoder {
            Decoder::Gzip(g) if !g.complete() => {
                return Err(LayerError::Gzip {
                    reason: "the gzip stream ends before its end".into(),
                })
            }
            Decoder::Zstd(z) if !z.complete() => {
                return Err(LayerError::Zstd {
                    reason: "the zstd stream ends inside a frame".into(),
                })
            }
            _ => {}
        }
        if self.tar.truncated() {
            return Err(LayerError::Truncated);
        }
        Ok(self.tar.into_listing())
    }
}
