//! Keccak hashes (RustCrypto `sha3`) compiled here at this crate's speed profile: GQ's
//! challenge hash SHAKE256, and SHA3-256 (the CIC commitment) so the page holds one Keccak
//! permutation. The permutation is generic, so it is compiled in the crate that first uses it
//! concretely; used from `opk-verify` (optimised for size) it ran about three times slower in
//! V8 — a tenth of a GQ verification for the 5 KB a GQ256 proof hashes.

use sha3::digest::{Digest as _, ExtendableOutput as _, Update as _, XofReader as _};

/// SHAKE256 of the concatenated `parts`, `out.len()` bytes of output.
pub fn shake256(parts: &[&[u8]], out: &mut [u8]) {
    let mut h = sha3::Shake256::default();
    for part in parts {
        h.update(part);
    }
    h.finalize_xof().read(out);
}

/// SHA3-256 of `data`.
pub fn sha3_256(data: &[u8]) -> [u8; 32] {
    sha3::Sha3_256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 202 known answers: SHAKE256 of the empty string and of "abc", 32 bytes (split input
    /// hashes as its concatenation), and SHA3-256 of "abc".
    #[test]
    fn known_answers() {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let mut out = [0u8; 32];
        shake256(&[], &mut out);
        assert_eq!(
            hex(&out),
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"
        );
        shake256(&[b"abc"], &mut out);
        assert_eq!(
            hex(&out),
            "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739"
        );
        let mut split = [0u8; 32];
        shake256(&[b"a", b"", b"bc"], &mut split);
        assert_eq!(split, out);
        assert_eq!(
            hex(&sha3_256(b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
    }
}
