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
    /// Rounds two by two, one per SIMD lane (a last odd round alone); each pair enters and
    /// leaves Montgomery form in one product.
    fn witnesses(
        &self,
        s: &[&[u8]],
        v: &[u8],
        g_table: &[Element],
        r: &[&[u8]],
        n_bytes: usize,
    ) -> Option<Vec<u8>> {
        let (one, _) = self.element(&[1])?;
        let mut out = Vec::with_capacity(s.len() * n_bytes);
        let (s_pairs, r_pairs) = (s.chunks_exact(2), r.chunks_exact(2));
        let (s_rest, r_rest) = (s_pairs.remainder(), r_pairs.remainder());
        for (s, r) in s_pairs.zip(r_pairs) {
            let (x, [false, false]) = self.element_pair(s[0], s[1])? else {
                return None;
            };
            let w = pow_product_pair(self, &x, v, g_table, &one, [r[0], r[1]])?;
            self.write_pair(&w, n_bytes, &mut out);
        }
        witnesses_one_by_one(self, s_rest, v, g_table, r_rest, n_bytes, &mut out)?;
        Some(out)
    }
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
