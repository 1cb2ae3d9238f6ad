//! The benchmark page's WebAssembly (`bench/index.html`): the hot paths of `opk-verify` on the
//! same vectors as its criterion benches, each run `n` times per call so the page's timer sees
//! whole milliseconds, plus the inputs the page needs for its baselines (JS BigInt GQ, WebCrypto
//! RS256/ES256/SHA-256). Nothing here is used by the product. It exists only for wasm32.

#![cfg(target_arch = "wasm32")]
#![forbid(unsafe_code)]

mod sigstore;

use opk_verify::jose::{es256, rs256, EcKey, Jwks, PublicKey, RsaKey};
use opk_verify::pktoken::{Cic, PkToken};
use opk_verify::{gq, KeySource, Policy, TrustRoots, UnixTime, GITHUB_ACTIONS_ISSUER};
use std::rc::Rc;

use sha2::Digest as _;
use wasm_bindgen::prelude::*;

const VECTORS: &str = "../../crates/verify/tests/vectors/";
const GQ_JWT: &str = include_str!(
    "../../crates/verify/tests/vectors/gq_dfa5678_over_real_github_idtoken_2022-08.jwt"
);
const RS_JWT: &str =
    include_str!("../../crates/verify/tests/vectors/github_idtoken_2022-08_stepsecurity.jwt");
const JWKS_2022: &str =
    include_str!("../../crates/verify/tests/vectors/github_jwks_2022-08_stepsecurity.json");
const KID_2022: &str = "78167F727DEC5D801DD1C8784C704A1C880EC0E1";
const ENVELOPE: &[u8] = include_bytes!("../../crates/verify/tests/vectors/dsse_provenance.json");
const SYNTHETIC_JWKS: &[u8] =
    include_bytes!("../../crates/verify/tests/vectors/synthetic_op_jwks.json");
const SUBJECT: &str = "sha256:3f1c9b8f0e2a4d5c6b7a8998a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8";
const NOW: UnixTime = UnixTime(1_795_000_000);

fn err(what: &str) -> JsError {
    JsError::new(&format!("bench vectors ({VECTORS}): {what}"))
}

/// Every benchmarked operation, parsed once.
#[wasm_bindgen]
pub struct Cases {
    rsa: RsaKey,
    gq_input: String,
    gq_proof: Vec<u8>,
    rs_input: String,
    rs_sig: Vec<u8>,
    upk: EcKey,
    es_input: String,
    es_sig: Vec<u8>,
    es_header_b64: String,
    trust: Rc<TrustRoots>,
    policy: Rc<Policy>,
    any: Rc<Policy>,
}

#[wasm_bindgen]
impl Cases {
    /// Parses the vectors and checks every case verifies once.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Cases, JsError> {
        let jwks = Jwks::from_json(JWKS_2022.as_bytes()).map_err(|e| err(&e.to_string()))?;
        let Some(PublicKey::Rsa(rsa)) = jwks.find(KID_2022).map(|k| k.key.clone()) else {
            return Err(err("no RSA key"));
        };
        let (gq_input, gq_sig) = GQ_JWT
            .trim()
            .rsplit_once('.')
            .ok_or_else(|| err("gq jwt"))?;
        let gq_proof =
            opk_verify::b64::decode_url(gq_sig, "gq").map_err(|e| err(&e.to_string()))?;
        let (rs_input, rs_sig) = RS_JWT
            .trim()
            .rsplit_once('.')
            .ok_or_else(|| err("rs jwt"))?;
        let rs_sig = opk_verify::b64::decode_url(rs_sig, "rs").map_err(|e| err(&e.to_string()))?;
        let env = opk_verify::dsse::Envelope::parse(ENVELOPE).map_err(|e| err(&e.to_string()))?;
        let sig = env.signatures.first().ok_or_else(|| err("no signature"))?;
        let pkt = PkToken::parse(&sig.sig).map_err(|e| err(&e.to_string()))?;
        let cic = Cic::from_header(&pkt.cic.header).map_err(|e| err(&e.to_string()))?;
        let es_input = format!("{}.{}", pkt.cic.protected_b64, pkt.payload_b64);
        let es_sig = opk_verify::b64::decode_url(&pkt.cic.signature_b64, "es")
            .map_err(|e| err(&e.to_string()))?;
        let mut trust = TrustRoots::bundled().map_err(|e| err(&e.to_string()))?;
        let synthetic = Jwks::from_json(SYNTHETIC_JWKS).map_err(|e| err(&e.to_string()))?;
        trust
            .add_jwks(
                GITHUB_ACTIONS_ISSUER,
                &synthetic,
                &KeySource::UserSupplied {
                    label: "bench".into(),
                },
            )
            .map_err(|e| err(&e.to_string()))?;
        let policy = Policy::builder()
            .repository_owner_id("145685596")
            .build()
            .map_err(|e| err(&e.to_string()))?;
        let any = Policy::builder()
            .any_identity_unsafe()
            .build()
            .map_err(|e| err(&e.to_string()))?;
        let cases = Cases {
            rsa,
            gq_input: gq_input.to_owned(),
            gq_proof,
            rs_input: rs_input.to_owned(),
            rs_sig,
            upk: cic.upk().clone(),
            es_input,
            es_sig,
            es_header_b64: pkt.cic.protected_b64.clone(),
            trust: Rc::new(trust),
            policy: Rc::new(policy),
            any: Rc::new(any),
        };
        let all =
            cases.gq(1) && cases.rs256(1) && cases.es256(1) && cases.envelope(1) && cases.jwt(1);
        if !all {
            return Err(err("a case does not verify"));
        }
        Ok(cases)
    }

    /// GQ256 verify (2048-bit) `n` times; whether the last one accepted.
    pub fn gq(&self, n: u32) -> bool {
        let m = self.gq_input.as_bytes();
        (0..n).fold(false, |_, _| gq::verify(&self.rsa, m, m, &self.gq_proof))
    }

    /// RS256 verify with the `rsa` crate, `n` times.
    pub fn rs256(&self, n: u32) -> bool {
        let m = self.rs_input.as_bytes();
        (0..n).fold(false, |_, _| rs256::verify(&self.rsa, m, &self.rs_sig))
    }

    /// ES256 verify with `p256` (the CIC signature), `n` times.
    pub fn es256(&self, n: u32) -> bool {
        let m = self.es_input.as_bytes();
        (0..n).fold(false, |_, _| es256::verify(&self.upk, m, &self.es_sig))
    }

    /// A whole F0 envelope verification (GQ, CIC, commitment, DSSE, statement, policy), `n`
    /// times.
    pub fn envelope(&self, n: u32) -> bool {
        (0..n).fold(false, |_, _| {
            opk_verify::verify_envelope(ENVELOPE, SUBJECT, &self.trust, &self.policy, NOW).is_ok()
        })
    }

    /// The same, as the browser runs it: WebCrypto checks the ES256 signature first (the fast
    /// path of `opk_pipeline::webcrypto`), `n` times; resolves to whether the last one verified.
    #[cfg(target_arch = "wasm32")]
    pub fn envelope_webcrypto(&self, n: u32) -> js_sys::Promise {
        let (trust, policy) = (Rc::clone(&self.trust), Rc::clone(&self.policy));
        wasm_bindgen_futures::future_to_promise(async move {
            let mut ok = false;
            for _ in 0..n {
                let pre = opk_pipeline::webcrypto::prechecked(ENVELOPE, &trust).await;
                ok = pre.len() == 1
                    && opk_verify::verify_envelope_prechecked(
                        ENVELOPE, SUBJECT, &trust, &policy, NOW, &pre,
                    )
                    .is_ok();
            }
            Ok(JsValue::from_bool(ok))
        })
    }

    /// A whole GitHub Actions ID token (RS256, the 2022 key from the bundled history) verified
    /// with any identity, all in wasm, `n` times; whether the last one verified.
    pub fn jwt(&self, n: u32) -> bool {
        (0..n).fold(false, |_, _| {
            opk_verify::verify_token(RS_JWT.as_bytes(), &self.trust, &self.any, NOW).is_ok()
        })
    }

    /// The same, as the page's offline view runs it: WebCrypto checks the RS256 signature first
    /// (`opk_pipeline::webcrypto`), `n` times; resolves to whether the last one verified.
    #[cfg(target_arch = "wasm32")]
    pub fn jwt_webcrypto(&self, n: u32) -> js_sys::Promise {
        let (trust, any) = (Rc::clone(&self.trust), Rc::clone(&self.any));
        wasm_bindgen_futures::future_to_promise(async move {
            let mut ok = false;
            for _ in 0..n {
                let pre = opk_pipeline::webcrypto::prechecked(RS_JWT.as_bytes(), &trust).await;
                ok = pre.len() == 1
                    && opk_verify::verify_token_prechecked(
                        RS_JWT.as_bytes(),
                        &trust,
                        &any,
                        NOW,
                        &pre,
                    )
                    .is_ok();
            }
            Ok(JsValue::from_bool(ok))
        })
    }

    /// The GQ modulus, big-endian.
    pub fn gq_modulus(&self) -> Vec<u8> {
        self.rsa.modulus_bytes().to_vec()
    }
    /// GQ's public value `G` (EMSA-PKCS1-v1_5 of the signed input).
    pub fn gq_public_value(&self) -> Vec<u8> {
        gq::pkcs1v15_sha256_encoding(self.gq_input.as_bytes(), self.rsa.modulus_len())
            .unwrap_or_default()
    }
    /// What the GQ proof commits to.
    pub fn gq_message(&self) -> Vec<u8> {
        self.gq_input.as_bytes().to_vec()
    }
    /// The GQ proof `R ‖ S_1 … S_t`.
    pub fn gq_proof(&self) -> Vec<u8> {
        self.gq_proof.clone()
    }
    /// The RS256 JWKS (JSON) and key id, input and signature, for WebCrypto.
    pub fn rs256_jwks(&self) -> String {
        JWKS_2022.to_owned()
    }
    pub fn rs256_kid(&self) -> String {
        KID_2022.to_owned()
    }
    pub fn rs256_input(&self) -> Vec<u8> {
        self.rs_input.as_bytes().to_vec()
    }
    pub fn rs256_signature(&self) -> Vec<u8> {
        self.rs_sig.clone()
    }
    /// The CIC's protected header (base64url JSON, carrying `upk`), input and signature.
    pub fn es256_header_b64(&self) -> String {
        self.es_header_b64.clone()
    }
    pub fn es256_input(&self) -> Vec<u8> {
        self.es_input.as_bytes().to_vec()
    }
    pub fn es256_signature(&self) -> Vec<u8> {
        self.es_sig.clone()
    }
}

/// OpenPubkey's GQ challenge hash (SHAKE256), for the JS BigInt baseline.
#[wasm_bindgen]
pub fn gq_challenge(w: &[u8], message: &[u8], k: usize) -> Vec<u8> {
    gq::shake256_challenge(w, message, k)
}

/// Streaming SHA-256 (the `sha2` crate, as the registry client hashes blobs).
#[wasm_bindgen]
#[derive(Default)]
pub struct Sha256Stream(sha2::Sha256);

#[wasm_bindgen]
impl Sha256Stream {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Self {
        Self::default()
    }
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }
    pub fn finish(self) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
}
