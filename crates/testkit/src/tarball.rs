//! Tar archives for test layers, written byte by byte (ustar headers with their checksums, PAX
//! records for long paths, GNU base-256 sizes on request), gzip and zstd: real layers for the demo
//! image and the layer lister's tests, with the formats registries carry.

use std::io::Write as _;

/// One entry to write.
#[derive(Debug, Clone)]
pub enum Item {
    /// A regular file with its contents and mode.
    File(String, Vec<u8>, u32),
    /// A directory.
    Dir(String),
    /// A symbolic link to a target.
    Symlink(String, String),
}

fn header(path: &str, size: u64, mode: u32, kind: u8, link: &str, base256: bool) -> [u8; 512] {
    let mut h = [0u8; 512];
    let name = path.as_bytes();
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    h[100..107].copy_from_slice(format!("{mode:07o}").as_bytes());
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    if base256 {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    } else {
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
    }
    h[136..147].copy_from_slice(b"14520000000");
    h[156] = kind;
    let l = link.as_bytes();
    h[157..157 + l.len().min(100)].copy_from_slice(&l[..l.len().min(100)]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    h
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(512) {
        out.push(0);
    }
}

/// A PAX record `"<len> <key>=<value>\n"`.
fn pax(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}{body}").len() != len {
        len += 1;
    }
    format!("{len}{body}").into_bytes()
}

/// Writes one entry (a PAX header first when its path is over 100 bytes).
pub fn entry(out: &mut Vec<u8>, item: &Item) {
    let (path, size, mode, kind, link, data) = match item {
        Item::File(p, d, m) => (p.as_str(), d.len() as u64, *m, b'0', "", d.as_slice()),
        Item::Dir(p) => (p.as_str(), 0, 0o755, b'5', "", &[][..]),
        Item::Symlink(p, t) => (p.as_str(), 0, 0o777, b'2', t.as_str(), &[][..]),
    };
    if path.len() > 100 {
        let rec = pax("path", path);
        out.extend_from_slice(&header(
            "PaxHeader",
            rec.len() as u64,
            0o644,
            b'x',
            "",
            false,
        ));
        out.extend_from_slice(&rec);
        pad(out);
    }
    out.extend_from_slice(&header(path, size, mode, kind, link, false));
    out.extend_from_slice(data);
    pad(out);
}

/// A tar of `items`, ended by two zero blocks.
pub fn tar(items: &[Item]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        entry(&mut out, i);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// A file header whose size is written in GNU base-256 (as GNU tar does past 8 GiB).
pub fn base256_file(path: &str, data: &[u8]) -> Vec<u8> {
    let mut out = header(path, data.len() as u64, 0o644, b'0', "", true).to_vec();
    out.extend_from_slice(data);
    pad(&mut out);
    out
}

/// gzip of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip to memory");
    e.finish().expect("gzip to memory")
}

/// zstd of `bytes` (ruzstd's fastest level, about zstd's level 1), one frame.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The demo image's layer: a small root file system (a binary, its config, a symlink, a
/// directory, a whiteout), gzipped; `name` makes each image's layer its own.
pub fn demo_layer(name: &str) -> Vec<u8> {
    gzip(&tar(&[
        Item::Dir("etc".into()),
        Item::File(
            "etc/os-release".into(),
            b"NAME=\"OPK demo\"\nID=opk-demo\nVERSION_ID=1\n".to_vec(),
            0o644,
        ),
        Item::File(
            "hello".into(),
            format!("#!/bin/sh\necho hello from {name}\n").into_bytes(),
            0o755,
        ),
        Item::Symlink("bin/hi".into(), "/hello".into()),
        Item::File("var/cache/.wh.old".into(), Vec::new(), 0o644),
    ]))
}
