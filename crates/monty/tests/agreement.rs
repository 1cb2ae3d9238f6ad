//! `F64Ring` — one value at a time, and two at once in the SIMD lanes — against crypto-bigint's
//! Montgomery arithmetic (the reference) on random moduli of every width and at the extremes.
//! Runs natively (the scalar lanes) and, under `cargo test --target wasm32-unknown-unknown`, in
//! headless Chromium (the SIMD128 lanes the page runs).

mod common;

use common::{below, check, odd, Xorshift};
use opk_monty::F64Ring;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn agrees_with_crypto_bigint_on_random_moduli_of_every_width() {
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    for n_bytes in (8..=256).step_by(8).chain([255, 256, 256, 256]) {
        for _ in 0..4 {
            let n = odd(rng.bytes(n_bytes));
            let a = below(rng.bytes(n_bytes));
            let b = below(rng.bytes(n_bytes));
            check(&n, n_bytes, &a, &b);
        }
    }
}

#[test]
fn agrees_at_the_extremes() {
    // n = 2^2048 − 1 (every limb full), operands n − 1 and 1, and 0: the largest column sums.
    let n = odd(vec![0xff; 256]);
    let mut n_minus_1 = vec![0xff; 256];
    n_minus_1[255] = 0xfe;
    let mut one = vec![0; 256];
    one[255] = 1;
    check(&n, 256, &n_minus_1, &n_minus_1);
    check(&n, 256, &n_minus_1, &one);
    check(&n, 256, &[0; 256], &n_minus_1);
    // The smallest 2048-bit modulus.
    let mut small = vec![0; 256];
    small[0] = 0x80;
    small[255] = 1;
    let mut a = small.clone();
    a[255] = 0;
    check(&odd(small), 256, &a, &a);
}

#[test]
fn refuses_what_is_not_below_n_and_moduli_over_2048_bits() {
    let n = odd(vec![0xc3; 32]);
    let ring = F64Ring::new(&n).unwrap();
    let mut n_be = vec![0xc3; 32];
    n_be[0] |= 0x80;
    n_be[31] |= 1;
    assert!(ring.element(&n_be).is_none());
    assert!(ring.element(&[0xff; 33]).is_none());
    let (_, zero) = ring.element(&[0; 32]).unwrap();
    assert!(zero);
    // A pair is refused if either lane is not below n.
    assert!(ring.element_pair(&n_be, &[1]).is_none());
    assert!(ring.element_pair(&[1], &n_be).is_none());
    let (_, zero) = ring.element_pair(&[0; 32], &[1]).unwrap();
    assert_eq!(zero, [true, false]);
    assert!(ring.plain_pair(&n_be, &[1]).is_none());
    assert!(ring.plain_pair(&[1], &n_be).is_none());
    let (_, zero) = ring.plain_pair(&[1], &[0; 32]).unwrap();
    assert_eq!(zero, [false, true]);
    assert!(F64Ring::new(&odd(vec![0x81; 257])).is_none());
    assert!(F64Ring::new(&odd(vec![0xff; 256])).is_some());
}
