//! Montgomery products row by row (operand scanning with the reduction interleaved, "CIOS"), in
//! both lanes: row `r` adds `a_r·b` and `m_r·n` to a window of column sums, which then moves
//! down one limb. Rows go five per pass over the window: each slot is loaded and stored once
//! per pass for ten limb products, where one row per pass (or a column at a time, the earlier
//! design) moves a vector in or out of memory for every product — and in V8 those moves cost
//! more than the products (same-page A/B in Chromium, 2026-12-06: GQ 0.83–0.86× the time of
//! the column kernel; 0.93× with two rows per pass, 1.11× with one). A pass first completes the
//! columns below its rows, one at a time, because row `r`'s Montgomery digit `m_r` (computed
//! lane by lane as an integer) needs column `r` complete; everything else is vector
//! multiply-adds with no horizontal sum and no conversion.
//!
//! Exactness: a window slot is a column sum. A row adds at most two limb products to a slot
//! (each below 2^46), so 63 rows add at most 126, below 2^53 − 2^47. Once, after the pass
//! holding row [`SPLIT_ROW`] (row 49: 50 rows before, 40 after), every slot but the consumed
//! slot 0 is split into its low 23 bits and a carry moved to the next slot (exact `f64`
//! arithmetic: scaling by 2^-23, `floor`, a subtraction), leaving each below 2^23 + 2^31. With
//! one Montgomery carry (below 2^31) and a digit's own product term, no value ever reaches
//! 2^53.

use crate::lanes::{self, V};
use crate::pair::ElementPair;
use crate::{F64Ring, BITS, LIMBS, MASK};

/// Rows per pass over the window.
const ROWS: usize = 5;
/// The window is split into digits and carries once, after the pass holding this row: at most
/// 63 rows (126 limb products per slot) before or after it.
const SPLIT_ROW: usize = LIMBS / 2;
const _: () =
    assert!(LIMBS.is_multiple_of(ROWS) && SPLIT_ROW + ROWS <= 63 && LIMBS - SPLIT_ROW <= 63);

impl F64Ring {
    /// The reduction digit for a column whose sum (with its new product term) is `t`, per
    /// lane, and the carry `(t + m·n_0) / 2^23` it leaves for the next column.
    #[inline(always)]
    fn digit(&self, t: V) -> (V, V) {
        let t = lanes::to_u64s(t);
        let n0 = u64::from(self.n[0]);
        let mut m = [0f64; 2];
        let mut c = [0f64; 2];
        for l in 0..2 {
            let ml = t[l].wrapping_mul(self.n0_inv) & MASK;
            m[l] = ml as f64;
            c[l] = ((t[l] + ml * n0) >> BITS) as f64;
        }
        (lanes::pair(m[0], m[1]), lanes::pair(c[0], c[1]))
    }

    /// `a·b` in each lane.
    pub(crate) fn mul_pair_rows(&self, a: &ElementPair, b: &ElementPair) -> ElementPair {
        self.rows::<ROWS>(&a.0, &b.0)
    }

    /// `R` rows per pass over the window.
    #[inline(always)]
    fn rows<const R: usize>(&self, a: &[V; LIMBS], b: &[V; LIMBS]) -> ElementPair {
        let n = &self.n_pair;
        self.passes::<R>(
            |v, r, j, m| lanes::mul_add(lanes::mul_add(v, m, n[j]), a[r], b[j]),
            |v, r| lanes::mul_add(v, a[r], b[0]),
            |_| lanes::zero(),
            Some(SPLIT_ROW),
        )
    }

    /// The passes of a Montgomery reduction row by row, `R` rows per pass over a window of
    /// `LIMBS` column sums that moves down `R` columns per pass, shared by products (here) and
    /// squares (`square.rs`). `terms(v, r, j, m)` is `v` plus row `r`'s terms at window slot `j`
    /// (column `r + j`) given its digit `m`, `own(v, r)` its term in its own column (slot 0)
    /// before the digit, `above(k)` what column `k` holds when it enters the window, and
    /// `split_row` the row after whose pass the window is split (see the module comment).
    #[inline(always)]
    pub(crate) fn passes<const R: usize>(
        &self,
        terms: impl Fn(V, usize, usize, V) -> V,
        own: impl Fn(V, usize) -> V,
        above: impl Fn(usize) -> V,
        split_row: Option<usize>,
    ) -> ElementPair {
        let mut acc: [V; LIMBS] = core::array::from_fn(&above);
        let (mut m, mut c) = self.digit(own(acc[0], 0));
        for i in (0..LIMBS).step_by(R) {
            let mut ms = [lanes::zero(); R];
            ms[0] = m;
            // Columns i+1 … i+R: each row's digit needs the column below it complete; the
            // last becomes the next pass's slot 0.
            for r in 1..=R {
                let mut v = acc[r];
                for (q, mq) in ms.iter().enumerate().take(r) {
                    v = terms(v, i + q, r - q, *mq);
                }
                v = lanes::add(v, c);
                if r < R {
                    (ms[r], c) = self.digit(own(v, i + r));
                } else {
                    acc[0] = v;
                    if i + R < LIMBS {
                        (m, c) = self.digit(own(v, i + R));
                    }
                }
            }
            // Slot k ← the old slot k+R and each row's terms: row i+q at slot k+R−q.
            for k in 1..LIMBS - R {
                let mut v = acc[k + R];
                for (q, mq) in ms.iter().enumerate() {
                    v = terms(v, i + q, k + R - q, *mq);
                }
                acc[k] = v;
            }
            // The top slots: the columns entering the window.
            for (k, slot) in acc.iter_mut().enumerate().skip(LIMBS - R) {
                let mut v = above(i + R + k);
                for (q, mq) in ms.iter().enumerate() {
                    if k + R - q < LIMBS {
                        v = terms(v, i + q, k + R - q, *mq);
                    }
                }
                *slot = v;
            }
            if split_row.is_some_and(|s| (i..i + R).contains(&s)) {
                split(&mut acc);
            }
        }
        finish(&acc)
    }
}

/// Each slot's bits above 23 moved to the next slot (one pass, not a full carry chain). Slot 0
/// is left alone: the next row's digit and carry have already been taken from it.
#[inline(always)]
fn split(acc: &mut [V; LIMBS]) {
    let mut carry = lanes::zero();
    for x in acc[1..].iter_mut() {
        let (hi, lo) = lanes::split(*x, BITS);
        *x = lanes::add(lo, carry);
        carry = hi;
    }
}

/// The window (columns `LIMBS..2·LIMBS−1`), carried into 23-bit limbs; the last carry is the
/// top limb.
#[inline(always)]
fn finish(acc: &[V; LIMBS]) -> ElementPair {
    let mut out = [lanes::zero(); LIMBS];
    let mut carry = [0u64; 2];
    for (o, x) in out.iter_mut().zip(&acc[..LIMBS - 1]) {
        let x = lanes::to_u64s(*x);
        let mut limb = [0f64; 2];
        for l in 0..2 {
            let s = carry[l] + x[l];
            limb[l] = (s & MASK) as f64;
            carry[l] = s >> BITS;
        }
        *o = lanes::pair(limb[0], limb[1]);
    }
    out[LIMBS - 1] = lanes::pair(carry[0] as f64, carry[1] as f64);
    ElementPair(out)
}

#[cfg(test)]
mod tests {
    //! The exactness bound at its worst, for both kernels (products here, squares in
    //! `square.rs`): every operand limb and all but one modulus limb at 2^23 − 1, so the column
    //! sums come as close to 2^53 as the kernels let them (without their splits they would pass
    //! it and round).
    use super::*;
    use crypto_bigint::{BoxedUint, NonZero, Odd, Resize};

    const PRECISION: u32 = 4224;

    fn big(limbs: impl DoubleEndedIterator<Item = u64>) -> BoxedUint {
        limbs
            .rev()
            .fold(BoxedUint::zero_with_precision(PRECISION), |x, l| {
                x.shl_vartime(BITS)
                    .unwrap()
                    .wrapping_add(BoxedUint::from(l).resize(PRECISION))
            })
    }

    fn lane0(p: &ElementPair) -> BoxedUint {
        big(p.0.iter().map(|v| lanes::to_u64s(*v)[0]))
    }

    /// `P·R ≡ A·B (mod n)` and `P < 2n`.
    fn check(n: &BoxedUint, a: &BoxedUint, b: &BoxedUint, p: &BoxedUint) {
        let nz = NonZero::new(n.clone()).unwrap();
        let lhs = p.shl_vartime(BITS * LIMBS as u32).unwrap().rem_vartime(&nz);
        let rhs = a.wrapping_mul(b).rem_vartime(&nz);
        assert_eq!(lhs, rhs);
        assert!(p < &n.wrapping_add(n));
    }

    #[test]
    fn the_largest_column_sums_stay_exact() {
        // n = 2^2048 − 3: limbs 2^23 − 3, then 2^23 − 1, …, and a top limb of 1.
        let n_be = {
            let mut be = vec![0xff; 256];
            be[255] = 0xfd;
            be
        };
        let n_odd: Odd<BoxedUint> =
            Option::from(Odd::new(BoxedUint::from_be_slice_vartime(&n_be))).unwrap();
        let ring = F64Ring::new(&n_odd).unwrap();
        let n = n_odd.as_ref().resize(PRECISION);
        // 2^2048 − 1 < 2n: every limb but the top one at 2^23 − 1.
        let max: [V; LIMBS] = core::array::from_fn(|i| {
            let l = if i == LIMBS - 1 { 1.0 } else { MASK as f64 };
            lanes::pair(l, l)
        });
        let x = ElementPair(max);
        let a = lane0(&x);
        check(&n, &a, &a, &lane0(&ring.mul_pair_rows(&x, &x)));
        check(&n, &a, &a, &lane0(&ring.square_pair_sos(&x)));
        // And a chain: results fed back in.
        let (mut p, mut q) = (x, x);
        for _ in 0..5 {
            let (pa, qa) = (lane0(&p), lane0(&q));
            let (p2, q2) = (ring.mul_pair_rows(&p, &x), ring.square_pair_sos(&q));
            check(&n, &pa, &a, &lane0(&p2));
            check(&n, &qa, &qa, &lane0(&q2));
            (p, q) = (p2, q2);
        }
    }
}
