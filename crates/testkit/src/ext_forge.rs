//! OpenPubkey "Ext" envelopes as openpubkey/signed-attestation's `SignInTotoStatementExt`
//! writes them — an OPK-signed DSSE envelope whose one signature (DER ECDSA by the ephemeral
//! key over the PAE) carries the PK token and the Rekor entry of a self-signed certificate
//! holding it — logged in the test Sigstore's Rekor ([`crate::sigstore::rekor`]: a fixed P-256
//! key, a seven-leaf tree, SET, inclusion proof and signed checkpoint), with a trusted root
//! naming only that log.

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::der::{seq, sign as sign_der, spki, tlv as der};
use crate::forge::{build, Client, GqKind, TestOp};
use crate::sigstore::rekor;
use opk_verify::b64::encode_std as b64;
use opk_verify::hex;

/// The test log's base URL (its host names the checkpoint's signature line).
pub const LOG_URL: &str = rekor::LOG_URL;
/// When the test log integrated every entry it forges.
pub const INTEGRATED_TIME: i64 = 1_698_142_000;

/// A trusted root naming only the test log.
pub fn trusted_root() -> Vec<u8> {
    json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [{
            "baseUrl": LOG_URL,
            "hashAlgorithm": "SHA2_256",
            "publicKey": {
                "rawBytes": b64(&spki(&rekor::key())),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2023-01-01T00:00:00Z"}
            },
            "logId": {"keyId": b64(&rekor::log_id())}
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

/// The test log's `LogEntryAnon` for `body`, integrated at [`INTEGRATED_TIME`].
pub fn log_entry(body: &[u8]) -> Value {
    rekor::log(body, INTEGRATED_TIME).api_entry()
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
    let entry = log_entry(&rekor::hashedrekord(&digest, &sig, &cert));
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
