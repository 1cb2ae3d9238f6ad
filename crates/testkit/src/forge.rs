//! A test-only OpenID provider and PK-token builder: signs ID tokens with a fixed RSA test key
//! (keys/test_op_rsa2048.json), proves them with our GQ signer, and builds PK tokens in every
//! format with a deterministic P-256 ephemeral key, so tests can mutate any byte.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::BoxedUint;
use opk_verify::b64::encode_url as b64;
use opk_verify::jose::{Jwks, RsaKey};
use opk_verify::{gq, KeySource, TrustRoots};
use p256::ecdsa::signature::Signer as _;
use serde_json::{json, Value};
use sha3::Digest as _;

pub const TEST_ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const TEST_KID: &str = "TEST-OP-KEY-1";
const KEY: &[u8] = include_bytes!("../keys/test_op_rsa2048.json");

pub struct TestOp {
    n: Vec<u8>,
    d: Vec<u8>,
    pub key: RsaKey,
}

impl Default for TestOp {
    fn default() -> Self {
        Self::new()
    }
}

impl TestOp {
    pub fn new() -> Self {
        let v: Value = serde_json::from_slice(KEY).unwrap();
        let n = crate::hex_decode(v["n_hex"].as_str().unwrap());
        let d = crate::hex_decode(v["d_hex"].as_str().unwrap());
        let key = RsaKey::from_be_bytes(&n, &[1, 0, 1]).unwrap();
        Self { n, d, key }
    }

    pub fn jwks(&self) -> Vec<u8> {
        json!({"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":TEST_KID,"n":b64(&self.n),"e":"AQAB"}]})
            .to_string()
            .into_bytes()
    }

    /// Bundled roots plus this OP's key for the GitHub issuer.
    pub fn trust(&self) -> TrustRoots {
        let mut t = TrustRoots::bundled().unwrap();
        let jwks = Jwks::from_json(&self.jwks()).unwrap();
        t.add_jwks(
            TEST_ISSUER,
            &jwks,
            &KeySource::UserSupplied {
                label: "test-op".into(),
            },
        )
        .unwrap();
        t
    }

    /// Raw RSA signature (EMSA-PKCS1-v1_5/SHA-256)^d mod n of `msg`.
    pub fn rs256(&self, msg: &[u8]) -> Vec<u8> {
        let em = gq::pkcs1v15_sha256_encoding(msg, self.n.len()).unwrap();
        let n = self.key.modulus().clone();
        let params = BoxedMontyParams::new_vartime(n.clone());
        let m = BoxedUint::from_be_slice(&em, n.bits_precision()).unwrap();
        let s = BoxedMontyForm::new(m, &params)
            .pow(&BoxedUint::from_be_slice(&self.d, n.bits_precision()).unwrap())
            .retrieve();
        let be = s.to_be_bytes();
        be[be.len() - self.n.len()..].to_vec()
    }

    /// An RS256 ID token: (header_b64, payload_b64, signature bytes).
    pub fn issue(&self, claims: &Value) -> (String, String, Vec<u8>) {
        let h = b64(json!({"typ":"JWT","alg":"RS256","kid":TEST_KID})
            .to_string()
            .as_bytes());
        let p = b64(claims.to_string().as_bytes());
        let sig = self.rs256(format!("{h}.{p}").as_bytes());
        (h, p, sig)
    }
}

pub fn rng() -> impl FnMut(&mut [u8]) {
    let mut state = sha3::Sha3_256::digest(b"opk test rng").to_vec();
    move |buf: &mut [u8]| {
        for chunk in buf.chunks_mut(32) {
            state = sha3::Sha3_256::digest(&state).to_vec();
            chunk.copy_from_slice(&state[..chunk.len()]);
        }
    }
}

/// The ephemeral key and its CIC header.
pub struct Client {
    pub sk: p256::ecdsa::SigningKey,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Self {
        Self {
            sk: p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap(),
        }
    }
    /// Sorted-key CIC header JSON, as jwx writes it.
    pub fn cic_header(&self, att: Option<&str>, typ: bool) -> String {
        let point = self.sk.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        let (x, y) = (b64(&bytes[1..33]), b64(&bytes[33..]));
        let mut h = serde_json::Map::new();
        h.insert("alg".into(), "ES256".into());
        if let Some(a) = att {
            h.insert("att".into(), a.into());
        }
        h.insert(
            "rz".into(),
            "a359793b427d57924245d1bb4851801c533199f97082dda0bdec5a074c6d1ee9".into(),
        );
        if typ {
            h.insert("typ".into(), "CIC".into());
        }
        h.insert(
            "upk".into(),
            json!({"alg":"ES256","crv":"P-256","kty":"EC","x":x,"y":y}),
        );
        Value::Object(h).to_string()
    }
    pub fn sign(&self, input: &str) -> String {
        let sig: p256::ecdsa::Signature = self.sk.sign(input.as_bytes());
        b64(&sig.to_bytes())
    }
}

pub fn commitment(cic_header_json: &str) -> String {
    opk_verify::sign::commitment(cic_header_json)
}

pub fn github_claims(aud: &str) -> Value {
    json!({
        "jti":"j","sub":"repo:openpubkey/demo:ref:refs/heads/main","aud":aud,"ref":"refs/heads/main",
        "sha":"6b29027d7ddae1c2dcdcfb88ab402473af5d20c8","repository":"openpubkey/demo",
        "repository_owner":"openpubkey","repository_owner_id":"145685596","run_id":"6628353581",
        "event_name":"push","workflow_ref":"openpubkey/demo/.github/workflows/docker-build.yaml@refs/heads/main",
        "iss":TEST_ISSUER,"nbf":1698141600,"exp":1698142500,"iat":1698141900
    })
}

/// The parts of a PK token before serialisation, so tests can mutate any of them.
#[derive(Clone)]
pub struct Parts {
    pub payload: String,
    pub op_protected: String,
    pub op_sig: String,
    pub cic_protected: String,
    pub cic_sig: String,
    pub sig_type: bool,
}

impl Parts {
    /// F0: sig_type routing, CIC first, original header, GQ over `OPPH.P`.
    pub fn f0_json(&self) -> Vec<u8> {
        format!(
            r#"{{"payload":"{}","signatures":[{{"protected":"{}","header":{{"sig_type":"cic"}},"signature":"{}"}},{{"protected":"{}","header":{{"sig_type":"oidc_gq"}},"signature":"{}"}}]}}"#,
            self.payload, self.cic_protected, self.cic_sig, self.op_protected, self.op_sig
        )
        .into_bytes()
    }
    /// F2/F3 JSON: typ routing, OP first.
    pub fn typed_json(&self) -> Vec<u8> {
        format!(
            r#"{{"payload":"{}","signatures":[{{"protected":"{}","signature":"{}"}},{{"protected":"{}","signature":"{}"}}]}}"#,
            self.payload, self.op_protected, self.op_sig, self.cic_protected, self.cic_sig
        )
        .into_bytes()
    }
    pub fn compact(&self) -> Vec<u8> {
        format!(
            "{}:{}:{}:{}:{}",
            self.payload, self.op_protected, self.op_sig, self.cic_protected, self.cic_sig
        )
        .into_bytes()
    }
}

/// Which GQ message a GQ256 token uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum GqKind {
    /// F0/F1: original header, message = identity.
    Original,
    /// F2: GQ256 header, message = `kid.P`.
    F2,
    /// F3: GQ256 header, message = `GQHDR.P`.
    F3,
}

/// Builds a complete, valid token for `att` with the given claims tweak.
pub fn build(
    op: &TestOp,
    client: &Client,
    att: Option<&str>,
    kind: GqKind,
    tweak: impl FnOnce(&mut Value),
) -> Parts {
    let cic_json = client.cic_header(att, kind != GqKind::Original);
    build_with_cic(op, client, &cic_json, kind, tweak)
}

/// Like [`build`], with the exact CIC header bytes given.
pub fn build_with_cic(
    op: &TestOp,
    client: &Client,
    cic_json: &str,
    kind: GqKind,
    tweak: impl FnOnce(&mut Value),
) -> Parts {
    let typed = kind != GqKind::Original;
    let mut claims = github_claims(&commitment(cic_json));
    tweak(&mut claims);
    let (h, p, rsa_sig) = op.issue(&claims);
    let identity = format!("{h}.{p}");
    let mut fill = rng();
    let (op_protected, message) = match kind {
        GqKind::Original => (h.clone(), identity.clone()),
        GqKind::F2 => (
            b64(json!({"alg":"GQ256","kid":h,"typ":"JWT"})
                .to_string()
                .as_bytes()),
            identity.clone(),
        ),
        GqKind::F3 => {
            let gh = b64(json!({"alg":"GQ256","kid":h,"typ":"JWT"})
                .to_string()
                .as_bytes());
            let m = format!("{gh}.{p}");
            (gh, m)
        }
    };
    let proof = gq::sign(
        &op.key,
        identity.as_bytes(),
        &rsa_sig,
        message.as_bytes(),
        &mut fill,
    )
    .unwrap();
    let cic_protected = b64(cic_json.as_bytes());
    let cic_sig = client.sign(&format!("{cic_protected}.{p}"));
    Parts {
        payload: p,
        op_protected,
        op_sig: b64(&proof),
        cic_protected,
        cic_sig,
        sig_type: !typed,
    }
}

/// A BuildKit-style F0 DSSE envelope over `statement`, signed by `op`.
pub fn envelope(op: &TestOp, client: &Client, statement: &[u8]) -> Vec<u8> {
    envelope_with_claims(op, client, statement, |_| {})
}

/// [`envelope`], with the token's claims changed by `mutate` before signing.
pub fn envelope_with_claims(
    op: &TestOp,
    client: &Client,
    statement: &[u8],
    mutate: impl FnOnce(&mut Value),
) -> Vec<u8> {
    let pae = opk_verify::dsse::pae(opk_verify::dsse::IN_TOTO_PAYLOAD_TYPE.as_bytes(), statement);
    let att = opk_verify::hex::encode(&sha2::Sha256::digest(&pae));
    let parts = build(op, client, Some(&att), GqKind::Original, mutate);
    envelope_with(statement, &[parts.f0_json()])
}

pub fn envelope_with(statement: &[u8], pk_tokens: &[Vec<u8>]) -> Vec<u8> {
    opk_verify::sign::dsse_envelope(statement, pk_tokens)
}

pub const STATEMENT: &str = r#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[{"name":"pkg:docker/openpubkey/demo@main?platform=linux%2Famd64","digest":{"sha256":"3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8"}}],"predicate":{}}"#;
