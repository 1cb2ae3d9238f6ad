//! Guillou–Quisquater (GQ1, ISO/IEC 14888-2) proofs of knowledge of an RSA signature, as
//! OpenPubkey uses them to publish an ID token without its replayable RSA signature (spec §5).
//!
//! Stages, named as in ISO/IEC 14888-2: the verifier recomputes each witness
//! `W*_i = S_i^v · G^{R_i} mod n` from the response `S_i` and the challenge part `R_i`, then
//! recomputes the challenge `R* = H(W* ‖ M)` and accepts iff `R* = R`. For OpenPubkey `v = e =
//! 65537`, `t = 16`, `H` = SHAKE256 and `G` = the EMSA-PKCS1-v1_5/SHA-256 encoding of the identity
//! (exactly what the OP RSA-signed). The modular core ([`verify_core`], [`sign_core`]) takes the
//! hash and `G` as arguments so the ISO example (SHA-1, `t = 1`) runs through the same code.
//!
//! All values are public during verification, so variable-time arithmetic is fine there. Signing
//! takes its randomness from the caller; nothing here touches an RNG.
//!
//! Speed: each round is one joint exponentiation `S_i^v · G^{R_i}` sharing `G`'s window table
//! across rounds ([`ring::pow_product`]) — 16 squarings and at most 5 multiplications for
//! GQ256. For moduli up to 2048 bits it runs on exact-`f64` Montgomery arithmetic (`opk-monty`),
//! two rounds at a time, one per SIMD128 lane ([`ring::pow_product_pair`]); wider moduli run on
//! crypto-bigint, and natively 2048-bit moduli on crypto-bigint's `U2048` — unless a caller
//! asks for the browser's arithmetic ([`with_arithmetic`]), as the native tests do to run every
//! GQ check on the f64 ring too.

mod f64_ring;
mod ring;

use opk_monty::F64Ring;
#[cfg(not(target_arch = "wasm32"))]
use ring::FixedRing2048;
use ring::{max_nibble, pow, BoxedRing, Ring};

use crypto_bigint::{BoxedUint, Odd};
use sha2::{Digest as _, Sha256};

use crate::jose::RsaKey;

/// The arithmetic GQ verification runs on for moduli of at most 2048 bits. Both give the same
/// verdicts; natively the tests run their checks on each ([`with_arithmetic`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Arithmetic {
    /// The target's fastest: crypto-bigint's `U2048` natively (64-bit limbs multiply natively),
    /// `opk-monty`'s exact-`f64` ring in WebAssembly.
    Fastest,
    /// `opk-monty`'s exact-`f64` ring on every target: the arithmetic every browser runs.
    BrowserF64,
}

impl Arithmetic {
    /// Every arithmetic there is, for tests that check them all.
    pub const ALL: [Arithmetic; 2] = [Self::Fastest, Self::BrowserF64];
}

#[cfg(not(target_arch = "wasm32"))]
std::thread_local! {
    static ARITHMETIC: core::cell::Cell<Arithmetic> = const { core::cell::Cell::new(Arithmetic::Fastest) };
}

/// Runs `f` with this thread's GQ verifications on `arithmetic` (natively; in WebAssembly both
/// are the f64 ring), then restores the previous choice, also if `f` panics. The verdict never
/// depends on it: it exists so the native tests can run every GQ check on the f64 ring that
/// every browser executes, not only on the `U2048` the CLI uses.
pub fn with_arithmetic<T>(arithmetic: Arithmetic, f: impl FnOnce() -> T) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    {
        struct Restore(Arithmetic);
        impl Drop for Restore {
            fn drop(&mut self) {
                ARITHMETIC.with(|a| a.set(self.0));
            }
        }
        let _restore = Restore(ARITHMETIC.with(|a| a.replace(arithmetic)));
        f()
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = arithmetic;
        f()
    }
}

/// Security parameter λ of OpenPubkey's GQ256.
pub const SECURITY_BITS: usize = 256;

/// Shape of a GQ proof for one modulus and exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GqShape {
    /// Number of rounds `t`.
    pub t: usize,
    /// Bytes per challenge part `R_i`.
    pub v_bytes: usize,
    /// Bytes per response `S_i` (the modulus length).
    pub n_bytes: usize,
}

impl GqShape {
    /// OpenPubkey's shape for an RSA key with e = 65537: `vBytes = 2`, `t = 256 / 16 = 16`
    /// (the F0 formula and the 2026 `ceil(λ / floor(log2 e))` agree for this exponent, the only
    /// one [`RsaKey`] admits).
    pub fn for_rsa(key: &RsaKey) -> Self {
        Self {
            t: SECURITY_BITS / 16,
            v_bytes: 2,
            n_bytes: key.modulus_len(),
        }
    }
    /// Total proof length `t·vBytes + t·nBytes`.
    pub fn proof_len(&self) -> usize {
        self.t * (self.v_bytes + self.n_bytes)
    }
    fn challenge_len(&self) -> usize {
        self.t * self.v_bytes
    }
}

/// OpenPubkey's GQ hash: the first `k` bytes of SHAKE256(W ‖ M).
pub fn shake256_challenge(w: &[u8], message: &[u8], k: usize) -> Vec<u8> {
    let mut out = vec![0u8; k];
    opk_monty::shake256(&[w, message], &mut out);
    out
}

/// The GQ public value `G` for an identity: EMSA-PKCS1-v1_5 with SHA-256, `n_bytes` long.
/// Returns `None` when the modulus is too short to hold the encoding.
pub fn pkcs1v15_sha256_encoding(identity: &[u8], n_bytes: usize) -> Option<Vec<u8>> {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let t_len = DIGEST_INFO.len() + 32;
    let pad = n_bytes.checked_sub(t_len + 3).filter(|p| *p >= 8)?;
    let mut em = Vec::with_capacity(n_bytes);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(2 + pad, 0xff);
    em.push(0x00);
    em.extend_from_slice(&DIGEST_INFO);
    em.extend_from_slice(&Sha256::digest(identity));
    Some(em)
}

fn verify_with<R: Ring>(
    ring: &R,
    v: &[u8],
    shape: GqShape,
    g: &[u8],
    message: &[u8],
    proof: &[u8],
    h: impl Fn(&[u8], &[u8], usize) -> Vec<u8>,
) -> bool {
    if proof.len() != shape.proof_len() || shape.t == 0 {
        return false;
    }
    let (r, s) = proof.split_at(shape.challenge_len());
    let Some((g, _)) = ring.element(g) else {
        return false;
    };
    let g_table = ring.table(&g, max_nibble(r));
    let s_parts: Vec<&[u8]> = s.chunks_exact(shape.n_bytes).collect();
    let r_parts: Vec<&[u8]> = r.chunks_exact(shape.v_bytes).collect();
    let Some(w_star) = ring.witnesses(&s_parts, v, &g_table, &r_parts, shape.n_bytes) else {
        return false;
    };
    h(&w_star, message, shape.challenge_len()) == r
}

#[allow(clippy::too_many_arguments)]
fn sign_with<R: Ring>(
    ring: &R,
    v: &[u8],
    shape: GqShape,
    q: &R::El,
    message: &[u8],
    fill: &mut dyn FnMut(&mut [u8]),
    h: impl Fn(&[u8], &[u8], usize) -> Vec<u8>,
) -> Option<Vec<u8>> {
    let mut rs = Vec::with_capacity(shape.t);
    let mut w = Vec::with_capacity(shape.t * shape.n_bytes);
    let mut buf = vec![0u8; shape.n_bytes];
    for _ in 0..shape.t {
        let r_i = loop {
            fill(&mut buf);
            if let Some((x, false)) = ring.element(&buf) {
                break x;
            }
        };
        ring.write(&pow(ring, &r_i, v)?, shape.n_bytes, &mut w);
        rs.push(r_i);
    }
    let r = h(&w, message, shape.challenge_len());
    let mut proof = r.clone();
    for (r_i, big_r_i) in rs.iter().zip(r.chunks_exact(shape.v_bytes)) {
        let q_r = match pow(ring, q, big_r_i) {
            Some(q_r) => ring.mul(r_i, &q_r),
            None => r_i.clone(),
        };
        ring.write(&q_r, shape.n_bytes, &mut proof);
    }
    Some(proof)
}

/// GQ1 verification with an injectable hash `h(W, M, k)` and public value `G`.
///
/// Rejects (returns false) on a wrong proof length, any `S_i = 0` or `S_i ≥ n`, `G ∉ [0, n)`, or
/// a recomputed challenge that differs from `R`. Moduli up to 2048 bits take the `f64`
/// path in WebAssembly, crypto-bigint's `U2048` natively (unless [`with_arithmetic`] asks for
/// the `f64` path).
pub fn verify_core(
    n: &Odd<BoxedUint>,
    v: &[u8],
    shape: GqShape,
    g: &[u8],
    message: &[u8],
    proof: &[u8],
    h: impl Fn(&[u8], &[u8], usize) -> Vec<u8>,
) -> bool {
    match ring_for(n) {
        #[cfg(not(target_arch = "wasm32"))]
        Selected::Fixed2048(ring) => verify_with(&*ring, v, shape, g, message, proof, h),
        Selected::F64(ring) => verify_with(&*ring, v, shape, g, message, proof, h),
        Selected::Boxed(ring) => verify_with(&ring, v, shape, g, message, proof, h),
    }
}

/// The ring [`verify_core`] runs on.
enum Selected {
    #[cfg(not(target_arch = "wasm32"))]
    Fixed2048(Box<FixedRing2048>),
    F64(Box<F64Ring>),
    Boxed(BoxedRing),
}

fn ring_for(n: &Odd<BoxedUint>) -> Selected {
    // 64-bit CPUs multiply 64-bit limbs natively: crypto-bigint's U2048 is faster there.
    #[cfg(not(target_arch = "wasm32"))]
    if ARITHMETIC.with(|a| a.get()) == Arithmetic::Fastest {
        if let Some(ring) = FixedRing2048::new(n) {
            return Selected::Fixed2048(Box::new(ring));
        }
    }
    match F64Ring::new(n) {
        Some(ring) => Selected::F64(Box::new(ring)),
        None => Selected::Boxed(BoxedRing::new(n)),
    }
}

/// GQ1 signing with an injectable hash, given the private value `Q` (with `Q^v · G ≡ 1`).
/// `fill` supplies randomness; each commitment `r_i` is drawn uniformly from `[1, n)` by rejection.
/// Returns `None` if `Q ∉ [0, n)`.
pub fn sign_core(
    n: &Odd<BoxedUint>,
    v: &[u8],
    shape: GqShape,
    q: &[u8],
    message: &[u8],
    fill: &mut dyn FnMut(&mut [u8]),
    h: impl Fn(&[u8], &[u8], usize) -> Vec<u8>,
) -> Option<Vec<u8>> {
    match F64Ring::new(n) {
        Some(ring) => {
            let (q, _) = ring.element(q)?;
            sign_with(&ring, v, shape, &q, message, fill, h)
        }
        None => {
            let ring = BoxedRing::new(n);
            let (q, _) = ring.element(q)?;
            sign_with(&ring, v, shape, &q, message, fill, h)
        }
    }
}

/// OpenPubkey GQ256 verification: `identity` is what the OP RSA-signed (`header.payload`),
/// `message` what the proof commits to (the same in F0–F2; `gqheader.payload` in F3).
pub fn verify(key: &RsaKey, identity: &[u8], message: &[u8], proof: &[u8]) -> bool {
    let shape = GqShape::for_rsa(key);
    let Some(g) = pkcs1v15_sha256_encoding(identity, shape.n_bytes) else {
        return false;
    };
    verify_core(
        key.modulus(),
        &[0x01, 0x00, 0x01],
        shape,
        &g,
        message,
        proof,
        shake256_challenge,
    )
}

/// OpenPubkey GQ256 signing: proves knowledge of `rsa_signature` (the OP's RS256 signature over
/// `identity`) bound to `message`. Returns `None` if the signature is not valid for `identity`.
pub fn sign(
    key: &RsaKey,
    identity: &[u8],
    rsa_signature: &[u8],
    message: &[u8],
    fill: &mut dyn FnMut(&mut [u8]),
) -> Option<Vec<u8>> {
    if !crate::jose::rs256::verify(key, identity, rsa_signature) {
        return None;
    }
    let shape = GqShape::for_rsa(key);
    let ring = BoxedRing::new(key.modulus());
    let (sigma, _) = ring.element(rsa_signature)?;
    let mut q_bytes = Vec::with_capacity(shape.n_bytes);
    ring.write(&ring.invert(&sigma)?, shape.n_bytes, &mut q_bytes);
    sign_core(
        key.modulus(),
        &[0x01, 0x00, 0x01],
        shape,
        &q_bytes,
        message,
        fill,
        shake256_challenge,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs1_encoding_shape() {
        let em = pkcs1v15_sha256_encoding(b"x", 256).unwrap();
        assert_eq!(em.len(), 256);
        assert_eq!(&em[..3], &[0, 1, 0xff]);
        assert_eq!(em[256 - 52], 0);
        assert!(pkcs1v15_sha256_encoding(b"x", 61).is_none());
    }

    /// Both rings agree on the real GQ proof over the 2022 GitHub token (a 2048-bit key).
    #[test]
    fn f64_and_reference_rings_agree() {
        let jwks = crate::jose::Jwks::from_json(include_bytes!(
            "../tests/vectors/github_jwks_2022-08_stepsecurity.json"
        ))
        .unwrap();
        let crate::jose::PublicKey::Rsa(key) = &jwks
            .find("78167F727DEC5D801DD1C8784C704A1C880EC0E1")
            .unwrap()
            .key
        else {
            panic!("not RSA")
        };
        let jwt =
            include_str!("../tests/vectors/gq_dfa5678_over_real_github_idtoken_2022-08.jwt").trim();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let proof = crate::b64::decode_url(sig, "t").unwrap();
        let shape = GqShape::for_rsa(key);
        let g = pkcs1v15_sha256_encoding(input.as_bytes(), 256).unwrap();
        let v = [1, 0, 1];
        let fixed = F64Ring::new(key.modulus()).unwrap();
        let boxed = BoxedRing::new(key.modulus());
        let m = input.as_bytes();
        assert!(verify_with(
            &fixed,
            &v,
            shape,
            &g,
            m,
            &proof,
            shake256_challenge
        ));
        assert!(verify_with(
            &boxed,
            &v,
            shape,
            &g,
            m,
            &proof,
            shake256_challenge
        ));
        let mut bad = proof.clone();
        bad[100] ^= 1;
        assert!(!verify_with(
            &fixed,
            &v,
            shape,
            &g,
            m,
            &bad,
            shake256_challenge
        ));
        assert!(!verify_with(
            &boxed,
            &v,
            shape,
            &g,
            m,
            &bad,
            shake256_challenge
        ));
        // A 2056-bit modulus is too wide for the f64 ring; 2048 bits is not.
        let odd = |bytes: &[u8]| -> Odd<BoxedUint> {
            Option::from(Odd::new(BoxedUint::from_be_slice_vartime(bytes))).unwrap()
        };
        assert!(F64Ring::new(&odd(&[0x81; 257])).is_none());
        assert!(F64Ring::new(&odd(&[0xff; 256])).is_some());
    }

    /// Natively a 2048-bit modulus runs on `U2048` unless the f64 ring is asked for, and the
    /// choice is restored afterwards, also after a panic; wider moduli run on crypto-bigint.
    #[test]
    fn the_asked_arithmetic_is_the_one_that_runs() {
        let odd = |bytes: &[u8]| -> Odd<BoxedUint> {
            Option::from(Odd::new(BoxedUint::from_be_slice_vartime(bytes))).unwrap()
        };
        let n2048 = odd(&[0xff; 256]);
        let is_f64 = |n| matches!(ring_for(n), Selected::F64(_));
        assert_eq!(is_f64(&n2048), cfg!(target_arch = "wasm32"));
        assert!(with_arithmetic(Arithmetic::BrowserF64, || is_f64(&n2048)));
        assert_eq!(is_f64(&n2048), cfg!(target_arch = "wasm32"));
        let panicked = std::panic::catch_unwind(|| {
            with_arithmetic(Arithmetic::BrowserF64, || panic!("inside"))
        });
        assert!(panicked.is_err());
        assert_eq!(is_f64(&n2048), cfg!(target_arch = "wasm32"));
        assert!(with_arithmetic(Arithmetic::Fastest, || with_arithmetic(
            Arithmetic::BrowserF64,
            || is_f64(&n2048)
        )));
        let n2056 = odd(&[0x81; 257]);
        for a in Arithmetic::ALL {
            assert!(with_arithmetic(a, || matches!(
                ring_for(&n2056),
                Selected::Boxed(_)
            )));
        }
    }

    #[test]
    fn shape_for_2048() {
        let shape = GqShape {
            t: 16,
            v_bytes: 2,
            n_bytes: 256,
        };
        assert_eq!(shape.proof_len(), 4128);
    }
}
