//! Two `f64` lanes: one WebAssembly SIMD128 vector (`f64x2`) where the target has it, a plain
//! pair elsewhere. Both compute the same exact values (every operand, product and sum in this
//! crate is an integer below 2^53), so the native tests check the arithmetic the browser runs;
//! the Chromium tests check the SIMD128 lanes themselves.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::{
        f64x2, f64x2_add, f64x2_extract_lane, f64x2_floor, f64x2_mul, f64x2_splat, f64x2_sub, v128,
    };

    /// Two lanes.
    pub type V = v128;

    /// `[0, 0]`.
    #[inline(always)]
    pub fn zero() -> V {
        f64x2_splat(0.0)
    }

    /// `[a, b]`.
    #[inline(always)]
    pub fn pair(a: f64, b: f64) -> V {
        f64x2(a, b)
    }

    /// `acc + a·b`, lane by lane (a multiply, then an add: never fused).
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        f64x2_add(acc, f64x2_mul(a, b))
    }

    /// `a + b`, lane by lane.
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        f64x2_add(a, b)
    }

    /// `(⌊v / 2^bits⌋, v mod 2^bits)`, lane by lane, for non-negative integers below 2^53:
    /// exact (scaling by a power of two, `floor`, and a subtraction of integers).
    #[inline(always)]
    pub fn split(v: V, bits: u32) -> (V, V) {
        let unit = f64::from(1u32 << bits);
        let hi = f64x2_floor(f64x2_mul(v, f64x2_splat(1.0 / unit)));
        (hi, f64x2_sub(v, f64x2_mul(hi, f64x2_splat(unit))))
    }

    /// Both lanes, as integers (each lane holds a non-negative integer below 2^53).
    #[inline(always)]
    pub fn to_u64s(v: V) -> [u64; 2] {
        [
            f64x2_extract_lane::<0>(v) as u64,
            f64x2_extract_lane::<1>(v) as u64,
        ]
    }

    /// The lanes as two values.
    #[inline(always)]
    pub fn to_array(v: V) -> [f64; 2] {
        [f64x2_extract_lane::<0>(v), f64x2_extract_lane::<1>(v)]
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Two lanes.
    pub type V = [f64; 2];

    /// `[0, 0]`.
    #[inline(always)]
    pub fn zero() -> V {
        [0.0; 2]
    }

    /// `[a, b]`.
    #[inline(always)]
    pub fn pair(a: f64, b: f64) -> V {
        [a, b]
    }

    /// `acc + a·b`, lane by lane.
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        [acc[0] + a[0] * b[0], acc[1] + a[1] * b[1]]
    }

    /// `a + b`, lane by lane.
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        [a[0] + b[0], a[1] + b[1]]
    }

    /// `(⌊v / 2^bits⌋, v mod 2^bits)`, lane by lane, for non-negative integers below 2^53.
    #[inline(always)]
    pub fn split(v: V, bits: u32) -> (V, V) {
        let unit = f64::from(1u32 << bits);
        let hi = v.map(|x| (x / unit).floor());
        (hi, [v[0] - hi[0] * unit, v[1] - hi[1] * unit])
    }

    /// Both lanes, as integers (each lane holds a non-negative integer below 2^53).
    #[inline(always)]
    pub fn to_u64s(v: V) -> [u64; 2] {
        [v[0] as u64, v[1] as u64]
    }

    /// The lanes as two values.
    #[inline(always)]
    pub fn to_array(v: V) -> [f64; 2] {
        v
    }
}

pub use imp::*;

/// Each value in both lanes.
#[inline(always)]
pub fn pair_each<const N: usize>(x: &[f64; N]) -> [V; N] {
    x.map(|l| pair(l, l))
}
