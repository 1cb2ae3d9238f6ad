//! `F64Ring` — one value at a time, and two at once in the SIMD lanes — against crypto-bigint's
//! Montgomery arithmetic (the reference) on random moduli of every width and at the extremes.
//! Runs natively (the scalar lanes) and, under `cargo test --target wasm32-unknown-unknown`, in
//! headless Chromium (the SIMD128 lanes the page runs) — twice: as built by default, and with
//! relaxed SIMD (`--config .cargo/relaxed-simd.toml`, the page's second wasm build).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use opk_monty::F64Ring;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The reference: crypto-bigint's Montgomery arithmetic, big-endian in and out.
struct Reference {
    params: BoxedMontyParams,
    precision: u32,
}

impl Reference {
    fn new(n: &Odd<BoxedUint>) -> Self {
        Self {
            params: BoxedMontyParams::new_vartime(n.clone()),
            precision: n.bits_precision(),
        }
    }
    fn element(&self, be: &[u8]) -> BoxedMontyForm {
        let x = BoxedUint::from_be_slice(be, self.precision).unwrap();
        BoxedMontyForm::new(x, &self.params)
    }
    fn bytes(&self, x: &BoxedMontyForm, n_bytes: usize) -> Vec<u8> {
        let be = x.retrieve().to_be_bytes();
        let mut out = vec![0; n_bytes.saturating_sub(be.len())];
        out.extend_from_slice(&be[be.len().saturating_sub(n_bytes)..]);
        out
    }
}

fn bytes(ring: &F64Ring, x: &opk_monty::Element, n_bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    ring.write(x, n_bytes, &mut out);
    out
}

/// xorshift64*: deterministic test inputs without an RNG dependency.
struct Xorshift(u64);
impl Xorshift {
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }
}

/// Odd, with the top bit set.
fn odd(mut be: Vec<u8>) -> Odd<BoxedUint> {
    if let Some(last) = be.last_mut() {
        *last |= 1;
    }
    if let Some(first) = be.first_mut() {
        *first |= 0x80;
    }
    Option::from(Odd::new(BoxedUint::from_be_slice_vartime(&be))).unwrap()
}

/// Below `n` (big-endian, `n_bytes` long): clear the top bit.
fn below(mut be: Vec<u8>) -> Vec<u8> {
    be[0] &= 0x7f;
    be
}

fn check(n: &Odd<BoxedUint>, n_bytes: usize, a: &[u8], b: &[u8]) {
    let fast = F64Ring::new(n).unwrap();
    let reference = Reference::new(n);
    let (fa, _) = fast.element(a).unwrap();
    let (fb, _) = fast.element(b).unwrap();
    let (ra, rb) = (reference.element(a), reference.element(b));
    assert_eq!(
        bytes(&fast, &fast.mul(&fa, &fb), n_bytes),
        reference.bytes(&ra.mul(&rb), n_bytes)
    );
    assert_eq!(
        bytes(&fast, &fast.square(&fa), n_bytes),
        reference.bytes(&ra.mul(&ra), n_bytes)
    );
    // A chain of operations stays in [0, 2n) and agrees too.
    let (mut f, mut r) = (fa, ra.clone());
    for _ in 0..20 {
        f = fast.mul(&fast.square(&f), &fb);
        r = r.mul(&r).mul(&rb);
    }
    assert_eq!(bytes(&fast, &f, n_bytes), reference.bytes(&r, n_bytes));
    // Round trip.
    assert_eq!(bytes(&fast, &fa, n_bytes), a.to_vec());
    check_pairs(&fast, &reference, n_bytes, (&fa, &ra), (&fb, &rb));
    check_pair_conversions(&fast, n_bytes, a, b);
    check_plain_pairs(&fast, &reference, n_bytes, a, b);
}

/// Plain values: into Montgomery form and back, and the product by a plain value that leaves
/// Montgomery form (`a·b` and `b·a` in the two lanes, each agreeing with the reference).
fn check_plain_pairs(fast: &F64Ring, reference: &Reference, n_bytes: usize, a: &[u8], b: &[u8]) {
    let (ab, zero) = fast.plain_pair(a, b).unwrap();
    let is_zero = |x: &[u8]| x.iter().all(|byte| *byte == 0);
    assert_eq!(zero, [is_zero(a), is_zero(b)]);
    let mut out = Vec::new();
    fast.write_plain_pair(&ab, n_bytes, &mut out);
    assert_eq!(out, [a, b].concat());
    let mont = fast.to_montgomery(&ab);
    let (x, y) = fast.unpair(&mont);
    assert_eq!(bytes(fast, &x, n_bytes), a);
    assert_eq!(bytes(fast, &y, n_bytes), b);
    let (ba, _) = fast.plain_pair(b, a).unwrap();
    let product = reference.bytes(&reference.element(a).mul(&reference.element(b)), n_bytes);
    out.clear();
    fast.write_plain_pair(&fast.mul_plain(&mont, &ba), n_bytes, &mut out);
    assert_eq!(out, [product.clone(), product].concat());
    // After a chain in Montgomery form (values anywhere in [0, 2n)).
    let mut x = mont;
    let (mut ra, mut rb) = (reference.element(a), reference.element(b));
    for _ in 0..5 {
        x = fast.square_pair(&x);
        ra = ra.mul(&ra);
        rb = rb.mul(&rb);
    }
    out.clear();
    fast.write_plain_pair(&fast.mul_plain(&x, &ba), n_bytes, &mut out);
    let expected = [
        reference.bytes(&ra.mul(&reference.element(b)), n_bytes),
        reference.bytes(&rb.mul(&reference.element(a)), n_bytes),
    ];
    assert_eq!(out, expected.concat());
}

/// The two-lane products: each lane agrees with the reference, with different values in the
/// two lanes (`a, b` against `b, a`), through a chain of squarings and products.
fn check_pairs(
    fast: &F64Ring,
    reference: &Reference,
    n_bytes: usize,
    (fa, ra): (&opk_monty::Element, &BoxedMontyForm),
    (fb, rb): (&opk_monty::Element, &BoxedMontyForm),
) {
    let lanes = |p: &opk_monty::ElementPair| {
        let (x, y) = fast.unpair(p);
        (bytes(fast, &x, n_bytes), bytes(fast, &y, n_bytes))
    };
    let ab = fast.pair(fa, fb);
    let ba = fast.pair(fb, fa);
    assert_eq!(
        lanes(&ab),
        (reference.bytes(ra, n_bytes), reference.bytes(rb, n_bytes))
    );
    let product = reference.bytes(&ra.mul(rb), n_bytes);
    assert_eq!(lanes(&fast.mul_pair(&ab, &ba)), (product.clone(), product));
    assert_eq!(
        lanes(&fast.square_pair(&ab)),
        (
            reference.bytes(&ra.mul(ra), n_bytes),
            reference.bytes(&rb.mul(rb), n_bytes)
        )
    );
    let (mut f, mut x, mut y) = (ab, ra.clone(), rb.clone());
    for _ in 0..20 {
        f = fast.mul_pair(&fast.square_pair(&f), &ba);
        x = x.mul(&x).mul(rb);
        y = y.mul(&y).mul(ra);
    }
    assert_eq!(
        lanes(&f),
        (reference.bytes(&x, n_bytes), reference.bytes(&y, n_bytes))
    );
}

/// Both lanes enter Montgomery form together, each with its own value.
fn check_pair_conversions(fast: &F64Ring, n_bytes: usize, a: &[u8], b: &[u8]) {
    let (p, zero) = fast.element_pair(a, b).unwrap();
    let is_zero = |x: &[u8]| x.iter().all(|byte| *byte == 0);
    assert_eq!(zero, [is_zero(a), is_zero(b)]);
    // The same values one at a time.
    let (x, y) = fast.unpair(&p);
    assert_eq!(bytes(fast, &x, n_bytes), a);
    assert_eq!(bytes(fast, &y, n_bytes), b);
}

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

/// The tests run on the build they were asked for: `.cargo/relaxed-simd.toml` sets
/// `OPK_RELAXED_SIMD` beside the relaxed-SIMD target feature, so a run meant for the relaxed
/// build that silently compiled the SIMD128 one (or the reverse) fails here.
#[test]
fn built_with_the_requested_simd() {
    assert_eq!(
        option_env!("OPK_RELAXED_SIMD").is_some(),
        cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd"))
    );
}
