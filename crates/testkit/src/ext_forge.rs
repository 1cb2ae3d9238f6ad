//! OpenPubkey "Ext" envelopes as openpubkey/signed-attestation's `SignInTotoStatementExt`
//! writes them — an OPK-signed DSSE envelope whose one signature (DER ECDSA by the ephemeral
//! key over the PAE) carries the PK token and the Rekor entry of a self-signed certificate
//! holding it — logged in a test Rekor (a fixed P-256 key, a one-entry tree with its SET,
//! inclusion proof and signed checkpoint), with the dev trusted root naming that log.

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::forge::{build, Client, GqKind, TestOp};
use opk_verify::b64::encode_std as b64;
use opk_verify::hex;

/// The test log's base URL (its host names the checkpoint's signature line).
pub const LOG_URL: &str = "https://rekor.opk.test";
/// When the test log integrated every entry it forges.
pub const INTEGRATED_TIME: i64 = 1_698_142_000;

const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

fn spki(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    let mut out = P256_SPKI_PREFIX.to_vec();
    out.extend_from_slice(&point.as_bytes()[1..]);
    out
}

fn sign_der(key: &SigningKey, msg: &[u8]) -> Vec<u8> {
    let sig: Signature = key.sign(msg);
    sig.to_der().as_bytes().to_vec()
}

/// The test log's key.
pub fn log_key() -> SigningKey {
    SigningKey::from_slice(&[9u8; 32]).unwrap()
}

/// The test log's id: SHA-256 of its key's SubjectPublicKeyInfo.
pub fn log_id() -> Vec<u8> {
    Sha256::digest(spki(&log_key())).to_vec()
}

/// A trusted root naming only the test log.
pub fn trusted_root() -> Vec<u8> {
    json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [{
            "baseUrl": LOG_URL,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": b64(&spki(&log_key())),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2023-01-01T00:00:00Z"}
            },
            "logId": {"keyId": b64(&log_id())}
        }]
    })
    .to_string()
    .into_bytes()
}

/// openpubkey's `cert.CreateX509Cert`: self-signed by the ephemeral key, CN and SAN the
/// token's `sub`, SubjectKeyId the whole PK-token JSON, code signing, not a CA, one year.
pub fn certificate(client: &Client, pkt: &[u8], sub: &str) -> Vec<u8> {
    let name = seq(&[der(
        0x31,
        &seq(&[der(0x06, &[0x55, 0x04, 0x03]), der(0x0c, sub.as_bytes())]),
    )]);
    let alg = seq(&[der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])]);
    let ext = |oid: &[u8], critical: bool, value: Vec<u8>| {
        let mut parts = vec![der(0x06, oid)];
        if critical {
            parts.push(vec![0x01, 0x01, 0xff]);
        }
        parts.push(der(0x04, &value));
        seq(&parts)
    };
    let extensions = seq(&[
        ext(&[0x55, 0x1d, 0x0e], false, der(0x04, pkt)),
        ext(&[0x55, 0x1d, 0x0f], true, vec![0x03, 0x02, 0x07, 0x80]),
        ext(
            &[0x55, 0x1d, 0x25],
            false,
            seq(&[der(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03])]),
        ),
        ext(&[0x55, 0x1d, 0x13], true, seq(&[])),
    ]);
    let tbs = seq(&[
        der(0xa0, &[0x02, 0x01, 0x02]),
        vec![0x02, 0x01, 0x01],
        alg.clone(),
        name.clone(),
        seq(&[der(0x17, b"231024000000Z"), der(0x17, b"241024000000Z")]),
        name,
        spki(&client.sk),
        der(0xa3, &extensions),
    ]);
    let mut bits = vec![0];
    bits.extend_from_slice(&sign_der(&client.sk, &tbs));
    seq(&[tbs, alg, der(0x03, &bits)])
}

/// A hashedrekord 0.0.1 body as Rekor canonicalises it.
fn hashedrekord(digest: &[u8], sig: &[u8], cert: &[u8]) -> Vec<u8> {
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64(cert)
    );
    json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex::encode(digest)}},
            "signature": {"content": b64(sig), "publicKey": {"content": b64(pem.as_bytes())}}
        }
    })
    .to_string()
    .into_bytes()
}

/// The test log's `LogEntryAnon` for `body`: the only entry of a one-leaf tree.
pub fn log_entry(body: &[u8]) -> Value {
    let key = log_key();
    let id = hex::encode(&log_id());
    let set_payload = format!(
        r#"{{"body":"{}","integratedTime":{INTEGRATED_TIME},"logID":"{id}","logIndex":0}}"#,
        b64(body)
    );
    let mut leaf = vec![0u8];
    leaf.extend_from_slice(body);
    let root = Sha256::digest(&leaf);
    let host = LOG_URL.trim_start_matches("https://");
    let note = format!("{host} - 1\n1\n{}\n", b64(&root));
    let mut blob = log_id()[..4].to_vec();
    blob.extend_from_slice(&sign_der(&key, note.as_bytes()));
    let checkpoint = format!("{note}\n\u{2014} {host} {}\n", b64(&blob));
    json!({
        "body": b64(body),
        "integratedTime": INTEGRATED_TIME,
        "logID": id,
        "logIndex": 0,
        "verification": {
            "inclusionProof": {
                "checkpoint": checkpoint,
                "hashes": [],
                "logIndex": 0,
                "rootHash": hex::encode(&root),
                "treeSize": 1
            },
            "signedEntryTimestamp": b64(&sign_der(&key, set_payload.as_bytes()))
        }
    })
}

/// An Ext envelope over `statement`, signed by `op`'s GitHub-shaped token, logged in the test
/// log.
pub fn envelope(op: &TestOp, client: &Client, statement: &[u8]) -> Vec<u8> {
    let pae = opk_verify::dsse::pae(opk_verify::dsse::IN_TOTO_PAYLOAD_TYPE.as_bytes(), statement);
    let digest = Sha256::digest(&pae).to_vec();
    let parts = build(
        op,
        client,
        Some(&hex::encode(&digest)),
        GqKind::Original,
        |_| {},
    );
    let pkt = parts.f0_json();
    let sig = sign_der(&client.sk, &pae);
    let cert = certificate(client, &pkt, "repo:openpubkey/demo:ref:refs/heads/main");
    let entry = log_entry(&hashedrekord(&digest, &sig, &cert));
    json!({
        "payloadType": opk_verify::dsse::IN_TOTO_PAYLOAD_TYPE,
        "payload": b64(statement),
        "signatures": [{
            "keyid": hex::encode(&Sha256::digest(spki(&client.sk))),
            "sig": b64(&sig),
            "extension": {"kind": "OPK", "ext": {"pkt": b64(&pkt), "tl": entry}}
        }]
    })
    .to_string()
    .into_bytes()
}
