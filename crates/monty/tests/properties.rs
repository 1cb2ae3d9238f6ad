//! Property tests (proptest, natively): the f64 ring — the arithmetic every browser runs, here
//! on its scalar lanes — agrees with crypto-bigint's Montgomery arithmetic on random odd moduli
//! of any width up to 2048 bits (top bits clear or set) and random operands below them, for
//! single products and squares, chains of them, both lanes of a pair and the conversions.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use crypto_bigint::{BoxedUint, Odd};
use proptest::prelude::*;

/// `be mod n`, as exactly `n_bytes` big-endian bytes.
fn reduce(be: &[u8], n: &Odd<BoxedUint>, n_bytes: usize) -> Vec<u8> {
    let nz = n.as_ref().to_nz().unwrap();
    let r = BoxedUint::from_be_slice_vartime(be).rem_vartime(&nz);
    let trimmed = r.to_be_bytes_trimmed_vartime();
    let mut out = vec![0; n_bytes - trimmed.len()];
    out.extend_from_slice(&trimmed);
    out
}

/// A modulus of 1 to 256 bytes (any bits), and two operand seeds of the same length.
fn inputs() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>)> {
    (1usize..=256).prop_flat_map(|len| {
        let bytes = || proptest::collection::vec(any::<u8>(), len);
        (bytes(), bytes(), bytes())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn f64_ring_agrees_with_crypto_bigint_on_random_moduli_and_operands((mut n, a, b) in inputs()) {
        if let Some(last) = n.last_mut() {
            *last |= 1;
        }
        let n_bytes = n.len();
        let n = BoxedUint::from_be_slice_vartime(&n);
        prop_assume!(n > BoxedUint::one());
        let n: Odd<BoxedUint> = Option::from(Odd::new(n)).unwrap();
        let (a, b) = (reduce(&a, &n, n_bytes), reduce(&b, &n, n_bytes));
        common::check(&n, n_bytes, &a, &b);
    }
}
