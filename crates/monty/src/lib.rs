//! `opk-monty`: variable-time Montgomery arithmetic for odd moduli of up to 2048 bits — the hot
//! loop of `opk-verify`'s GQ verification, in a crate of its own so the release profile can
//! optimise it for speed while the rest of the page is optimised for size. GQ's challenge hash
//! is compiled here for the same reason (`shake.rs`: SHAKE256, and SHA3-256 beside it so the
//! page holds one Keccak permutation).
//!
//! Why `f64` limbs: WebAssembly has no 64×64→128 multiply, and its 64-bit integer multiply does
//! one 32×32-bit product at a time. Its SIMD128 floating point does two 53-bit-exact products
//! per instruction (`f64x2.mul`, native on every browser's CPU). So values are held in radix
//! 2^23, one limb per `f64`: a product of two limbs is below 2^46, and a sum of at most 127 of
//! them below 2^53, so every floating-point operation here is exact integer arithmetic — no
//! rounding ever happens, on any IEEE 754 machine, in any order of summation. Products are
//! operand scanning with the reduction interleaved (`rows.rs`): three rows of limb products per
//! pass over the column sums, the limbs each column needs held in windows across columns.
//! Squares, three quarters of GQ's products, go in two phases (`square.rs`): the square's
//! columns with each cross product once, then the reduction alone — a quarter fewer limb
//! products. The Montgomery digits and the final carries are integer arithmetic. Values stay in `[0, 2n)` between operations
//! (`R = 2^2070 > 4n`), so no product needs a final subtraction; [`F64Ring::write`] makes the
//! result canonical.
//!
//! Two lanes: every product is a two-lane product of [`ElementPair`]s (`pair.rs`), limb `i` of
//! two values in one `f64x2`, so independent exponentiations (GQ's rounds) run two at a time.
//! A lone [`Element`] product runs in lane 0 with lane 1 idle (about 1.7× a one-lane product);
//! GQ needs few (`G` enters Montgomery form once, and its window table is built two entries per
//! product), so it lost no speed, and there is no one-lane kernel to ship or trust.
//!
//! Everything here is variable time: GQ verification only handles public values. It is checked
//! against crypto-bigint's Montgomery arithmetic (the reference) by `tests/agreement.rs`,
//! natively and in headless Chromium (where the SIMD path runs).

#![forbid(unsafe_code)]

mod lanes;
mod pair;
mod plain;
mod rows;
mod shake;
mod square;

pub use pair::ElementPair;
pub use plain::PlainPair;
pub use shake::{sha3_256, shake256};

use crypto_bigint::{BoxedUint, Odd};

const BITS: u32 = 23;
const MASK: u64 = (1 << BITS) - 1;
/// Limbs per value: 90 × 23 = 2070 bits, so `R = 2^2070 > 4n` for every `n < 2^2048`.
const LIMBS: usize = 90;
/// Zero limbs before `n` in [`F64Ring`]'s padded copy (and twice as many after it): at least
/// the rows per pass of the products and of the squares' reductions, whose windows run past
/// `n`'s ends.
const PAD: usize = 5;
/// Limbs in a padded copy: `PAD` zeros, the value's limbs, `2·PAD` zeros.
const PADDED: usize = LIMBS + 3 * PAD;

/// An element in Montgomery form (`x·R mod n`, not necessarily reduced below `n`): 2^23-radix
/// limbs, little-endian.
#[derive(Clone, Copy)]
pub struct Element([f64; LIMBS]);

/// Arithmetic modulo one odd `n` of at most 2048 bits.
pub struct F64Ring {
    n: [u32; LIMBS],
    /// `n`'s limbs in both lanes between zeros: `n_padded[PAD + j]` is limb `j`.
    n_padded: [lanes::V; PADDED],
    /// `−n⁻¹ mod 2^23`.
    n0_inv: u64,
    /// `R² mod n`, to enter Montgomery form.
    r2: Element,
}

fn from_be(be: &[u8]) -> Option<[u32; LIMBS]> {
    let mut limbs = [0u32; LIMBS];
    for (bit, byte) in (0..).step_by(8).zip(be.iter().rev()) {
        let (limb, off) = (bit / BITS as usize, bit as u32 % BITS);
        let b = u32::from(*byte);
        if b == 0 {
            continue;
        }
        *limbs.get_mut(limb)? |= (b << off) & MASK as u32;
        if off + 8 > BITS {
            *limbs.get_mut(limb + 1)? |= b >> (BITS - off);
        }
    }
    Some(limbs)
}

/// Limbs as `f64`.
fn to_f64(x: &[u32; LIMBS]) -> [f64; LIMBS] {
    x.map(f64::from)
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
        *x = d & MASK as u32;
    }
}

impl F64Ring {
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
        Some(Self {
            n_padded: rows::padded(&lanes::pair_each(&to_f64(&limbs))),
            n: limbs,
            n0_inv: u64::from(inv.wrapping_neg()) & MASK,
            r2: Element(to_f64(&from_be(&r2.to_be_bytes_trimmed_vartime())?)),
        })
    }

    /// Big-endian `be` as limbs, `None` unless `be < n`.
    fn below_n(&self, be: &[u8]) -> Option<[u32; LIMBS]> {
        let x = from_be(be)?;
        (cmp(&x, &self.n) == core::cmp::Ordering::Less).then_some(x)
    }

    /// Big-endian `be` in Montgomery form, with a flag telling whether it is zero; `None`
    /// unless `be < n`.
    pub fn element(&self, be: &[u8]) -> Option<(Element, bool)> {
        let (p, [zero, _]) = self.element_pair(be, &[])?;
        Some((self.unpair(&p).0, zero))
    }

    /// `a·b` (in lane 0 of a two-lane product).
    pub fn mul(&self, a: &Element, b: &Element) -> Element {
        let zero = Element([0.0; LIMBS]);
        let p = self.mul_pair(&self.pair(a, &zero), &self.pair(b, &zero));
        self.unpair(&p).0
    }

    /// `a²` (in lane 0 of a two-lane product).
    pub fn square(&self, a: &Element) -> Element {
        let p = self.square_pair(&self.pair(a, &Element([0.0; LIMBS])));
        self.unpair(&p).0
    }

    /// Appends `x` (reduced below `n`) as exactly `n_bytes` big-endian bytes.
    pub fn write(&self, x: &Element, n_bytes: usize, out: &mut Vec<u8>) {
        let (x, _) = self.leave_montgomery(&self.pair(x, &Element([0.0; LIMBS])));
        self.write_canonical(&x.0, n_bytes, out);
    }

    /// Appends `x` — out of Montgomery form, below `2n` — reduced below `n`, as exactly
    /// `n_bytes` big-endian bytes.
    fn write_canonical(&self, x: &[f64; LIMBS], n_bytes: usize, out: &mut Vec<u8>) {
        let mut v = [0u32; LIMBS];
        for (l, w) in v.iter_mut().zip(x) {
            *l = *w as u32;
        }
        while cmp(&v, &self.n) != core::cmp::Ordering::Less {
            sub(&mut v, &self.n);
        }
        // Serialise the 2070-bit value big-endian, then keep the last n_bytes.
        let mut be = [0u8; (LIMBS * BITS as usize).div_ceil(8)];
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

    fn odd(be: &[u8]) -> Odd<BoxedUint> {
        Option::from(Odd::new(BoxedUint::from_be_slice_vartime(be))).unwrap()
    }

    fn be(x: &BoxedUint, n_bytes: usize) -> Vec<u8> {
        let t = x.to_be_bytes_trimmed_vartime();
        let mut out = vec![0; n_bytes.saturating_sub(t.len())];
        out.extend_from_slice(&t);
        out
    }

    /// Montgomery form leaves values anywhere in `[0, 2n)`: writing one reduces it below `n`
    /// (the final conditional subtraction), at both ends of that range and in between.
    #[test]
    fn write_reduces_values_from_n_to_2n_below_n() {
        for n_be in [
            vec![0xc3; 32],
            vec![0xff; 256],
            [vec![0x80], vec![0; 254], vec![1]].concat(),
        ] {
            let n_bytes = n_be.len();
            let ring = F64Ring::new(&odd(&n_be)).unwrap();
            // 2112 bits: room for 2n − 1 when n has 2048.
            let wide = |be: &[u8]| BoxedUint::from_be_slice(be, 2112).unwrap();
            let n = wide(&n_be);
            let five = wide(&[5]);
            let one = wide(&[1]);
            let two_n_less_one = n.wrapping_add(&n).wrapping_sub(&one);
            let n_less_one = n.wrapping_sub(&one);
            for (x, expected) in [
                (n.clone(), wide(&[0])),
                (n.wrapping_add(&five), five.clone()),
                (two_n_less_one, n_less_one.clone()),
                (n_less_one.clone(), n_less_one),
                (five.clone(), five.clone()),
            ] {
                let limbs = from_be(&be(&x, 264)).unwrap();
                let mut out = Vec::new();
                ring.write_canonical(&to_f64(&limbs), n_bytes, &mut out);
                assert_eq!(out, be(&expected, n_bytes));
            }
        }
    }

    /// Through the public interface: `n` itself in Montgomery form (≡ 0) leaves Montgomery form
    /// as `n`, one subtraction away from the canonical zero.
    #[test]
    fn the_element_n_writes_as_zero() {
        let n = odd(&[0xc3; 32]);
        let ring = F64Ring::new(&n).unwrap();
        let mut out = Vec::new();
        ring.write(&Element(to_f64(&ring.n)), 32, &mut out);
        assert_eq!(out, [0; 32]);
    }
}
