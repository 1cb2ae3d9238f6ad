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
