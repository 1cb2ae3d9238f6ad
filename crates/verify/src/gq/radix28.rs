//! The GQ [`Ring`] on `opk-monty`'s radix-2^28 Montgomery arithmetic (moduli up to 2048 bits;
//! the fast path in WebAssembly), checked against crypto-bigint there and by the GQ vectors here.

use opk_monty::{Element, Radix28Ring};

use super::ring::Ring;

impl Ring for Radix28Ring {
    type El = Element;

    fn element(&self, be: &[u8]) -> Option<(Element, bool)> {
        Radix28Ring::element(self, be)
    }
    fn mul(&self, a: &Element, b: &Element) -> Element {
        Radix28Ring::mul(self, a, b)
    }
    fn square(&self, a: &Element) -> Element {
        Radix28Ring::square(self, a)
    }
    fn write(&self, x: &Element, n_bytes: usize, out: &mut Vec<u8>) {
        Radix28Ring::write(self, x, n_bytes, out);
    }
}
