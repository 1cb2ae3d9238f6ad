//! The GQ [`Ring`] on `opk-monty`'s exact-`f64` Montgomery arithmetic (moduli up to 2048 bits;
//! the fast path in WebAssembly), checked against crypto-bigint there and by the GQ vectors here.

use opk_monty::{Element, F64Ring};

use super::ring::Ring;

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
}
