//! The reference the f64 ring is checked against (crypto-bigint's Montgomery arithmetic) and
//! the checks themselves, shared by `agreement.rs` (fixed inputs, natively and in Chromium) and
//! `properties.rs` (random moduli and operands, natively).
#![allow(dead_code)]

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};
use opk_monty::F64Ring;

/// The reference: crypto-bigint's Montgomery arithmetic, big-endian in and out.
pub struct Reference {
    params: BoxedMontyParams,
    precision: u32,
}

impl Reference {
    pub fn new(n: &Odd<BoxedUint>) -> Self {
        Self {
            params: BoxedMontyParams::new_vartime(n.clone()),
            precision: n.bits_precision(),
        }
    }
    pub fn element(&self, be: &[u8]) -> BoxedMontyForm {
        let x = BoxedUint::from_be_slice(be, self.precision).unwrap();
        BoxedMontyForm::new(x, &self.params)
    }
    pub fn bytes(&self, x: &BoxedMontyForm, n_bytes: usize) -> Vec<u8> {
        let be = x.retrieve().to_be_bytes();
        let mut out = vec![0; n_bytes.saturating_sub(be.len())];
        out.extend_from_slice(&be[be.len().saturating_sub(n_bytes)..]);
        out
    }
}

pub fn bytes(ring: &F64Ring, x: &opk_monty::Element, n_bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    ring.write(x, n_bytes, &mut out);
    out
}

/// xorshift64*: deterministic test inputs without an RNG dependency.
pub struct Xorshift(pub u64);
impl Xorshift {
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
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
pub fn odd(mut be: Vec<u8>) -> Odd<BoxedUint> {
    if let Some(last) = be.last_mut() {
        *last |= 1;
    }
    if let Some(first) = be.first_mut() {
        *first |= 0x80;
    }
    Option::from(Odd::new(BoxedUint::from_be_slice_vartime(&be))).unwrap()
}

/// Below `n` (big-endian, `n_bytes` long): clear the top bit.
pub fn below(mut be: Vec<u8>) -> Vec<u8> {
    be[0] &= 0x7f;
    be
}

pub fn check(n: &Odd<BoxedUint>, n_bytes: usize, a: &[u8], b: &[u8]) {
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
pub fn check_plain_pairs(
    fast: &F64Ring,
    reference: &Reference,
    n_bytes: usize,
    a: &[u8],
    b: &[u8],
) {
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
pub fn check_pairs(
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
pub fn check_pair_conversions(fast: &F64Ring, n_bytes: usize, a: &[u8], b: &[u8]) {
    let (p, zero) = fast.element_pair(a, b).unwrap();
    let is_zero = |x: &[u8]| x.iter().all(|byte| *byte == 0);
    assert_eq!(zero, [is_zero(a), is_zero(b)]);
    // The same values one at a time.
    let (x, y) = fast.unpair(&p);
    assert_eq!(bytes(fast, &x, n_bytes), a);
    assert_eq!(bytes(fast, &y, n_bytes), b);
}
