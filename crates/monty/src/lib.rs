//! `opk-monty`: variable-time Montgomery arithmetic for odd moduli of up to 2048 bits, in radix
//! 2^28 — the hot loop of `opk-verify`'s GQ verification, in a crate of its own so the release
//! profile can optimise it for speed while the rest of the page is optimised for size.
//!
//! Why radix 2^28: WebAssembly has a native 64-bit multiply but no 64×64→128 one, so the usual
//! 64-bit limbs are emulated and 32-bit limbs spend most of their time on carries. With 28-bit
//! limbs a product is below 2^56 and a whole column of the Montgomery product (≤ 148 products
//! plus the carry) fits in one `u64`, so the inner loops are plain multiply-adds (product
//! scanning with the reduction interleaved, carries resolved once per column). Values stay in
//! `[0, 2n)` between operations (`R = 2^2072 > 4n`), so no product needs a final subtraction;
//! [`Radix28Ring::write`] makes the result canonical.
//!
//! Everything here is variable time: GQ verification only handles public values. It is checked
//! against crypto-bigint's Montgomery arithmetic (the reference) by the tests below.

#![forbid(unsafe_code)]

use crypto_bigint::{BoxedUint, Odd};

const BITS: u32 = 28;
const MASK: u32 = (1 << BITS) - 1;
/// Limbs per value: 74 × 28 = 2072 bits, so `R = 2^2072 > 4n` for every `n < 2^2049`.
const LIMBS: usize = 74;

/// An element in Montgomery form (`x·R mod n`, not necessarily reduced below `n`), little-endian.
#[derive(Clone, Copy)]
pub struct Element([u32; LIMBS]);

/// Arithmetic modulo one odd `n` of at most 2048 bits.
pub struct Radix28Ring {
    n: [u32; LIMBS],
    /// `n` with its limbs reversed, so each column of a product is a forward dot product.
    n_rev: [u32; LIMBS],
    /// `−n⁻¹ mod 2^28`.
    n0_inv: u32,
    /// `R² mod n`, to enter Montgomery form.
    r2: Element,
}

/// `Σ a_i·b_i`: the caller guarantees it cannot overflow (see the module header).
#[inline(always)]
fn dot(a: &[u32], b: &[u32]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from(*x) * u64::from(*y))
        .sum()
}

fn from_be(be: &[u8]) -> Option<[u32; LIMBS]> {
    let mut limbs = [0u32; LIMBS];
    for (bit, byte) in (0..).step_by(8).zip(be.iter().rev()) {
        let (limb, off) = (bit / BITS as usize, bit as u32 % BITS);
        let b = u32::from(*byte);
        if b == 0 {
            continue;
        }
        *limbs.get_mut(limb)? |= (b << off) & MASK;
        if off + 8 > BITS {
            *limbs.get_mut(limb + 1)? |= b >> (BITS - off);
        }
    }
    Some(limbs)
}

fn cmp(a: &[u32; LIMBS], b: &[u32; LIMBS]) -> core::cmp::Ordering {
    a.iter().rev().cmp(b.iter().rev())
}

/// `a − b` for `a ≥ b`.
fn sub(a: &mut [u32; LIMBS], b: &[u32; LIMBS]) {
    let mut borrow = 0u32;
    for (x, y) in a.iter_mut().zip(b) {
        let d = x.wrapping_sub(*y).wrapping_sub(borrow);
        borrow = d >> 31;
        *x = d & MASK;
    }
}

impl Radix28Ring {
    /// `None` for a modulus wider than 2048 bits.
    pub fn new(n: &Odd<BoxedUint>) -> Option<Self> {
        if n.as_ref().bit_width_vartime() > 2048 {
            return None;
        }
        let limbs = from_be(&n.as_ref().to_be_bytes_trimmed_vartime())?;
        // Newton iteration for n⁻¹ mod 2^32 (n is odd): each step doubles the correct bits.
        let n0 = limbs[0];
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let r2_bits = 2 * BITS * LIMBS as u32;
        let r2 = BoxedUint::one_with_precision(r2_bits + 64)
            .shl_vartime(r2_bits)?
            .rem_vartime(&n.as_ref().to_nz().into_option()?);
        let mut n_rev = limbs;
        n_rev.reverse();
        Some(Self {
            n: limbs,
            n_rev,
            n0_inv: inv.wrapping_neg() & MASK,
            r2: Element(from_be(&r2.to_be_bytes_trimmed_vartime())?),
        })
    }

    /// Montgomery product `a·b·R⁻¹ mod n`, in `[0, 2n)` for inputs in `[0, 2n)`.
    #[inline]
    fn monty_mul(&self, a: &[u32; LIMBS], b: &[u32; LIMBS]) -> Element {
        let mut b_rev = *b;
        b_rev.reverse();
        self.reduce_columns(|k, lo, len| dot(&a[lo..lo + len], &b_rev[LIMBS - 1 + lo - k..]))
    }

    /// Montgomery square: each cross product once, doubled.
    fn monty_square(&self, a: &[u32; LIMBS]) -> Element {
        let mut a_rev = *a;
        a_rev.reverse();
        self.reduce_columns(|k, lo, len| {
            // Column k of a²: pairs (i, k−i) for i in lo..lo+len; the pairs i < k−i, doubled,
            // plus the diagonal when k is even.
            let half = len / 2;
            let cross = dot(&a[lo..lo + half], &a_rev[LIMBS - 1 + lo - k..]);
            let diag = if !len.is_multiple_of(2) {
                let d = u64::from(a[lo + half]);
                d * d
            } else {
                0
            };
            2 * cross + diag
        })
    }

    /// Product scanning with the Montgomery reduction interleaved: `column(k, lo, len)` is the
    /// sum of the operand products `x_i·y_{k−i}` for `i` in `lo..lo+len`.
    #[inline(always)]
    fn reduce_columns(&self, column: impl Fn(usize, usize, usize) -> u64) -> Element {
        let mut m = [0u32; LIMBS];
        let mut out = [0u32; LIMBS];
        let mut carry: u64 = 0;
        for k in 0..LIMBS {
            let mut s = carry + column(k, 0, k + 1) + dot(&m[..k], &self.n_rev[LIMBS - 1 - k..]);
            let mk = (s as u32).wrapping_mul(self.n0_inv) & MASK;
            m[k] = mk;
            s += u64::from(mk) * u64::from(self.n[0]);
            carry = s >> BITS;
        }
        for k in LIMBS..2 * LIMBS - 1 {
            let lo = k + 1 - LIMBS;
            let len = 2 * LIMBS - 1 - k;
            let s = carry + column(k, lo, len) + dot(&m[lo..], &self.n_rev[..len]);
            out[k - LIMBS] = (s as u32) & MASK;
            carry = s >> BITS;
        }
        // The result is below 2n < 2^2049, so the last carry is a small top limb.
        out[LIMBS - 1] = carry as u32;
        Element(out)
    }
}

impl Radix28Ring {
    /// Big-endian `be` in Montgomery form, with a flag telling whether it is zero; `None`
    /// unless `be < n`.
    pub fn element(&self, be: &[u8]) -> Option<(Element, bool)> {
        let x = from_be(be)?;
        if cmp(&x, &self.n) != core::cmp::Ordering::Less {
            return None;
        }
        let zero = x.iter().all(|l| *l == 0);
        Some((self.monty_mul(&x, &self.r2.0), zero))
    }

    /// `a·b`.
    pub fn mul(&self, a: &Element, b: &Element) -> Element {
        self.monty_mul(&a.0, &b.0)
    }

    /// `a²`.
    pub fn square(&self, a: &Element) -> Element {
        self.monty_square(&a.0)
    }

    /// Appends `x` (reduced below `n`) as exactly `n_bytes` big-endian bytes.
    pub fn write(&self, x: &Element, n_bytes: usize, out: &mut Vec<u8>) {
        let mut one = [0u32; LIMBS];
        one[0] = 1;
        let mut v = self.monty_mul(&x.0, &one).0;
        while cmp(&v, &self.n) != core::cmp::Ordering::Less {
            sub(&mut v, &self.n);
        }
        // Serialise the 2072-bit value big-endian, then keep the last n_bytes.
        let mut be = [0u8; LIMBS * BITS as usize / 8];
        let total = be.len();
        for (i, byte) in be.iter_mut().rev().enumerate() {
            let bit = i * 8;
            let (limb, off) = (bit / BITS as usize, bit as u32 % BITS);
            let mut b = v[limb] >> off;
            if off + 8 > BITS && limb + 1 < LIMBS {
                b |= v[limb + 1] << (BITS - off);
            }
            *byte = b as u8;
        }
        let skip = total.saturating_sub(n_bytes);
        out.resize(out.len() + n_bytes.saturating_sub(total), 0);
        out.extend_from_slice(&be[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};

    /// The reference: crypto-bigint's Montgomery arithmetic.
    struct BoxedRing {
        params: BoxedMontyParams,
        precision: u32,
    }
    impl BoxedRing {
        fn new(n: &Odd<BoxedUint>) -> Self {
            Self {
                params: BoxedMontyParams::new_vartime(n.clone()),
                precision: n.bits_precision(),
            }
        }
        fn element(&self, be: &[u8]) -> Option<(BoxedMontyForm, bool)> {
            let x = BoxedUint::from_be_slice(be, self.precision).ok()?;
            Some((BoxedMontyForm::new(x, &self.params), false))
        }
        fn mul(&self, a: &BoxedMontyForm, b: &BoxedMontyForm) -> BoxedMontyForm {
            a.mul(b)
        }
        fn write(&self, x: &BoxedMontyForm, n_bytes: usize, out: &mut Vec<u8>) {
            let be = x.retrieve().to_be_bytes();
            let skip = be.len().saturating_sub(n_bytes);
            out.resize(out.len() + n_bytes.saturating_sub(be.len()), 0);
            out.extend_from_slice(&be[skip..]);
        }
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
        let fast = Radix28Ring::new(n).unwrap();
        let reference = BoxedRing::new(n);
        let (fa, _) = fast.element(a).unwrap();
        let (fb, _) = fast.element(b).unwrap();
        let (ra, _) = reference.element(a).unwrap();
        let (rb, _) = reference.element(b).unwrap();
        let out = |ring_out: &dyn Fn(&mut Vec<u8>)| {
            let mut v = Vec::new();
            ring_out(&mut v);
            v
        };
        let want = out(&|v| reference.write(&reference.mul(&ra, &rb), n_bytes, v));
        assert_eq!(out(&|v| fast.write(&fast.mul(&fa, &fb), n_bytes, v)), want);
        let want_sq = out(&|v| reference.write(&reference.mul(&ra, &ra), n_bytes, v));
        assert_eq!(out(&|v| fast.write(&fast.square(&fa), n_bytes, v)), want_sq);
        // A chain of operations stays in [0, 2n) and agrees too.
        let mut f = fa;
        let mut r = ra.clone();
        for _ in 0..20 {
            f = fast.mul(&fast.square(&f), &fb);
            r = reference.mul(&reference.mul(&r, &r), &rb);
        }
        assert_eq!(
            out(&|v| fast.write(&f, n_bytes, v)),
            out(&|v| reference.write(&r, n_bytes, v))
        );
        // Round trip.
        assert_eq!(out(&|v| fast.write(&fa, n_bytes, v)), a.to_vec());
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
        // n = 2^2048 − 1 (every limb full), operands n − 1 and 1, and 0.
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
    fn refuses_what_is_not_below_n() {
        let n = odd(vec![0xc3; 32]);
        let ring = Radix28Ring::new(&n).unwrap();
        let mut n_be = vec![0xc3; 32];
        n_be[0] |= 0x80;
        n_be[31] |= 1;
        assert!(ring.element(&n_be).is_none());
        assert!(ring.element(&[0xff; 33]).is_none());
        let (_, zero) = ring.element(&[0; 32]).unwrap();
        assert!(zero);
    }
}
