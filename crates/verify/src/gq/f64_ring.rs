//! The GQ [`Ring`] on `opk-monty`'s exact-`f64` Montgomery arithmetic (moduli up to 2048 bits;
//! the fast path in WebAssembly), checked against crypto-bigint there and by the GQ vectors here.

use opk_monty::{Element, ElementPair, F64Ring};

use super::ring::{pow_product_pair, witnesses_one_by_one, PairRing, Ring};

impl Ring for F64Ring {
    type El = Element;

    fn element(&self, be: &[u8]) -> Option<(Element, bool)> {
        F64Ring::element(self, be)
    }
    fn mul(&self, a: &Element, b: &Element) -> Element {
        F64Ring::mul(self, a, b)
    }
    fn square(&self, a: &Element) -> Element {
        F64Ring::square(self, a)
    }
    fn write(&self, x: &Element, n_bytes: usize, out: &mut Vec<u8>) {
        F64Ring::write(self, x, n_bytes, out);
    }
    /// Two entries per product: `(x^{2k+1}, x^{2k+2}) = (x^{2k-1}, x^{2k}) · (x², x²)`.
    fn table(&self, x: &Element, len: usize) -> Vec<Element> {
        let mut table = vec![*x];
        if len < 2 {
            return table;
        }
        let x2 = F64Ring::square(self, x);
        let step = self.pair(&x2, &x2);
        let mut last = self.pair(x, &x2);
        table.push(x2);
        while table.len() < len {
            last = self.mul_pair(&last, &step);
            let (odd, even) = self.unpair(&last);
            table.extend([odd, even]);
        }
        table.truncate(len);
        table
    }
    /// Rounds two by two, one per SIMD lane (a last odd round alone). For an odd `v > 1` each
    /// pair computes `S^(v−1) · G^R` in Montgomery form and then multiplies by the plain `S`,
    /// which leaves Montgomery form in the same product (`opk_monty::PlainPair`); any other `v`
    /// goes one round at a time.
    fn witnesses(
        &self,
        s: &[&[u8]],
        v: &[u8],
        g_table: &[Element],
        r: &[&[u8]],
        n_bytes: usize,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len() * n_bytes);
        let Some(v_less_one) = odd_less_one(v) else {
            witnesses_one_by_one(self, s, v, g_table, r, n_bytes, &mut out)?;
            return Some(out);
        };
        let (one, _) = self.element(&[1])?;
        let (s_pairs, r_pairs) = (s.chunks_exact(2), r.chunks_exact(2));
        let (s_rest, r_rest) = (s_pairs.remainder(), r_pairs.remainder());
        for (s, r) in s_pairs.zip(r_pairs) {
            let (plain, [false, false]) = self.plain_pair(s[0], s[1])? else {
                return None;
            };
            let x = self.to_montgomery(&plain);
            let w = pow_product_pair(self, &x, &v_less_one, g_table, &one, [r[0], r[1]])?;
            self.write_plain_pair(&self.mul_plain(&w, &plain), n_bytes, &mut out);
        }
        witnesses_one_by_one(self, s_rest, v, g_table, r_rest, n_bytes, &mut out)?;
        Some(out)
    }
}

/// `v − 1` for an odd big-endian `v > 1` (its last bit cleared), else `None`.
fn odd_less_one(v: &[u8]) -> Option<Vec<u8>> {
    let mut less = v.to_vec();
    let last = less.last_mut().filter(|b| **b & 1 == 1)?;
    *last &= !1;
    less.iter().any(|b| *b != 0).then_some(less)
}

impl PairRing for F64Ring {
    type Pair = ElementPair;

    fn pair(&self, a: &Element, b: &Element) -> ElementPair {
        F64Ring::pair(self, a, b)
    }
    fn mul_pair(&self, a: &ElementPair, b: &ElementPair) -> ElementPair {
        F64Ring::mul_pair(self, a, b)
    }
    fn square_pair(&self, a: &ElementPair) -> ElementPair {
        F64Ring::square_pair(self, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gq::ring::window_table;
    use crypto_bigint::{BoxedUint, Odd};

    /// The paired witnesses (an odd `v > 1`: `S^(v−1)·G^R`, then the plain `S`) equal the
    /// reference ring's one-by-one witnesses, for an odd number of rounds and every kind of
    /// `v` (odd, even, one).
    #[test]
    fn paired_witnesses_match_the_reference() {
        let n: Odd<BoxedUint> =
            Option::from(Odd::new(BoxedUint::from_be_slice_vartime(&[0xd7; 256]))).unwrap();
        let (fast, reference) = (
            F64Ring::new(&n).unwrap(),
            crate::gq::ring::BoxedRing::new(&n),
        );
        let s: Vec<Vec<u8>> = (0..5u8).map(|i| vec![0x11 + 0x20 * i; 255]).collect();
        let s: Vec<&[u8]> = s.iter().map(Vec::as_slice).collect();
        let r: [&[u8]; 5] = [
            &[0xf0, 0x0f],
            &[0x00, 0x00],
            &[0x12, 0x34],
            &[0xff, 0xff],
            &[9, 0],
        ];
        let (g, _) = Ring::element(&fast, &[0x5c; 200]).unwrap();
        let (g_ref, _) = Ring::element(&reference, &[0x5c; 200]).unwrap();
        for v in [&[1, 0, 1][..], &[3], &[1], &[2], &[0x80, 0]] {
            let ours = Ring::witnesses(&fast, &s, v, &Ring::table(&fast, &g, 15), &r, 256);
            let theirs = Ring::witnesses(
                &reference,
                &s,
                v,
                &window_table(&reference, &g_ref, 15),
                &r,
                256,
            );
            assert_eq!(ours, theirs, "v = {v:?}");
            assert_eq!(ours.map(|w| w.len()), Some(5 * 256));
        }
        // A zero response is refused in a pair as alone.
        let mut zero = s.clone();
        zero[1] = &[0; 255];
        assert!(Ring::witnesses(
            &fast,
            &zero,
            &[1, 0, 1],
            &Ring::table(&fast, &g, 15),
            &r,
            256
        )
        .is_none());
    }

    /// `v − 1` only for an odd `v > 1`.
    #[test]
    fn odd_less_one_clears_the_last_bit() {
        assert_eq!(odd_less_one(&[1, 0, 1]), Some(vec![1, 0, 0]));
        assert_eq!(odd_less_one(&[3]), Some(vec![2]));
        assert_eq!(odd_less_one(&[0, 1]), None);
        assert_eq!(odd_less_one(&[2]), None);
        assert_eq!(odd_less_one(&[]), None);
    }

    /// The two-per-product table equals the one-by-one table at every length.
    #[test]
    fn table_in_pairs_matches_one_by_one() {
        let n: Odd<BoxedUint> =
            Option::from(Odd::new(BoxedUint::from_be_slice_vartime(&[0xc5; 256]))).unwrap();
        let ring = F64Ring::new(&n).unwrap();
        let (x, _) = Ring::element(&ring, &[0x3a; 255]).unwrap();
        let bytes = |t: &[Element]| {
            let mut out = Vec::new();
            for e in t {
                Ring::write(&ring, e, 256, &mut out);
            }
            out
        };
        for len in 0..=16 {
            let pairs = Ring::table(&ring, &x, len);
            assert_eq!(pairs.len(), len.max(1), "len {len}");
            assert_eq!(
                bytes(&pairs),
                bytes(&window_table(&ring, &x, len)),
                "len {len}"
            );
        }
    }
}
