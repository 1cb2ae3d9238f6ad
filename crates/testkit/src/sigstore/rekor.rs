//! The test Rekor v1: one P-256 key, entries logged at a fixed place in a seven-leaf tree (so
//! inclusion proofs have hashes on both sides), each with its signed entry timestamp over the
//! RFC 8785 form of `{body, integratedTime, logID, logIndex}` and a checkpoint (a signed note)
//! for the tree. Bodies in the kinds cosign and sigstore-go write: `hashedrekord` 0.0.1 and
//! `dsse` 0.0.1, canonicalised (sorted keys, no spaces) as Rekor stores them.

use p256::ecdsa::SigningKey;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::der;
use opk_verify::b64::encode_std as b64;
use opk_verify::hex;

/// The test log's base URL (its host names the checkpoint's signature line).
pub const LOG_URL: &str = "https://rekor.opk.test";
/// Where every entry lands: index 4 of a 7-leaf tree.
pub const ENTRY_INDEX: u64 = 4;
/// The tree's size when the entry is proven.
pub const TREE_SIZE: u64 = 7;

/// The test log's key.
pub fn key() -> SigningKey {
    SigningKey::from_slice(&[9u8; 32]).unwrap()
}

/// The test log's id: SHA-256 of its key's SubjectPublicKeyInfo.
pub fn log_id() -> Vec<u8> {
    Sha256::digest(der::spki(&key())).to_vec()
}

fn leaf_hash(leaf: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// RFC 6962 §2.1 MTH over leaf hashes.
fn root_of(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 §2.1.1 PATH(m, D[n]), leaf-side first.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(root_of(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(root_of(&leaves[..k]));
        p
    }
}

/// An entry as the log proves it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The canonicalised body.
    pub body: Vec<u8>,
    /// When the log integrated it (Unix seconds).
    pub integrated_time: i64,
    /// Its index.
    pub index: u64,
    /// The tree's size.
    pub tree_size: u64,
    /// The tree's root.
    pub root: [u8; 32],
    /// The inclusion proof, leaf-side first.
    pub hashes: Vec<[u8; 32]>,
    /// The signed note of the tree head.
    pub checkpoint: String,
    /// The signed entry timestamp.
    pub set: Vec<u8>,
}

/// Logs `body` at `integrated_time`.
pub fn log(body: &[u8], integrated_time: i64) -> Logged {
    let key = key();
    let mut leaves: Vec<[u8; 32]> = (0..TREE_SIZE)
        .map(|i| leaf_hash(format!("another entry {i}").as_bytes()))
        .collect();
    leaves[ENTRY_INDEX as usize] = leaf_hash(body);
    let root = root_of(&leaves);
    let hashes = path(ENTRY_INDEX as usize, &leaves);
    let host = LOG_URL.trim_start_matches("https://");
    let note = format!("{host} - 1\n{TREE_SIZE}\n{}\n", b64(&root));
    let mut blob = log_id()[..4].to_vec();
    blob.extend_from_slice(&der::sign(&key, note.as_bytes()));
    let checkpoint = format!("{note}\n\u{2014} {host} {}\n", b64(&blob));
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{integrated_time},"logID":"{}","logIndex":{ENTRY_INDEX}}}"#,
        b64(body),
        hex::encode(&log_id()),
    );
    Logged {
        body: body.to_vec(),
        integrated_time,
        index: ENTRY_INDEX,
        tree_size: TREE_SIZE,
        root,
        hashes,
        checkpoint,
        set: der::sign(&key, set_payload.as_bytes()),
    }
}

impl Logged {
    /// Rekor's API shape (`LogEntryAnon`), as OpenPubkey's Ext envelopes embed it.
    pub fn api_entry(&self) -> Value {
        json!({
            "body": b64(&self.body),
            "integratedTime": self.integrated_time,
            "logID": hex::encode(&log_id()),
            "logIndex": self.index,
            "verification": {
                "inclusionProof": {
                    "checkpoint": self.checkpoint,
                    "hashes": self.hashes.iter().map(|h| hex::encode(h)).collect::<Vec<_>>(),
                    "logIndex": self.index,
                    "rootHash": hex::encode(&self.root),
                    "treeSize": self.tree_size
                },
                "signedEntryTimestamp": b64(&self.set)
            }
        })
    }

    /// A bundle's `TransparencyLogEntry` (protobuf JSON: 64-bit integers as strings).
    pub fn bundle_entry(&self, kind: &str) -> Value {
        json!({
            "logIndex": self.index.to_string(),
            "logId": {"keyId": b64(&log_id())},
            "kindVersion": {"kind": kind, "version": "0.0.1"},
            "integratedTime": self.integrated_time.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": b64(&self.set)},
            "inclusionProof": {
                "logIndex": self.index.to_string(),
                "rootHash": b64(&self.root),
                "treeSize": self.tree_size.to_string(),
                "hashes": self.hashes.iter().map(|h| b64(h)).collect::<Vec<_>>(),
                "checkpoint": {"envelope": self.checkpoint}
            },
            "canonicalizedBody": b64(&self.body)
        })
    }
}

fn pem(cert: &[u8]) -> String {
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64(cert)
    )
}

/// A `hashedrekord` 0.0.1 body: a SHA-256 digest, its signature and the signing certificate.
pub fn hashedrekord(digest: &[u8], sig: &[u8], cert: &[u8]) -> Vec<u8> {
    json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
            "signature": {"content": b64(sig), "publicKey": {"content": b64(pem(cert).as_bytes())}}
        }
    })
    .to_string()
    .into_bytes()
}

/// A `dsse` 0.0.1 body: the envelope's and the payload's SHA-256, the one signature and its
/// certificate.
pub fn dsse(envelope: &[u8], payload: &[u8], sig: &[u8], cert: &[u8]) -> Vec<u8> {
    json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex::encode(&Sha256::digest(envelope))},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(&Sha256::digest(payload))},
            "signatures": [{"signature": b64(sig), "verifier": b64(pem(cert).as_bytes())}]
        }
    })
    .to_string()
    .into_bytes()
}

/// An `intoto` 0.0.2 body, as cosign v2's `attest` logs it: the envelope without its payload,
/// its one signature base64-encoded twice, the signer's certificate, and the envelope's and
/// the payload's SHA-256.
pub fn intoto(
    envelope: &[u8],
    payload_type: &str,
    payload: &[u8],
    sig: &[u8],
    cert: &[u8],
) -> Vec<u8> {
    json!({
        "apiVersion": "0.0.2",
        "kind": "intoto",
        "spec": {
            "content": {
                "envelope": {
                    "payloadType": payload_type,
                    "signatures": [{"sig": b64(b64(sig).as_bytes()), "publicKey": b64(pem(cert).as_bytes())}]
                },
                "hash": {"algorithm": "sha256", "value": hex::encode(&Sha256::digest(envelope))},
                "payloadHash": {"algorithm": "sha256", "value": hex::encode(&Sha256::digest(payload))}
            }
        }
    })
    .to_string()
    .into_bytes()
}

impl Logged {
    /// cosign v2's `dev.sigstore.cosign/bundle` annotation: the SET and the payload it signs.
    pub fn cosign_annotation(&self) -> String {
        json!({
            "SignedEntryTimestamp": b64(&self.set),
            "Payload": {
                "body": b64(&self.body),
                "integratedTime": self.integrated_time,
                "logIndex": self.index,
                "logID": hex::encode(&log_id())
            }
        })
        .to_string()
    }
}
