//! Two independent products at once, one per SIMD lane: limb `i` of two values shares one
//! `f64x2`, so every vector operation does one limb product for each value, and the two
//! values' sequential carry chains overlap. GQ's rounds are independent and identically shaped
//! (the same exponent `v`), so they run two by two. The products themselves are in `rows.rs`.

use crate::lanes::{self, V};
use crate::{Element, F64Ring, LIMBS};

/// Two elements in Montgomery form, lane-interleaved: lane 0 holds the first, lane 1 the
/// second.
#[derive(Clone, Copy)]
pub struct ElementPair(pub(crate) [V; LIMBS]);

impl F64Ring {
    /// `a` in lane 0, `b` in lane 1.
    pub fn pair(&self, a: &Element, b: &Element) -> ElementPair {
        ElementPair(core::array::from_fn(|i| lanes::pair(a.0[i], b.0[i])))
    }

    /// Big-endian `a` and `b` in Montgomery form, one per lane (one product for both), with
    /// a flag per lane telling whether it is zero; `None` unless both are below `n`.
    pub fn element_pair(&self, a: &[u8], b: &[u8]) -> Option<(ElementPair, [bool; 2])> {
        let (plain, zero) = self.plain_pair(a, b)?;
        Some((self.to_montgomery(&plain), zero))
    }

    /// Both lanes out of Montgomery form (one product for both), each below `2n`.
    pub(crate) fn leave_montgomery(&self, p: &ElementPair) -> (Element, Element) {
        let mut one = [lanes::zero(); LIMBS];
        one[0] = lanes::pair(1.0, 1.0);
        self.unpair(&self.mul_pair(p, &ElementPair(one)))
    }

    /// The two lanes as elements.
    pub fn unpair(&self, p: &ElementPair) -> (Element, Element) {
        let mut a = [0f64; LIMBS];
        let mut b = [0f64; LIMBS];
        for ((x, y), v) in a.iter_mut().zip(&mut b).zip(&p.0) {
            [*x, *y] = lanes::to_array(*v);
        }
        (Element(a), Element(b))
    }

    /// `a·b` in each lane (the row kernel, `rows.rs`).
    pub fn mul_pair(&self, a: &ElementPair, b: &ElementPair) -> ElementPair {
        self.mul_pair_rows(a, b)
    }

    /// `a²` in each lane (in two phases, `square.rs`).
    pub fn square_pair(&self, a: &ElementPair) -> ElementPair {
        self.square_pair_sos(a)
    }
}
