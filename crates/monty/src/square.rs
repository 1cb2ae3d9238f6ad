//! Montgomery squaring in two phases ("separated operand scanning"): the square's column sums
//! with each cross product once (doubled), then the Montgomery reduction row by row over them,
//! adding only `m_r·n`. A quarter fewer limb products than a square as a plain product (4,095 +
//! 8,100 instead of 16,200). Interleaving the two (three kinds of slot per pass) measured slower
//! in V8 than the plain product; separated, same-page A/B in Chromium (2026-12-06): GQ
//! 0.92–0.97× the time with squares as products. The reduction holds a window of `n`'s limbs
//! across columns, as the product does (`rows.rs`): 0.91× the time of loading every limb (in
//! the relaxed-SIMD build; 0.95× in the SIMD128 one). Five square rows and five reduction rows
//! per pass measured best (3, 6, 9 or 10 square rows: 1.0–1.09×; 6 reduction rows 0.98–1.00×,
//! 9 rows 2.5×: V8 runs out of registers).
//!
//! Exactness: a column of the square holds at most 45 doubled cross products and one square
//! (at most 91·(2^23−1)² < 2^53). The columns are then split once into 23-bit digits and
//! carries (below 2^23 + 2^31 each), and the reduction adds at most 90 products `m_r·n_j`
//! and one Montgomery carry (below 2^31) to a column: below 2^53 again.

use crate::lanes::{self, V};
use crate::pair::ElementPair;
use crate::{F64Ring, BITS, LIMBS, PAD};

/// Rows of the square per pass over its columns.
const SQUARE_ROWS: usize = 5;
/// Reduction rows per pass over the columns.
const REDUCE_ROWS: usize = 5;
const _: () = assert!(
    LIMBS.is_multiple_of(SQUARE_ROWS) && LIMBS.is_multiple_of(REDUCE_ROWS) && REDUCE_ROWS <= PAD
);

impl F64Ring {
    /// `a²` in each lane.
    pub(crate) fn square_pair_sos(&self, a: &ElementPair) -> ElementPair {
        let mut t = square_columns(&a.0);
        split_all(&mut t);
        self.reduce(&mut t)
    }

    /// The Montgomery reduction of the column sums `t` (each below 2^23 + 2^31) in place,
    /// [`REDUCE_ROWS`] rows per pass: the product's passes (`rows.rs`) adding only `m_r·n`.
    #[inline(always)]
    fn reduce(&self, t: &mut [V; 2 * LIMBS]) -> ElementPair {
        self.passes::<REDUCE_ROWS, 0>(t, [], None)
    }
}

/// The column sums of `a²`: column `k` is `Σ_{i<j, i+j=k} a_i·2a_j`, plus `a_{k/2}²` for even
/// `k`. Row `r` (`a_r` times `2a_j` for `j > r`) adds to columns `2r+1 … r+LIMBS−1`; a pass
/// takes [`SQUARE_ROWS`] rows, whose columns overlap in a middle run that every row reaches,
/// with a triangle of columns below it and one above it.
#[inline(always)]
fn square_columns(a: &[V; LIMBS]) -> [V; 2 * LIMBS] {
    const R: usize = SQUARE_ROWS;
    let two = lanes::pair(2.0, 2.0);
    let a2: [V; LIMBS] = core::array::from_fn(|j| lanes::mul_add(lanes::zero(), a[j], two));
    let mut t = [lanes::zero(); 2 * LIMBS];
    for (r, x) in a.iter().enumerate() {
        t[2 * r] = lanes::mul_add(lanes::zero(), *x, *x);
    }
    // Passes whose rows share a middle run (all but the last): `i + 2R − 1 ≤ LIMBS`.
    let shared = (LIMBS + 1 - 2 * R) / R * R + R;
    for i in (0..shared.min(LIMBS)).step_by(R) {
        let rows: [V; R] = core::array::from_fn(|q| a[i + q]);
        // Below the run: column 2i+1+e takes rows q ≤ e/2.
        for e in 0..2 * R - 2 {
            let k = 2 * i + 1 + e;
            let mut v = t[k];
            for (q, x) in rows.iter().enumerate().take(e / 2 + 1) {
                v = lanes::mul_add(v, *x, a2[k - i - q]);
            }
            t[k] = v;
        }
        // The run: columns 2i+2R−1 … i+LIMBS−1 take every row.
        for k in 2 * i + 2 * R - 1..i + LIMBS {
            let mut v = t[k];
            for (q, x) in rows.iter().enumerate() {
                v = lanes::mul_add(v, *x, a2[k - i - q]);
            }
            t[k] = v;
        }
        // Above the run: column i+LIMBS+u takes rows q > u.
        for u in 0..R - 1 {
            let k = i + LIMBS + u;
            let mut v = t[k];
            for (q, x) in rows.iter().enumerate().skip(u + 1) {
                v = lanes::mul_add(v, *x, a2[k - i - q]);
            }
            t[k] = v;
        }
    }
    // The last rows, if their columns share no run: one product at a time.
    for r in shared.min(LIMBS)..LIMBS {
        for j in r + 1..LIMBS {
            t[r + j] = lanes::mul_add(t[r + j], a[r], a2[j]);
        }
    }
    t
}

/// Each column's bits above 23 moved to the next column (one pass).
#[inline(always)]
fn split_all(t: &mut [V; 2 * LIMBS]) {
    let mut carry = lanes::zero();
    for x in t.iter_mut() {
        let (hi, lo) = lanes::split(*x, BITS);
        *x = lanes::add(lo, carry);
        carry = hi;
    }
}
