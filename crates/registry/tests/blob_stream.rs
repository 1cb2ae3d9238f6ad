//! Streaming a layer from a real `docker-registry` on 127.0.0.1: chunks arrive and are listed as
//! files before the end; the digest is checked over what was streamed; a proxy that changes a
//! byte or sends more than the descriptor says fails with a digest mismatch, and the caller can
//! cancel.
#![cfg(not(target_arch = "wasm32"))]

use opk_layer::LayerLister;
use opk_registry::{Client, NativeTransport, Reference, RegistryError, Route};
use opk_testkit::hostile::{HostileProxy, Lie};
use opk_testkit::image::{self, Blob, Signing, OCI_LAYER};
use opk_testkit::registry::{Mode, Registry};
use opk_verify::oci::{Descriptor, Digest};
use opk_verify::VerifyError;

const REPO: &str = "openpubkey/layers";

fn seeded() -> (Registry, Blob) {
    let reg = Registry::start(Mode::Plain);
    let f = image::build(
        &format!("{}/{REPO}", reg.addr),
        "latest",
        &["linux/amd64"],
        Signing::Unsigned,
    );
    reg.push(REPO, "latest", &f);
    let layer = f
        .blobs
        .iter()
        .find(|b| b.media_type == OCI_LAYER)
        .expect("a layer")
        .clone();
    (reg, layer)
}

fn descriptor(b: &Blob) -> Descriptor {
    Descriptor {
        media_type: b.media_type.clone(),
        digest: Digest::parse(&b.digest()).unwrap(),
        size: b.bytes.len() as u64,
        annotations: Default::default(),
        platform: None,
        artifact_type: None,
    }
}

fn stream(
    reg: &Registry,
    proxy: &str,
    d: &Descriptor,
    sink: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(), RegistryError> {
    let c = Client::new(NativeTransport::default(), Route::parse(proxy).unwrap());
    let r = Reference::parse(&format!("{}/{REPO}:latest", reg.addr)).unwrap();
    pollster::block_on(c.blob_stream(&r, d, sink))
}

#[test]
fn a_layer_streams_into_the_lister_and_its_digest_checks() {
    let (reg, layer) = seeded();
    let d = descriptor(&layer);
    let mut lister = LayerLister::new(&d.media_type, None).unwrap();
    let mut got = Vec::new();
    stream(&reg, "", &d, &mut |chunk| {
        got.extend_from_slice(chunk);
        lister.push(chunk).is_ok()
    })
    .unwrap();
    assert_eq!(got, layer.bytes);
    let paths: Vec<String> = lister
        .finish()
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(
        paths,
        [
            "etc",
            "etc/os-release",
            "hello",
            "bin/hi",
            "var/cache/.wh.old"
        ]
    );
}

#[test]
fn changed_or_extra_bytes_fail_the_digest_and_the_caller_can_cancel() {
    let (reg, layer) = seeded();
    let d = descriptor(&layer);
    let flip = HostileProxy::start(vec![Lie::FlipBlobByte(layer.digest())]);
    let e = stream(&reg, &flip.url, &d, &mut |_| true).unwrap_err();
    assert!(
        matches!(e, RegistryError::Verify(VerifyError::DigestMismatch { .. })),
        "{e:?}"
    );
    let mut longer = layer.bytes.clone();
    longer.extend_from_slice(b"more");
    let extra = HostileProxy::start(vec![Lie::Answer {
        path_suffix: format!("/blobs/{}", layer.digest()),
        status: 200,
        headers: vec![],
        body: longer,
    }]);
    assert_eq!(
        stream(&reg, &extra.url, &d, &mut |_| true).unwrap_err(),
        RegistryError::Verify(VerifyError::DigestMismatch {
            expected: format!("{} ({} bytes)", d.digest, d.size),
            actual: format!("more than {} bytes", d.size),
        })
    );
    assert_eq!(
        stream(&reg, "", &d, &mut |_| false).unwrap_err(),
        RegistryError::Cancelled
    );
}
