//! Montgomery products row by row (operand scanning with the reduction interleaved, "CIOS"), in
//! both lanes: row `r` adds `a_r·b` and `m_r·n` to the column sums, [`ROWS`] rows per pass over
//! them, so each column is loaded and stored once per pass for six limb products. One row per
//! pass (or a column at a time, the earlier design) moves a vector in or out of memory for
//! every product, and in V8 those moves cost more than the products (same-page A/B in
//! Chromium, 2026-12-06: five rows per pass 0.83–0.86× the time of the column kernel).
//!
//! A pass first completes the columns below its rows one at a time, because row `r`'s
//! Montgomery digit `m_r` (computed lane by lane as an integer, [`F64Ring::digit`]) needs
//! column `r` complete. Then every column the pass reaches takes its terms in one run: column
//! `d` (counted from the pass's first row) takes `a_q·b_{d−q}` and `m_q·n_{d−q}` for each row
//! `q`, so moving to column `d + 1` shifts the limbs of `b` and `n` it needs by one. The run
//! keeps them in two windows held across columns (a copy of `b` and the ring's copy of `n`,
//! both between zero limbs, so the run's ends need no bounds), loading one new limb of each
//! per column instead of one per product: same-page A/B in Chromium (relaxed-SIMD build),
//! 2026-12-06: 0.93–0.96× the time of loading every limb (five rows), then three rows 0.96× of
//! five (fewer values held: V8 keeps them in registers; two rows 1.01–1.03×).
//!
//! Exactness: a column sum takes at most two limb products per row (each below 2^46), so 63
//! rows add at most 126, below 2^53 − 2^47. Once, after the pass holding row [`SPLIT_ROW`] (row
//! 47: 48 rows before, 42 after), every column not yet consumed is split into its low 23 bits
//! and a carry moved to the next column (exact `f64` arithmetic: scaling by 2^-23, `floor`, a
//! subtraction), leaving each below 2^23 + 2^31. With one Montgomery carry (below 2^31) and a
//! digit's own product term, no value ever reaches 2^53.

use crate::lanes::{self, V};
use crate::pair::ElementPair;
use crate::{F64Ring, BITS, LIMBS, MASK, PAD, PADDED};

/// Rows per pass over the columns.
const ROWS: usize = 3;
/// The columns are split into digits and carries once, after the pass holding this row: at
/// most 63 rows (126 limb products per column) before or after it.
const SPLIT_ROW: usize = LIMBS / 2;
const _: () = assert!(
    LIMBS.is_multiple_of(ROWS) && SPLIT_ROW + ROWS <= 63 && LIMBS - SPLIT_ROW <= 63 && ROWS <= PAD
);

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
        let mut t = [lanes::zero(); 2 * LIMBS];
        self.passes::<ROWS, 1>(&mut t, [(&a.0, &padded(&b.0))], Some(SPLIT_ROW))
    }

    /// The passes of a Montgomery reduction row by row, `R` rows per pass, in place over the
    /// column sums `t`, shared by products (here) and squares (`square.rs`): row `r` adds its
    /// digit times `n` and, for each of the `W` pairs `(x, y)` in `terms` (a product's `(a, b)`,
    /// `y` padded as `n` is), `x_r` times `y`. The columns below a pass's rows go one at a time
    /// (each row's digit needs its column complete, with the row's own terms); then every other
    /// column the rows reach, with windows of `n`'s and each `y`'s limbs held across columns.
    /// `split_row`: the row after whose pass the columns are split (see the module comment).
    #[inline(always)]
    pub(crate) fn passes<const R: usize, const W: usize>(
        &self,
        t: &mut [V; 2 * LIMBS],
        terms: [(&[V; LIMBS], &[V; PADDED]); W],
        split_row: Option<usize>,
    ) -> ElementPair {
        let np = &self.n_padded;
        // Row r's terms in its own column (x_r·y_0 for each pair), added before its digit.
        let own = |v: V, r: usize| {
            terms
                .iter()
                .fold(v, |v, (x, y)| lanes::mul_add(v, x[r], y[PAD]))
        };
        let (mut m, mut c) = self.digit(own(t[0], 0));
        for i in (0..LIMBS).step_by(R) {
            // Columns i+1 … i+R−1, one at a time.
            let mut ms = [lanes::zero(); R];
            ms[0] = m;
            for r in 1..R {
                let mut v = t[i + r];
                for (q, mq) in ms.iter().enumerate().take(r) {
                    v = lanes::mul_add(v, *mq, np[PAD + r - q]);
                    for (x, y) in &terms {
                        v = lanes::mul_add(v, x[i + q], y[PAD + r - q]);
                    }
                }
                (ms[r], c) = self.digit(own(lanes::add(v, c), i + r));
            }
            // Columns i+d for d in R..R+LIMBS, R at a time from d0: row q takes padded limb
            // PAD+d−q, which is window slot R−1+s−q for column d0+s (slots below R held from
            // the previous R columns, the rest loaded for these).
            let window = |src: &[V; PADDED], d0: usize| -> [V; R] {
                core::array::from_fn(|k| src[PAD + d0 + 1 + k])
            };
            let mut held_n = window(np, 0);
            let mut held: [[V; R]; W] = core::array::from_fn(|w| window(terms[w].1, 0));
            for d0 in (R..R + LIMBS).step_by(R) {
                let new_n = window(np, d0);
                let new: [[V; R]; W] = core::array::from_fn(|w| window(terms[w].1, d0));
                for s in 0..R {
                    let mut v = t[i + d0 + s];
                    for (q, mq) in ms.iter().enumerate() {
                        let k = R - 1 + s - q;
                        let pick =
                            |held: &[V; R], new: &[V; R]| if k < R { held[k] } else { new[k - R] };
                        v = lanes::mul_add(v, *mq, pick(&held_n, &new_n));
                        for (w, (x, _)) in terms.iter().enumerate() {
                            v = lanes::mul_add(v, x[i + q], pick(&held[w], &new[w]));
                        }
                    }
                    t[i + d0 + s] = v;
                }
                (held_n, held) = (new_n, new);
            }
            // Column i+R, now complete, gives the next pass's first digit.
            let mut v = lanes::add(t[i + R], c);
            if i + R < LIMBS {
                v = own(v, i + R);
                (m, c) = self.digit(v);
            }
            t[i + R] = v;
            if split_row.is_some_and(|row| (i..i + R).contains(&row)) {
                split(&mut t[i + R..]);
            }
        }
        finish(&t[LIMBS..])
    }
}

/// `x`'s limbs between zeros, as the ring holds `n`: limb `j` at `PAD + j`.
#[inline(always)]
pub(crate) fn padded(x: &[V; LIMBS]) -> [V; PADDED] {
    core::array::from_fn(|k| match k.checked_sub(PAD) {
        Some(j) if j < LIMBS => x[j],
        _ => lanes::zero(),
    })
}

/// Each column's bits above 23 moved to the next column (one pass, not a full carry chain). The
/// first column is left alone: the next row's digit and carry have already been taken from it.
#[inline(always)]
fn split(acc: &mut [V]) {
    let mut carry = lanes::zero();
    for x in acc[1..].iter_mut() {
        let (hi, lo) = lanes::split(*x, BITS);
        *x = lanes::add(lo, carry);
        carry = hi;
    }
}

/// The window (`LIMBS` column sums: columns `LIMBS..2·LIMBS−1`), carried into 23-bit limbs;
/// the last carry is the top limb.
#[inline(always)]
fn finish(acc: &[V]) -> ElementPair {
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
