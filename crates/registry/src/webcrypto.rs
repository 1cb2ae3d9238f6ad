//! The browser's WebCrypto as a fast path for ES256 (about ten times faster than `p256` in
//! WebAssembly): each CIC signature an envelope's verification will check is verified by
//! `crypto.subtle.verify` first, and only those it accepts are handed to the core as prechecked
//! (see `opk_verify::prechecked`). A signature WebCrypto rejects, or cannot check (no
//! `crypto.subtle` outside a secure context, an import error), is verified by the core itself,
//! which stays the reference. The browser tests check both agree on valid and mutated input.

use js_sys::{Array, Reflect, Uint8Array};
use opk_verify::prechecked::{es256_checks, Es256Check, Es256Prechecked};
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, EcKeyImportParams, EcdsaParams, SubtleCrypto};

/// `crypto.subtle` of this global scope (window or worker), if there is one.
fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.dyn_into::<SubtleCrypto>().ok()
}

/// WebCrypto's verdict on one ES256 triple; `None` if it could not be asked.
pub async fn webcrypto_es256(check: &Es256Check) -> Option<bool> {
    let subtle = subtle()?;
    let mut point = Vec::with_capacity(65);
    point.push(0x04);
    point.extend_from_slice(&check.key_xy);
    let params = EcKeyImportParams::new("ECDSA");
    params.set_named_curve("P-256");
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = subtle
        .import_key_with_object(
            "raw",
            &Uint8Array::from(point.as_slice()),
            &params,
            false,
            &usages,
        )
        .ok()?;
    let key: CryptoKey = JsFuture::from(import).await.ok()?.dyn_into().ok()?;
    let alg = EcdsaParams::new_with_str("ECDSA", "SHA-256");
    let verify = subtle
        .verify_with_object_and_u8_array_and_u8_array(&alg, &key, &check.signature, &check.message)
        .ok()?;
    JsFuture::from(verify).await.ok()?.as_bool()
}

/// The CIC signatures of `envelope` that WebCrypto accepts.
pub async fn es256_prechecked(envelope: &[u8]) -> Es256Prechecked {
    let mut accepted = Vec::new();
    for check in es256_checks(envelope) {
        if webcrypto_es256(&check).await == Some(true) {
            accepted.push(check);
        }
    }
    Es256Prechecked::accepted(accepted)
}
