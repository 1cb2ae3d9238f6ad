//! Layers listed as their bytes arrive: the demo layer's entries (file, directory, symlink,
//! whiteout) whatever the chunk size; a file kept for viewing, or refused over its bound; PAX
//! long paths and GNU base-256 sizes; each malformation with its error; and a 200 MiB layer
//! listed with the heap never above a fixed bound (a counting allocator).

mod common;

use common::{list, list_measured, measure_from_here, peak_since, serial};
use opk_layer::{tar::MAX_ENTRIES, Captured, EntryKind, LayerError, LayerLister, Listing};
use opk_testkit::tarball::{self, Item};

/// What the demo layer's test compares: path, kind, size, mode, link, whiteout.
type Shown<'a> = (&'a str, EntryKind, u64, u32, Option<&'a str>, bool);

const GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const TAR: &str = "application/vnd.oci.image.layer.v1.tar";

#[test]
fn the_demo_layer_lists_the_same_whatever_the_chunks() {
    let _one_at_a_time = serial();
    let layer = tarball::demo_layer("demo");
    let entries = list(GZ, &layer, layer.len(), None).unwrap().entries;
    let shown: Vec<Shown> = entries
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.kind,
                e.size,
                e.mode,
                e.link.as_deref(),
                e.whiteout,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("etc", EntryKind::Dir, 0, 0o755, None, false),
            ("etc/os-release", EntryKind::File, 41, 0o644, None, false),
            ("hello", EntryKind::File, 31, 0o755, None, false),
            (
                "bin/hi",
                EntryKind::Symlink,
                0,
                0o777,
                Some("/hello"),
                false
            ),
            ("var/cache/.wh.old", EntryKind::File, 0, 0o644, None, true),
        ]
    );
    for chunk in [1, 7, 511, 512, 513, 4096] {
        assert_eq!(
            list(GZ, &layer, chunk, None).unwrap().entries,
            entries,
            "chunks of {chunk}"
        );
    }
}

#[test]
fn a_file_is_kept_for_viewing_only_within_its_bound() {
    let _one_at_a_time = serial();
    let layer = tarball::demo_layer("demo");
    let kept = list(GZ, &layer, 100, Some(("etc/os-release", 1024)))
        .unwrap()
        .file;
    assert_eq!(
        kept,
        Some(Captured::Bytes(
            b"NAME=\"OPK demo\"\nID=opk-demo\nVERSION_ID=1\n".to_vec()
        ))
    );
    let over = list(GZ, &layer, 100, Some(("etc/os-release", 40)))
        .unwrap()
        .file;
    assert_eq!(over, Some(Captured::TooLarge(41)));
    let none = list(GZ, &layer, 100, Some(("no/such", 40))).unwrap().file;
    assert_eq!(none, None);
}

#[test]
fn directories_are_named_without_their_trailing_slash() {
    let _one_at_a_time = serial();
    let tar = tarball::tar(&[
        Item::Dir("./".into()),
        Item::Dir("./usr/bin/".into()),
        Item::File("./usr/bin/tool".into(), b"x".to_vec(), 0o755),
    ]);
    let entries = list(TAR, &tar, 512, None).unwrap().entries;
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, [".", "usr/bin", "usr/bin/tool"]);
}

#[test]
fn pax_long_paths_and_base256_sizes_are_read() {
    let _one_at_a_time = serial();
    let long = format!("{}/file.txt", "d".repeat(150));
    let mut tar = Vec::new();
    tarball::entry(&mut tar, &Item::File(long.clone(), b"x".to_vec(), 0o600));
    tar.extend(tarball::base256_file("big", b"0123456789"));
    tar.extend([0u8; 1024]);
    let entries = list(TAR, &tar, 64, None).unwrap().entries;
    assert_eq!(entries[0].path, long);
    assert_eq!(entries[0].size, 1);
    assert_eq!((entries[1].path.as_str(), entries[1].size), ("big", 10));
}

#[test]
fn each_malformation_fails_with_its_error() {
    let _one_at_a_time = serial();
    let tar = tarball::tar(&[Item::File("a".into(), b"abc".to_vec(), 0o644)]);
    // A header byte changed: its checksum no longer matches.
    let mut bad = tar.clone();
    bad[0] = b'b';
    assert_eq!(
        list(TAR, &bad, 512, None).unwrap_err(),
        LayerError::TarHeader {
            offset: 0,
            reason: "header checksum does not match"
        }
    );
    // Cut inside the file's contents.
    assert_eq!(
        list(TAR, &tar[..514], 512, None).unwrap_err(),
        LayerError::Truncated
    );
    // Not gzip.
    assert!(matches!(
        list(GZ, &tar, 512, None),
        Err(LayerError::Gzip { .. })
    ));
    // Another compression: named, not guessed.
    assert_eq!(
        LayerLister::new("application/vnd.oci.image.layer.v1.tar+bzip2", None).err(),
        Some(LayerError::Unsupported {
            media_type: "application/vnd.oci.image.layer.v1.tar+bzip2".into()
        })
    );
    // A metadata record over 64 KiB.
    let mut meta = Vec::new();
    tarball::entry(
        &mut meta,
        &Item::File(format!("{}x", "p/".repeat(40_000)), Vec::new(), 0o644),
    );
    assert_eq!(
        list(TAR, &meta, 4096, None).unwrap_err(),
        LayerError::MetaTooLarge { offset: 0 }
    );
}

#[test]
fn entries_are_bounded() {
    let _one_at_a_time = serial();
    let mut l = LayerLister::new(TAR, None).unwrap();
    let empty = tarball::tar(&[Item::File("f".into(), Vec::new(), 0o644)]);
    let header = &empty[..512];
    for _ in 0..MAX_ENTRIES {
        l.push(header).unwrap();
    }
    assert_eq!(l.push(header).unwrap_err(), LayerError::TooManyEntries);
}

#[test]
fn a_200_mib_layer_lists_in_bounded_memory() {
    let _one_at_a_time = serial();
    // One 200 MiB file among small ones, gzipped as it is generated, fed in 64 KiB chunks: the
    // layer never exists in memory, here or in the lister.
    const SIZE: u64 = 200 * 1024 * 1024;
    let mut head = Vec::new();
    tarball::entry(&mut head, &Item::File("small".into(), b"s".to_vec(), 0o644));
    let big = tarball::tar(&[Item::File("big".into(), Vec::new(), 0o644)]);
    let mut big_header = big[..512].to_vec();
    big_header[124..135].copy_from_slice(format!("{SIZE:011o}").as_bytes());
    big_header[148..156].copy_from_slice(b"        ");
    let sum: u32 = big_header.iter().map(|&b| u32::from(b)).sum();
    big_header[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut l = LayerLister::new(TAR, Some(("big".into(), 1024 * 1024))).unwrap();
    let chunk = vec![0xa5u8; 64 * 1024];
    let base = measure_from_here();
    l.push(&head).unwrap();
    l.push(&big_header).unwrap();
    for _ in 0..SIZE / chunk.len() as u64 {
        l.push(&chunk).unwrap();
    }
    l.push(&[0u8; 1024]).unwrap();
    let peak = peak_since(base);
    let Listing {
        entries,
        file: kept,
    } = l.finish().unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.path.as_str(), e.size))
            .collect::<Vec<_>>(),
        [("small", 1), ("big", SIZE)]
    );
    assert_eq!(kept, Some(Captured::TooLarge(SIZE)));
    // Two entries and their paths: nothing that grows with the layer.
    assert!(
        peak < 4 * 1024,
        "peak heap {peak} B while listing a 200 MiB layer"
    );
}

#[test]
fn a_gzip_layer_lists_in_bounded_memory() {
    let _one_at_a_time = serial();
    // 16 MiB of file contents, gzipped (the decompressor's window and buffers are the bound).
    let data = vec![7u8; 16 * 1024 * 1024];
    let layer = tarball::gzip(&tarball::tar(&[Item::File("data".into(), data, 0o644)]));
    let (entries, peak) = list_measured(GZ, &layer);
    assert_eq!(entries[0].size, 16 * 1024 * 1024);
    assert!(
        peak < 512 * 1024,
        "peak heap {peak} B while listing a gzip layer"
    );
}

#[test]
fn gzip_framing_members_names_and_damage() {
    let _one_at_a_time = serial();
    let tar = tarball::tar(&[Item::File("a".into(), b"abc".to_vec(), 0o644)]);
    // A member header with a file name and a comment, read across 1-byte chunks.
    let mut named = Vec::new();
    {
        use std::io::Write as _;
        let mut e = flate2::GzBuilder::new()
            .filename("layer.tar")
            .comment("made by a test")
            .write(&mut named, flate2::Compression::default());
        e.write_all(&tar).unwrap();
        e.finish().unwrap();
    }
    assert_eq!(list(GZ, &named, 1, None).unwrap().entries[0].path, "a");
    // Two members: the tar split across them.
    let mut two = tarball::gzip(&tar[..700]);
    two.extend(tarball::gzip(&tar[700..]));
    assert_eq!(list(GZ, &two, 333, None).unwrap().entries[0].size, 3);
    // The trailer's length changed.
    let mut bad = tarball::gzip(&tar);
    let n = bad.len();
    bad[n - 1] ^= 1;
    assert_eq!(
        list(GZ, &bad, 4096, None).unwrap_err(),
        LayerError::Gzip {
            reason: "the trailer's length does not match the data".into()
        }
    );
    // Cut inside the DEFLATE data.
    let whole = tarball::gzip(&tar);
    assert_eq!(
        list(GZ, &whole[..whole.len() - 12], 4096, None).unwrap_err(),
        LayerError::Gzip {
            reason: "the gzip stream ends before its end".into()
        }
    );
}

#[test]
fn mode_text_reads_like_ls() {
    let _one_at_a_time = serial();
    let entries = list(GZ, &tarball::demo_layer("demo"), 4096, None)
        .unwrap()
        .entries;
    let modes: Vec<String> = entries.iter().map(|e| e.mode_text()).collect();
    assert_eq!(
        modes,
        [
            "drwxr-xr-x",
            "-rw-r--r--",
            "-rwxr-xr-x",
            "lrwxrwxrwx",
            "-rw-r--r--"
        ]
    );
}
