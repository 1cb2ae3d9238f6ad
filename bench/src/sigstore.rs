//! Sigstore bundles for the bench page: sigstore-conformance's public-good bundles (a message
//! signature, v0.3, and an in-toto DSSE envelope, v0.3), each verified whole — parse, Rekor
//! entry (SET, inclusion proof, signed checkpoint), certificate chain, SCT, identity — under
//! the bundled public-good root, timed against `@freedomofpress/sigstore-browser` (WebCrypto)
//! on the same bytes in the same page.

use opk_verify::sigstore::trusted_root::{RootSource, TrustedRoot};
use opk_verify::sigstore::{verify_bundle, Artifact, SigstoreTrust};
use opk_verify::{Policy, UnixTime};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const ROOT: &[u8] = include_bytes!("../../public/trust/sigstore/public-good.trusted_root.json");
const MESSAGE: &[u8] = include_bytes!(
    "../../crates/verify/tests/vectors/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json"
);
const DSSE: &[u8] = include_bytes!(
    "../../crates/verify/tests/vectors/sigstore-conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"
);
const ARTIFACT: &[u8] =
    include_bytes!("../../crates/verify/tests/vectors/sigstore-conformance/a.txt");
const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";
const NOW: UnixTime = UnixTime(1_796_601_600);

/// The two bundles, the root and the policy, parsed once.
#[wasm_bindgen]
pub struct SigstoreCases {
    trust: Rc<SigstoreTrust>,
    policy: Rc<Policy>,
}

#[wasm_bindgen]
impl SigstoreCases {
    /// Parses the root and checks both bundles verify once.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<SigstoreCases, JsError> {
        let root = TrustedRoot::parse(
            ROOT,
            RootSource::Bundled {
                label: "public good".into(),
            },
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        let policy = Policy::builder()
            .issuer(ISSUER)
            .certificate_identity(IDENTITY)
            .build()
            .map_err(|e| JsError::new(&e.to_string()))?;
        let cases = SigstoreCases {
            trust: Rc::new(SigstoreTrust {
                root,
                keys: Vec::new(),
            }),
            policy: Rc::new(policy),
        };
        if !(cases.message(1) && cases.dsse(1)) {
            return Err(JsError::new("a Sigstore bundle does not verify"));
        }
        Ok(cases)
    }

    fn verify(&self, bundle: &[u8], n: u32) -> bool {
        (0..n).fold(false, |_, _| {
            verify_bundle(
                bundle,
                Artifact::Bytes(ARTIFACT),
                &self.trust,
                &self.policy,
                NOW,
            )
            .is_ok()
        })
    }

    /// The message-signature bundle verified whole, `n` times; whether the last one verified.
    pub fn message(&self, n: u32) -> bool {
        self.verify(MESSAGE, n)
    }
    /// The DSSE bundle (its subject: the artifact) verified whole, `n` times.
    pub fn dsse(&self, n: u32) -> bool {
        self.verify(DSSE, n)
    }
    /// The message-signature bundle as the page verifies it — WebCrypto checks its ECDSA
    /// signatures first (`opk_pipeline::webcrypto::verify_bundle`) — `n` times; resolves to
    /// whether the last one verified.
    pub fn message_webcrypto(&self, n: u32) -> js_sys::Promise {
        self.webcrypto(MESSAGE, n)
    }
    /// The DSSE bundle, the same way.
    pub fn dsse_webcrypto(&self, n: u32) -> js_sys::Promise {
        self.webcrypto(DSSE, n)
    }

    fn webcrypto(&self, bundle: &'static [u8], n: u32) -> js_sys::Promise {
        let (trust, policy) = (Rc::clone(&self.trust), Rc::clone(&self.policy));
        wasm_bindgen_futures::future_to_promise(async move {
            let mut ok = false;
            for _ in 0..n {
                ok = opk_pipeline::webcrypto::verify_bundle(
                    &opk_pipeline::sigstore_module::Linked,
                    bundle,
                    Artifact::Bytes(ARTIFACT),
                    &trust,
                    &policy,
                    NOW,
                )
                .await
                .is_ok();
            }
            Ok(JsValue::from_bool(ok))
        })
    }

    /// The bundles, the root, the artifact and the identity, for the JS verifier.
    pub fn message_bundle(&self) -> String {
        String::from_utf8_lossy(MESSAGE).into_owned()
    }
    pub fn dsse_bundle(&self) -> String {
        String::from_utf8_lossy(DSSE).into_owned()
    }
    pub fn root_json(&self) -> String {
        String::from_utf8_lossy(ROOT).into_owned()
    }
    pub fn artifact(&self) -> Vec<u8> {
        ARTIFACT.to_vec()
    }
    pub fn identity(&self) -> String {
        IDENTITY.to_owned()
    }
    pub fn issuer(&self) -> String {
        ISSUER.to_owned()
    }
}
