//! Third-party DSSE vectors through our DSSE layer: the protocol's own test vector (PAE and an
//! ES256 signature over it) and sigstore-conformance's in-toto envelopes, which parse, bind their
//! statement to the artifact, and are refused as OpenPubkey attestations (they are not OPK-signed).

mod common;

use opk_verify::dsse::{pae, Envelope};
use opk_verify::intoto::Statement;
use opk_verify::jose::{es256, Jwk, PublicKey};
use opk_verify::{verify_envelope, Policy, TrustRoots, UnixTime};
use serde_json::Value;

const PROTOCOL: &[u8] = include_bytes!("vectors/third-party/dsse_protocol_test_vector.json");
const SIGSTORE: &[u8] =
    include_bytes!("vectors/third-party/sigstore_conformance_dsse_layer_cases.json");

#[test]
fn dsse_protocol_vector_pae_and_signature() {
    let v: Value = serde_json::from_slice(PROTOCOL).unwrap();
    let vec = &v["vector"];
    for key in ["envelope_protocol_md", "envelope_signing_spec_py"] {
        let env = Envelope::parse(vec[key].to_string().as_bytes()).unwrap();
        assert_eq!(env.payload, b"hello world");
        let p = env.pae();
        assert_eq!(p, vec["pae_utf8"].as_str().unwrap().as_bytes());
        assert_eq!(
            opk_verify::hex::encode(&p),
            v["derived_locally"]["pae_hex"].as_str().unwrap()
        );
        let jwk =
            Jwk::from_json(v["derived_locally"]["public_jwk"].to_string().as_bytes()).unwrap();
        let PublicKey::Ec(key) = &jwk.key else {
            panic!("not EC")
        };
        let sig = &env.signatures[0].sig;
        assert!(es256::verify(key, &p, sig));
        // PAE binds payloadType: the same signature fails for another type.
        assert!(!es256::verify(
            key,
            &pae(b"http://example.com/Other", b"hello world"),
            sig
        ));
        // And the raw payload (no PAE) is not what was signed.
        assert!(!es256::verify(key, b"hello world", sig));
    }
}

#[test]
fn sigstore_conformance_envelopes() {
    let v: Value = serde_json::from_slice(SIGSTORE).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    let trust = TrustRoots::bundled().unwrap();
    let policy = Policy::builder().any_identity_unsafe().build().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let bytes = case["dsse_envelope"].to_string().into_bytes();
        let env = Envelope::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let stmt = Statement::parse(&env.payload).unwrap_or_else(|e| panic!("{name}: {e}"));
        let artifact = case["artifact_sha256"].as_str().unwrap();
        assert_eq!(
            stmt.subject_with_sha256(artifact).is_some(),
            case["computed_locally"]["in_toto_subject_matches_artifact_sha256"]
                .as_bool()
                .unwrap(),
            "{name}"
        );
        // Not OpenPubkey: the signatures are DER ECDSA by a Fulcio key, never a PK token.
        let err = verify_envelope(&bytes, artifact, &trust, &policy, UnixTime(1_795_000_000))
            .unwrap_err();
        assert!(
            matches!(
                err.error.code(),
                "unsupported_format" | "malformed_json" | "unsupported_alg"
            ),
            "{name}: {:?}",
            err.error
        );
    }
}
