//! RFC 6962 / RFC 9162 §2.1.3.2 Merkle inclusion proofs with SHA-256: the leaf hash
//! `SHA-256(0x00 ‖ leaf)`, interior nodes `SHA-256(0x01 ‖ left ‖ right)`. The proof's length is
//! checked against the tree's shape first (the bits of `index XOR (size − 1)` plus the ones of
//! the border — popcount, not bit length: SR 7039d85), with checked arithmetic throughout.

use sha2::{Digest as _, Sha256};

use crate::VerifyError;

/// `SHA-256(0x00 ‖ leaf)`.
pub fn leaf_hash(leaf: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

fn node(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::InclusionProofInvalid { reason }
}

/// Checks that the leaf with hash `leaf` is at `index` in the tree of `size` leaves whose root
/// is `root`, by the audit path `proof` (leaf to root).
pub fn verify_inclusion(
    leaf: &[u8; 32],
    index: u64,
    size: u64,
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<(), VerifyError> {
    if index >= size {
        return Err(invalid("leaf index not inside the tree"));
    }
    let last = size - 1;
    let inner = u64::BITS - (index ^ last).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    let expected = usize::try_from(inner + border).map_err(|_| invalid("tree too deep"))?;
    if proof.len() != expected {
        return Err(invalid("proof length does not fit the tree"));
    }
    let (inner_path, border_path) = proof.split_at(usize::try_from(inner).unwrap_or(0));
    let mut r = *leaf;
    for (i, p) in inner_path.iter().enumerate() {
        r = if (index >> i) & 1 == 0 {
            node(&r, p)
        } else {
            node(p, &r)
        };
    }
    for p in border_path {
        r = node(p, &r);
    }
    if &r == root {
        Ok(())
    } else {
        Err(invalid("the path does not lead to the root"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root of leaves `[from, to)` (RFC 6962's MTH), for building expected proofs.
    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaves[0],
            n => {
                let k = n.next_power_of_two() / 2;
                node(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    /// RFC 6962's PATH(m, D[n]).
    fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        let n = leaves.len();
        if n <= 1 {
            return Vec::new();
        }
        let k = n.next_power_of_two() / 2;
        if m < k {
            let mut p = path(m, &leaves[..k]);
            p.push(mth(&leaves[k..]));
            p
        } else {
            let mut p = path(m - k, &leaves[k..]);
            p.push(mth(&leaves[..k]));
            p
        }
    }

    /// Every leaf of every tree up to 40 leaves verifies against RFC 6962's own definitions,
    /// and every single change (a path hash, the index, the root, a shorter or longer path) is
    /// refused.
    #[test]
    fn inclusion_both_ways() {
        let leaves: Vec<[u8; 32]> = (0u8..40).map(|i| leaf_hash(&[i])).collect();
        for n in 1..=leaves.len() {
            let tree = &leaves[..n];
            let root = mth(tree);
            for m in 0..n {
                let p = path(m, tree);
                let (index, size) = (m as u64, n as u64);
                assert!(
                    verify_inclusion(&tree[m], index, size, &p, &root).is_ok(),
                    "{m} of {n}"
                );
                let mut bad_root = root;
                bad_root[0] ^= 1;
                assert!(verify_inclusion(&tree[m], index, size, &p, &bad_root).is_err());
                for i in 0..p.len() {
                    let mut q = p.clone();
                    q[i][31] ^= 1;
                    assert!(verify_inclusion(&tree[m], index, size, &q, &root).is_err());
                }
                let mut longer = p.clone();
                longer.push(root);
                assert!(verify_inclusion(&tree[m], index, size, &longer, &root).is_err());
                if !p.is_empty() {
                    assert!(verify_inclusion(&tree[m], index, size, &p[1..], &root).is_err());
                }
                if m + 1 < n {
                    assert!(verify_inclusion(&tree[m], index + 1, size, &p, &root).is_err());
                }
                // (A wrong size may compute the same root: the size is bound by the checkpoint,
                // which signs size and root together.)
            }
            assert!(verify_inclusion(&tree[0], n as u64, n as u64, &[], &root).is_err());
        }
        // The largest sizes do not overflow.
        assert!(verify_inclusion(&leaves[0], u64::MAX - 1, u64::MAX, &[], &leaves[0]).is_err());
        assert!(verify_inclusion(&leaves[0], 0, u64::MAX, &[], &leaves[0]).is_err());
    }
}
