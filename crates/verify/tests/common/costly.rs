//! Inputs of the largest size accepted, built to cost the most memory to verify (shared by
//! `memory.rs`, natively with a counting allocator, and `wasm.rs`, in Chromium).

use opk_verify::b64;

/// The subject the statements name (64 hex).
pub const SUBJECT_HEX: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

/// `{"k0":0,"k1":0,…,"end":0}`, about `len` bytes: a million keys in 16 MiB.
pub fn object_of_keys(len: usize) -> String {
    object_of_keys_with(len, "0")
}

/// [`object_of_keys`] with `value` (JSON) for every key.
pub fn object_of_keys_with(len: usize, value: &str) -> String {
    let mut s = String::with_capacity(len);
    s.push('{');
    let mut i = 0;
    while s.len() + 24 + value.len() < len {
        s.push_str(&format!("\"k{i}\":{value},"));
        i += 1;
    }
    s.push_str(&format!("\"end\":{value}}}"));
    s
}

/// An SBOM-like predicate of small objects, about `len` bytes.
pub fn packages(len: usize) -> String {
    let mut s = String::from(r#"{"spdxVersion":"SPDX-2.3","packages":["#);
    let mut i = 0;
    while s.len() + 200 < len {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"SPDXID":"SPDXRef-{i}","name":"pkg-{i}","versionInfo":"1.{i}","licenseConcluded":"MIT"}}"#
        ));
        i += 1;
    }
    s.push_str("]}");
    s
}

/// A statement naming [`SUBJECT_HEX`] with this predicate.
pub fn statement_with_predicate(predicate: &str) -> String {
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document","subject":[{{"name":"x","digest":{{"sha256":"{SUBJECT_HEX}"}}}}],"predicate":{predicate}}}"#
    )
}

/// The largest statement whose signed envelope fits the envelope limit.
pub fn statement_budget() -> usize {
    opk_verify::limits::MAX_ENVELOPE_BYTES / 4 * 3 - 64 * 1024
}

/// An unsigned envelope of `limit` bytes whose bulk is an unknown member of a million keys.
pub fn envelope_with_unknown_member(limit: usize) -> Vec<u8> {
    let huge = object_of_keys(limit - 200);
    format!(r#"{{"payloadType":"application/vnd.in-toto+json","payload":"","signatures":[],"x":{huge}}}"#)
        .into_bytes()
}

/// An envelope of about `limit` bytes whose payload is base64 of garbage.
pub fn envelope_of_garbage(limit: usize) -> Vec<u8> {
    format!(
        r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{}","signatures":[{{"keyid":"","sig":"AA=="}}]}}"#,
        b64::encode_std(&vec![b'{'; (limit - 200) / 4 * 3])
    )
    .into_bytes()
}
