//! Every limit of the core, one test each, through the public entry points: one over the limit
//! fails with `LimitExceeded` naming it, checked before the work it bounds (sizes before parsing,
//! key sizes before any big-number arithmetic). `docs/limits.md` lists them with these tests.
//! Natively and, in headless Chromium, on wasm32.

use opk_verify::dsse::Envelope;
use opk_verify::intoto::Statement;
use opk_verify::jose::{Jwk, Jwks};
use opk_verify::limits::{self, Limit};
use opk_verify::oci::{Digest, Index, Manifest};
use opk_verify::pktoken::PkToken;
use opk_verify::{b64, VerifyError};
// The same tests run on wasm32 in headless Chromium (scripts/test), where memory is tightest.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn exceeded(limit: Limit) -> VerifyError {
    VerifyError::LimitExceeded { limit }
}

const HEX: &str = "3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";

fn repeat_json(item: &str, n: usize) -> String {
    vec![item; n].join(",")
}

#[test]
fn envelope_bytes() {
    let big = vec![b' '; limits::MAX_ENVELOPE_BYTES + 1];
    assert_eq!(
        Envelope::parse(&big).unwrap_err(),
        exceeded(Limit::EnvelopeBytes)
    );
}

#[test]
fn dsse_signatures() {
    let sigs = repeat_json(
        r#"{"keyid":"OPK","sig":"AA=="}"#,
        limits::MAX_DSSE_SIGNATURES + 1,
    );
    let env = format!(r#"{{"payloadType":"x","payload":"e30=","signatures":[{sigs}]}}"#);
    assert_eq!(
        Envelope::parse(env.as_bytes()).unwrap_err(),
        exceeded(Limit::DsseSignatures)
    );
    let sigs = repeat_json(
        r#"{"keyid":"OPK","sig":"AA=="}"#,
        limits::MAX_DSSE_SIGNATURES,
    );
    let env = format!(r#"{{"payloadType":"x","payload":"e30=","signatures":[{sigs}]}}"#);
    assert!(Envelope::parse(env.as_bytes()).is_ok());
}

#[test]
fn pk_token_bytes_including_a_megabyte_of_separators() {
    for filler in [b'.', b':', b'A'] {
        let big = vec![filler; limits::MAX_PK_TOKEN_BYTES + 1];
        assert_eq!(
            PkToken::parse(&big).unwrap_err(),
            exceeded(Limit::PkTokenBytes)
        );
    }
    let mega = vec![b':'; 1 << 20];
    assert_eq!(
        PkToken::parse(&mega).unwrap_err(),
        exceeded(Limit::PkTokenBytes)
    );
}

/// A compact JWT given to `verify_token` (the CLI's `verify-token`, the page's offline view) or
/// `verify_jwt` has the PK-token limit too, checked before any base64 is decoded: a JWT one
/// byte over it is refused with `limit_exceeded`, not decoded and then `key_not_found`.
#[test]
fn compact_jwt_bytes() {
    let policy = opk_verify::Policy::builder()
        .any_identity_unsafe()
        .build()
        .unwrap();
    let trust = opk_verify::TrustRoots::bundled().unwrap();
    let now = opk_verify::UnixTime(1_795_000_000);
    let segment = |n: usize| "A".repeat(n);
    // header.payload.signature with a payload that brings the whole to the limit (+1).
    let jwt = |len: usize| {
        let (h, s) = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ", segment(342));
        format!("{h}.{}.{s}", segment(len - h.len() - s.len() - 2))
    };
    for (len, over) in [
        (limits::MAX_PK_TOKEN_BYTES + 1, true),
        (limits::MAX_PK_TOKEN_BYTES, false),
    ] {
        let token = jwt(len);
        assert_eq!(token.len(), len);
        let a = opk_verify::verify_token(token.as_bytes(), &trust, &policy, now).unwrap_err();
        let b = opk_verify::verify_jwt(&token, &trust, &policy, now).unwrap_err();
        for e in [a.error, b.error] {
            assert_eq!(e == exceeded(Limit::PkTokenBytes), over, "{len}: {e:?}");
        }
    }
}

#[test]
fn pk_token_signatures() {
    let sig = r#"{"protected":"e30","signature":"AA"}"#;
    let json = format!(
        r#"{{"payload":"e30","signatures":[{}]}}"#,
        repeat_json(sig, limits::MAX_PK_TOKEN_SIGNATURES + 1)
    );
    assert_eq!(
        PkToken::parse(json.as_bytes()).unwrap_err(),
        exceeded(Limit::PkTokenSignatures)
    );
    // 10,000 signatures never get that far: the byte bound stops them first.
    let json = format!(
        r#"{{"payload":"e30","signatures":[{}]}}"#,
        repeat_json(sig, 10_000)
    );
    assert_eq!(
        PkToken::parse(json.as_bytes()).unwrap_err(),
        exceeded(Limit::PkTokenBytes)
    );
}

#[test]
fn compact_segments() {
    let compact = ["e30"; limits::MAX_COMPACT_SEGMENTS + 1].join(":");
    assert_eq!(
        PkToken::parse(compact.as_bytes()).unwrap_err(),
        exceeded(Limit::CompactSegments)
    );
}

#[test]
fn jwks_bytes_and_keys() {
    let big = vec![b' '; limits::MAX_JWKS_BYTES + 1];
    assert_eq!(
        Jwks::from_json(&big).unwrap_err(),
        exceeded(Limit::JwksBytes)
    );
    assert_eq!(
        Jwk::from_json(&big).unwrap_err(),
        exceeded(Limit::JwksBytes)
    );
    let keys = repeat_json(r#"{"kty":"oct","k":"AA"}"#, limits::MAX_JWKS_KEYS + 1);
    let jwks = format!(r#"{{"keys":[{keys}]}}"#);
    assert_eq!(
        Jwks::from_json(jwks.as_bytes()).unwrap_err(),
        exceeded(Limit::JwksKeys)
    );
}

/// A hostile JWKS is refused on its sizes alone: no modular arithmetic runs on a 16384-bit
/// modulus or a huge exponent.
#[test]
fn hostile_rsa_keys_are_refused_before_any_arithmetic() {
    let jwk = |n: &[u8], e: &[u8]| {
        format!(
            r#"{{"kty":"RSA","kid":"k","n":"{}","e":"{}"}}"#,
            b64::encode_url(n),
            b64::encode_url(e)
        )
    };
    let mut n16k = vec![0xffu8; 2048];
    n16k[2047] = 0xfb;
    let mut n2k = vec![0xc5u8; 256];
    n2k[255] = 0x9b;
    for (n, e, reason) in [
        (
            &n16k[..],
            &[1u8, 0, 1][..],
            "RSA modulus longer than 4096 bits",
        ),
        (&n2k[..], &[0xffu8; 2048][..], "RSA exponent is not 65537"),
        (&n2k[..], &[3u8][..], "RSA exponent is not 65537"),
        (
            &n2k[..128],
            &[1u8, 0, 1][..],
            "RSA modulus shorter than 2048 bits",
        ),
    ] {
        assert_eq!(
            Jwk::from_json(jwk(n, e).as_bytes()).unwrap_err(),
            VerifyError::WeakKey { reason },
        );
    }
}

#[test]
fn statement_subjects_and_digests() {
    let subject = format!(r#"{{"name":"a","digest":{{"sha256":"{HEX}"}}}}"#);
    let st = |subjects: String| {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"p","subject":[{subjects}],"predicate":{{}}}}"#
        )
    };
    assert_eq!(
        Statement::parse(st(repeat_json(&subject, limits::MAX_SUBJECTS + 1)).as_bytes())
            .unwrap_err(),
        exceeded(Limit::Subjects)
    );
    assert!(Statement::parse(st(repeat_json(&subject, limits::MAX_SUBJECTS)).as_bytes()).is_ok());
    let digests: Vec<String> = (0..=limits::MAX_DIGESTS_PER_SUBJECT)
        .map(|i| format!(r#""alg{i}":"00""#))
        .collect();
    let many = format!(r#"{{"name":"a","digest":{{{}}}}}"#, digests.join(","));
    assert_eq!(
        Statement::parse(st(many).as_bytes()).unwrap_err(),
        exceeded(Limit::DigestsPerSubject)
    );
}

fn descriptor(media_type: &str, digest: &str) -> String {
    format!(r#"{{"mediaType":"{media_type}","digest":"{digest}","size":1}}"#)
}

#[test]
fn manifest_bytes_and_descriptors() {
    let big = vec![b' '; limits::MAX_MANIFEST_BYTES + 1];
    assert_eq!(
        Index::parse(&big).unwrap_err(),
        exceeded(Limit::ManifestBytes)
    );
    assert_eq!(
        Manifest::parse(&big).unwrap_err(),
        exceeded(Limit::ManifestBytes)
    );
    let d = descriptor(
        "application/vnd.oci.image.manifest.v1+json",
        &format!("sha256:{HEX}"),
    );
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
        repeat_json(&d, limits::MAX_DESCRIPTORS + 1)
    );
    assert_eq!(
        Index::parse(index.as_bytes()).unwrap_err(),
        exceeded(Limit::Descriptors)
    );
}

#[test]
fn attestation_manifests_per_image() {
    let att = |i: usize| {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{:064x}","size":1,
                "annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"sha256:{HEX}"}}}}"#,
            i
        )
    };
    let entries: Vec<String> = (0..=limits::MAX_ATTESTATION_MANIFESTS).map(att).collect();
    let index = Index::parse(
        format!(
            r#"{{"schemaVersion":2,"manifests":[{}]}}"#,
            entries.join(",")
        )
        .as_bytes(),
    )
    .unwrap();
    let image = Digest::parse(&format!("sha256:{HEX}")).unwrap();
    assert_eq!(
        index.attestations_for(&image).unwrap_err(),
        exceeded(Limit::AttestationManifests)
    );
}

/// JSON nested deeper than serde_json's 128 levels fails as malformed JSON, on every parse path,
/// without exhausting the (small, in wasm) stack. (An envelope's members are read in place: a
/// deep array where a string belongs is that member's error; a deep unknown or predicate value
/// is malformed.)
#[test]
fn deep_json_nesting() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let obj = format!(r#"{{"payloadType":{deep}}}"#);
    assert_eq!(
        Envelope::parse(obj.as_bytes()).unwrap_err(),
        VerifyError::InvalidField {
            what: "DSSE envelope",
            field: "payloadType"
        }
    );
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[{{"digest":{{"sha256":"{HEX}"}}}}],"predicate":{deep}}}"#
    );
    assert_eq!(
        Statement::parse(statement.as_bytes()).unwrap_err(),
        VerifyError::MalformedJson {
            what: "in-toto predicate"
        }
    );
    let unknown = statement.replace("\"predicate\"", "\"x\"");
    assert_eq!(
        Statement::parse(unknown.as_bytes()).unwrap_err(),
        VerifyError::MalformedJson {
            what: "in-toto statement"
        }
    );
    assert_eq!(
        Jwks::from_json(br#"{"keys":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}"#)
            .unwrap_err()
            .code(),
        "invalid_field"
    );
    // An index's entries are read in place: a deep array where descriptors belong is the
    // `manifests` member's error; a deep unknown member is malformed.
    let nested = format!(r#"{{"schemaVersion":2,"manifests":{deep}}}"#);
    assert_eq!(
        Index::parse(nested.as_bytes()).unwrap_err(),
        VerifyError::InvalidField {
            what: "OCI index",
            field: "manifests"
        }
    );
    let unknown = format!(r#"{{"schemaVersion":2,"manifests":[],"x":{deep}}}"#);
    assert_eq!(
        Index::parse(unknown.as_bytes()).unwrap_err().code(),
        "malformed_json"
    );
}

/// A base64 string as large as the envelope bound is refused by its encoded length, before any
/// decoding (the envelope limit applies to the whole text).
#[test]
fn huge_base64_is_refused_before_decoding() {
    let payload = "A".repeat(limits::MAX_ENVELOPE_BYTES);
    let env =
        format!(r#"{{"payloadType":"x","payload":"{payload}","signatures":[{{"sig":"AA=="}}]}}"#);
    assert_eq!(
        Envelope::parse(env.as_bytes()).unwrap_err(),
        exceeded(Limit::EnvelopeBytes)
    );
}
