//! The modular arithmetic GQ runs on, and the exponentiation written once over it.
//!
//! [`Ring`] is one modulus's arithmetic. [`pow_product`] computes `x^a · y^b` with 4-bit fixed
//! windows and one shared squaring chain (Shamir's trick), so a GQ round `S^v · G^R` costs the
//! squarings of the longer exponent plus a multiplication per non-zero window; `y`'s window
//! table is built once per proof and reused by every round. Rings: [`BoxedRing`] (crypto-bigint,
//! any size; the reference, and the signer's) and, natively, `FixedRing2048` (crypto-bigint
//! `U2048`, 64-bit limbs).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
#[cfg(not(target_arch = "wasm32"))]
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
#[cfg(not(target_arch = "wasm32"))]
use crypto_bigint::U2048;
use crypto_bigint::{BoxedUint, Odd};

/// Modular arithmetic for one modulus: the GQ loops are written once over this trait and run
/// on a fixed-size `U2048` ring (every real OP key) or on heap-sized integers (other sizes).
pub(crate) trait Ring {
    type El: Clone;
    /// `be` as an element, with a flag telling whether it is zero; `None` unless `be < n`.
    fn element(&self, be: &[u8]) -> Option<(Self::El, bool)>;
    fn mul(&self, a: &Self::El, b: &Self::El) -> Self::El;
    fn square(&self, a: &Self::El) -> Self::El {
        self.mul(a, a)
    }
    /// Appends `x` as exactly `n_bytes` big-endian bytes.
    fn write(&self, x: &Self::El, n_bytes: usize, out: &mut Vec<u8>);
    /// `[x, x², …, x^len]` (at least `[x]`): [`window_table`], unless the ring does better.
    fn table(&self, x: &Self::El, len: usize) -> Vec<Self::El>
    where
        Self: Sized,
    {
        window_table(self, x, len)
    }
    /// GQ's witnesses `W_i = S_i^v · G^{R_i}`, `n_bytes` big-endian each, for the responses
    /// `s` (big-endian) and challenge parts `r`, given `G`'s window table. `None` if a
    /// response is zero or not below `n`. One round at a time, unless the ring does better.
    fn witnesses(
        &self,
        s: &[&[u8]],
        v: &[u8],
        g_table: &[Self::El],
        r: &[&[u8]],
        n_bytes: usize,
    ) -> Option<Vec<u8>>
    where
        Self: Sized,
    {
        let mut out = Vec::with_capacity(s.len() * n_bytes);
        witnesses_one_by_one(self, s, v, g_table, r, n_bytes, &mut out)?;
        Some(out)
    }
}

/// [`Ring::witnesses`], one round at a time, appended to `out`.
pub(crate) fn witnesses_one_by_one<R: Ring>(
    ring: &R,
    s: &[&[u8]],
    v: &[u8],
    g_table: &[R::El],
    r: &[&[u8]],
    n_bytes: usize,
    out: &mut Vec<u8>,
) -> Option<()> {
    let v_max = max_nibble(v);
    for (s_i, r_i) in s.iter().zip(r) {
        let (s_i, false) = ring.element(s_i)? else {
            return None;
        };
        let w_i = pow_product(ring, &window_table(ring, &s_i, v_max), v, g_table, r_i)?;
        ring.write(&w_i, n_bytes, out);
    }
    Some(())
}

/// A ring that also computes two independent products per operation, one per SIMD lane.
pub(crate) trait PairRing: Ring {
    type Pair: Clone;
    /// `a` in lane 0, `b` in lane 1.
    fn pair(&self, a: &Self::El, b: &Self::El) -> Self::Pair;
    fn mul_pair(&self, a: &Self::Pair, b: &Self::Pair) -> Self::Pair;
    fn square_pair(&self, a: &Self::Pair) -> Self::Pair;
}

pub(crate) fn append_tail(be: &[u8], n_bytes: usize, out: &mut Vec<u8>) {
    let skip = be.len().saturating_sub(n_bytes);
    let body = be.get(skip..).unwrap_or_default();
    out.resize(out.len() + n_bytes.saturating_sub(body.len()), 0);
    out.extend_from_slice(body);
}

/// Heap-sized integers: any modulus size.
pub(crate) struct BoxedRing {
    params: BoxedMontyParams,
    precision: u32,
    n: Odd<BoxedUint>,
}

impl BoxedRing {
    pub(crate) fn new(n: &Odd<BoxedUint>) -> Self {
        Self {
            params: BoxedMontyParams::new_vartime(n.clone()),
            precision: n.bits_precision(),
            n: n.clone(),
        }
    }
}

impl BoxedRing {
    /// `x⁻¹`, for signing (`Q = σ⁻¹`); `None` if `x` is not invertible.
    pub(crate) fn invert(&self, x: &BoxedMontyForm) -> Option<BoxedMontyForm> {
        x.invert_vartime().into()
    }
}

impl Ring for BoxedRing {
    type El = BoxedMontyForm;
    fn element(&self, be: &[u8]) -> Option<(BoxedMontyForm, bool)> {
        let x = BoxedUint::from_be_slice(be, self.precision).ok()?;
        if x.cmp_vartime(self.n.as_ref()) != core::cmp::Ordering::Less {
            return None;
        }
        let zero = bool::from(x.is_zero());
        Some((BoxedMontyForm::new(x, &self.params), zero))
    }
    fn mul(&self, a: &BoxedMontyForm, b: &BoxedMontyForm) -> BoxedMontyForm {
        a.mul(b)
    }
    fn write(&self, x: &BoxedMontyForm, n_bytes: usize, out: &mut Vec<u8>) {
        append_tail(&x.retrieve().to_be_bytes(), n_bytes, out);
    }
}

/// Fixed-size 2048-bit integers on the stack (64-bit limbs natively): no allocation in the loop.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct FixedRing2048 {
    params: FixedMontyParams<{ U2048::LIMBS }>,
    n: U2048,
}

#[cfg(not(target_arch = "wasm32"))]
impl FixedRing2048 {
    /// Only for moduli of exactly 2048 bits.
    pub(crate) fn new(n: &Odd<BoxedUint>) -> Option<Self> {
        if n.as_ref().bit_width() != 2048 {
            return None;
        }
        let be = n.as_ref().to_be_bytes_trimmed_vartime();
        let n = U2048::from_be_slice(be.get(be.len().checked_sub(256)?..)?);
        let odd: Option<Odd<U2048>> = Odd::new(n).into();
        Some(Self {
            params: FixedMontyParams::new_vartime(odd?),
            n,
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Ring for FixedRing2048 {
    type El = FixedMontyForm<{ U2048::LIMBS }>;
    fn element(&self, be: &[u8]) -> Option<(Self::El, bool)> {
        let pad = 256usize.checked_sub(be.len())?;
        let mut buf = [0u8; 256];
        buf.get_mut(pad..)?.copy_from_slice(be);
        let x = U2048::from_be_slice(&buf);
        if x.cmp_vartime(&self.n) != core::cmp::Ordering::Less {
            return None;
        }
        let zero = bool::from(x.is_zero());
        Some((FixedMontyForm::new(&x, &self.params), zero))
    }
    fn mul(&self, a: &Self::El, b: &Self::El) -> Self::El {
        a.mul(b)
    }
    fn write(&self, x: &Self::El, n_bytes: usize, out: &mut Vec<u8>) {
        append_tail(x.retrieve().to_be_bytes().as_ref(), n_bytes, out);
    }
}

/// Window width of [`pow_product`].
const WINDOW: usize = 4;

/// The nibble of big-endian `e` at window `w` (window 0 = the least significant four bits).
fn nibble(e: &[u8], w: usize) -> usize {
    let Some(byte) = e.len().checked_sub(1 + w / 2).and_then(|i| e.get(i)) else {
        return 0;
    };
    usize::from(if w.is_multiple_of(2) {
        byte & 0x0f
    } else {
        byte >> 4
    })
}

/// `[x, x², …, x^15]`, or fewer when the largest window of the exponent is smaller.
pub(crate) fn window_table<R: Ring>(ring: &R, x: &R::El, e_max_nibble: usize) -> Vec<R::El> {
    let mut table = Vec::with_capacity(e_max_nibble.max(1));
    table.push(x.clone());
    while table.len() < e_max_nibble {
        let next = ring.mul(table.last().unwrap_or(x), x);
        table.push(next);
    }
    table
}

/// The largest 4-bit window of big-endian `e`.
pub(crate) fn max_nibble(e: &[u8]) -> usize {
    e.iter()
        .map(|b| usize::from((b >> 4).max(b & 0x0f)))
        .max()
        .unwrap_or(0)
}

/// `x^a · y^b` for public big-endian exponents, given window tables (`x_table[i] = x^(i+1)`)
/// that cover every window of `a` and `b`. `None` only if both exponents are zero (the caller
/// never asks for that: GQ's `v` is odd).
pub(crate) fn pow_product<R: Ring>(
    ring: &R,
    x_table: &[R::El],
    a: &[u8],
    y_table: &[R::El],
    b: &[u8],
) -> Option<R::El> {
    let windows = a.len().max(b.len()) * 8 / WINDOW;
    let mut acc: Option<R::El> = None;
    for w in (0..windows).rev() {
        if let Some(v) = acc.as_mut() {
            for _ in 0..WINDOW {
                *v = ring.square(v);
            }
        }
        for (table, e) in [(x_table, a), (y_table, b)] {
            let nib = nibble(e, w);
            if nib == 0 {
                continue;
            }
            let factor = table.get(nib - 1)?;
            acc = Some(match &acc {
                Some(v) => ring.mul(v, factor),
                None => factor.clone(),
            });
        }
    }
    acc
}

/// `x^e` for a public big-endian exponent `e ≠ 0`.
pub(crate) fn pow<R: Ring>(ring: &R, x: &R::El, e: &[u8]) -> Option<R::El> {
    let table = window_table(ring, x, max_nibble(e));
    pow_product(ring, &table, e, &[], &[])
}

/// [`pow_product`] for two rounds at once, one per lane: `x_0^a · y^{b_0}` and `x_1^a · y^{b_1}`
/// for the pair `x = (x_0, x_1)`. The exponent `a` is shared, so both lanes square and multiply
/// in step; `y`'s table is shared and a lane whose window of `b` is zero multiplies by `one`.
/// `None` only if every exponent is zero (GQ's `v` is odd).
pub(crate) fn pow_product_pair<R: PairRing>(
    ring: &R,
    x: &R::Pair,
    a: &[u8],
    y_table: &[R::El],
    one: &R::El,
    b: [&[u8]; 2],
) -> Option<R::Pair> {
    let mut x_table = vec![x.clone()];
    while x_table.len() < max_nibble(a) {
        let next = ring.mul_pair(x_table.last().unwrap_or(x), x);
        x_table.push(next);
    }
    let y = |nib: usize| match nib {
        0 => Some(one),
        _ => y_table.get(nib - 1),
    };
    let windows = a.len().max(b[0].len()).max(b[1].len()) * 8 / WINDOW;
    let mut acc: Option<R::Pair> = None;
    for w in (0..windows).rev() {
        if let Some(v) = acc.as_mut() {
            for _ in 0..WINDOW {
                *v = ring.square_pair(v);
            }
        }
        let x_factor = match nibble(a, w) {
            0 => None,
            nib => Some(x_table.get(nib - 1)?.clone()),
        };
        let y_factor = match b.map(|e| nibble(e, w)) {
            [0, 0] => None,
            [n0, n1] => Some(ring.pair(y(n0)?, y(n1)?)),
        };
        for factor in [x_factor, y_factor].into_iter().flatten() {
            acc = Some(match &acc {
                Some(v) => ring.mul_pair(v, &factor),
                None => factor,
            });
        }
    }
    acc
}
