//! zstd layers listed as their bytes arrive: a layer from the reference encoder (`zstd -19
//! --check`, `tests/data/layer.tar.zst`) and the demo layer re-encoded by the testkit list the
//! same whatever the chunk size; frames in sequence and skippable frames; each malformation
//! with its error; the window bound; and the heap while listing 16 MiB.

mod common;

use common::{list, list_measured, serial};
use opk_layer::{Captured, EntryKind, LayerError};
use opk_testkit::tarball::{self, Item};

const ZST: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const REFERENCE: &[u8] = include_bytes!("data/layer.tar.zst");

fn zstd_error(reason: &str) -> LayerError {
    LayerError::Zstd {
        reason: reason.into(),
    }
}

#[test]
fn a_reference_encoders_layer_lists_whatever_the_chunks() {
    let _one_at_a_time = serial();
    let listing = list(ZST, REFERENCE, REFERENCE.len(), Some(("etc/motd", 1024))).unwrap();
    let shown: Vec<(&str, EntryKind, u64)> = listing
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.kind, e.size))
        .collect();
    assert_eq!(
        shown,
        [
            ("usr/share/doc", EntryKind::Dir, 0),
            ("usr/share/doc/lines.txt", EntryKind::File, 334_890),
            ("usr/lib/noise.bin", EntryKind::File, 16_384),
            ("etc/motd", EntryKind::File, 22),
        ]
    );
    assert_eq!(
        listing.file,
        Some(Captured::Bytes(b"compressed by zstd(1)\n".to_vec()))
    );
    for chunk in [1, 3, 17, 4096, 65_536] {
        assert_eq!(
            list(ZST, REFERENCE, chunk, None).unwrap().entries,
            listing.entries,
            "chunks of {chunk}"
        );
    }
}

#[test]
fn the_demo_layer_lists_the_same_in_zstd_as_in_gzip() {
    let _one_at_a_time = serial();
    let tar = tarball::tar(&[
        Item::Dir("etc".into()),
        Item::File("etc/os-release".into(), b"ID=opk-demo\n".to_vec(), 0o644),
        Item::Symlink("bin/hi".into(), "/hello".into()),
        Item::File("var/cache/.wh.old".into(), Vec::new(), 0o644),
    ]);
    let gzip = list(GZ, &tarball::gzip(&tar), 4096, None).unwrap();
    let zstd = tarball::zstd(&tar);
    for chunk in [1, 511, 4096] {
        assert_eq!(list(ZST, &zstd, chunk, None).unwrap(), gzip);
    }
    // The media types that name zstd.
    for media_type in [
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar.zstd",
    ] {
        assert_eq!(list(media_type, &zstd, 4096, None).unwrap(), gzip);
    }
}

#[test]
fn frames_follow_one_another_and_skippable_frames_are_skipped() {
    let _one_at_a_time = serial();
    let tar = tarball::tar(&[
        Item::File("a".into(), vec![b'a'; 3000], 0o644),
        Item::File("b".into(), b"bee".to_vec(), 0o644),
    ]);
    let mut stream = tarball::zstd(&tar[..1000]);
    // A skippable frame (magic 0x184D2A53, 6 bytes of user data) between two data frames.
    stream.extend([0x53, 0x2a, 0x4d, 0x18, 6, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
    stream.extend(tarball::zstd(&tar[1000..]));
    for chunk in [1, 5, 9, 4096] {
        let entries = list(ZST, &stream, chunk, None).unwrap().entries;
        let names: Vec<(&str, u64)> = entries.iter().map(|e| (e.path.as_str(), e.size)).collect();
        assert_eq!(names, [("a", 3000), ("b", 3)], "chunks of {chunk}");
    }
}

#[test]
fn each_malformation_fails_with_its_error() {
    let _one_at_a_time = serial();
    // Not zstd at all (a gzip stream under a zstd media type).
    let gz = tarball::gzip(&tarball::tar(&[Item::Dir("d".into())]));
    assert_eq!(
        list(ZST, &gz, 4096, None).unwrap_err(),
        zstd_error("not a zstd stream (bad magic number)")
    );
    // The reserved bit of the frame descriptor.
    let mut reserved = REFERENCE.to_vec();
    reserved[4] |= 0x08;
    assert_eq!(
        list(ZST, &reserved, 4096, None).unwrap_err(),
        zstd_error("the frame descriptor's reserved bit is set")
    );
    // A frame asking for a 1 GiB window (window descriptor: exponent 30).
    let huge = [
        0x28,
        0xb5,
        0x2f,
        0xfd,
        0x00,
        (30 - 10) << 3,
        0x01,
        0x00,
        0x00,
    ];
    assert_eq!(
        list(ZST, &huge, 4096, None).unwrap_err(),
        zstd_error("a frame's window of 1073741824 bytes is over the 33554432 this reader holds")
    );
    // A block of the reserved type (3) after a valid header (window 1 KiB).
    let bad_block = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x07, 0x00, 0x00];
    assert_eq!(
        list(ZST, &bad_block, 4096, None).unwrap_err(),
        zstd_error("a block of the reserved type")
    );
    // Cut inside a block, and cut before its checksum: the stream ends inside a frame.
    for cut in [REFERENCE.len() / 2, REFERENCE.len() - 2] {
        assert_eq!(
            list(ZST, &REFERENCE[..cut], 4096, None).unwrap_err(),
            zstd_error("the zstd stream ends inside a frame"),
            "cut at {cut}"
        );
    }
    // Bytes after the last frame that are no frame.
    let mut trailing = REFERENCE.to_vec();
    trailing.extend(b"junk!");
    assert_eq!(
        list(ZST, &trailing, 4096, None).unwrap_err(),
        zstd_error("not a zstd stream (bad magic number)")
    );
    // A compressed block's contents damaged (bytes 40..60 of the reference layer, inside its
    // first block's entropy tables).
    let mut damaged = REFERENCE.to_vec();
    for b in &mut damaged[40..60] {
        *b ^= 0x5a;
    }
    assert_eq!(
        list(ZST, &damaged, 4096, None).unwrap_err(),
        zstd_error("a block's contents do not decode")
    );
}

#[test]
fn a_zstd_layer_lists_in_bounded_memory() {
    let _one_at_a_time = serial();
    // 16 MiB of file contents (compressible, so the decoder's window fills): the heap holds the
    // window, one block and the buffers — not the layer.
    let data: Vec<u8> = (0..16 * 1024 * 1024u32)
        .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
        .collect();
    let layer = tarball::zstd(&tarball::tar(&[Item::File("data".into(), data, 0o644)]));
    let (entries, peak) = list_measured(ZST, &layer);
    assert_eq!(entries[0].size, 16 * 1024 * 1024);
    assert!(
        peak < 4 * 1024 * 1024,
        "peak heap {peak} B while listing a 16 MiB zstd layer"
    );
}
