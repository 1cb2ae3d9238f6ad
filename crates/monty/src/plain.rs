//! Plain values (not in Montgomery form) in both lanes, and the Montgomery product that takes
//! one: `x·y·R⁻¹` with `x = x'·R` in Montgomery form and `y` plain is the plain value `x'·y` —
//! a multiplication and the way out of Montgomery form in one product. GQ ends each round's
//! exponentiation with a multiplication by the response `S`, which it holds in both forms, so
//! that last product also leaves Montgomery form and no separate product is needed for it.

use crate::lanes;
use crate::pair::ElementPair;
use crate::F64Ring;

/// Two plain values, lane-interleaved, each below `2n` (reduced by [`F64Ring::write_plain_pair`]).
#[derive(Clone, Copy)]
pub struct PlainPair(ElementPair);

impl F64Ring {
    /// Big-endian `a` and `b` as plain values, one per lane, with a flag per lane telling
    /// whether it is zero; `None` unless both are below `n`.
    pub fn plain_pair(&self, a: &[u8], b: &[u8]) -> Option<(PlainPair, [bool; 2])> {
        let (a, b) = (self.below_n(a)?, self.below_n(b)?);
        let zero = [a, b].map(|x| x.iter().all(|l| *l == 0));
        let limbs = core::array::from_fn(|i| lanes::pair(f64::from(a[i]), f64::from(b[i])));
        Some((PlainPair(ElementPair(limbs)), zero))
    }

    /// Both lanes in Montgomery form (one product, by `R² mod n`).
    pub fn to_montgomery(&self, p: &PlainPair) -> ElementPair {
        self.mul_pair(&p.0, &ElementPair(lanes::pair_each(&self.r2.0)))
    }

    /// The plain value of `x·y`, in each lane, for `x` in Montgomery form and `y` plain.
    pub fn mul_plain(&self, x: &ElementPair, y: &PlainPair) -> PlainPair {
        PlainPair(self.mul_pair(x, &y.0))
    }

    /// Appends lane 0, then lane 1, each reduced below `n`, as exactly `n_bytes` big-endian
    /// bytes.
    pub fn write_plain_pair(&self, p: &PlainPair, n_bytes: usize, out: &mut Vec<u8>) {
        let (a, b) = self.unpair(&p.0);
        self.write_canonical(&a.0, n_bytes, out);
        self.write_canonical(&b.0, n_bytes, out);
    }
}
