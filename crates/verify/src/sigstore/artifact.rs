//! What a bundle must be about: the artifact's bytes, one digest of it, or — for a file too
//! large to hold — every digest a bundle may name, computed as the file was read.

use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::keys::HashAlg;

/// What the bundle must be about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact<'a> {
    /// The artifact's bytes (a message signature's file; a DSSE statement's subject).
    Bytes(&'a [u8]),
    /// Only its digest (`--digest sha256:…`; for OCI images, the manifest digest).
    Digest(HashAlg, &'a [u8]),
    /// Its SHA-256, SHA-384 and SHA-512, hashed as it was read ([`ArtifactHasher`]): a file
    /// too large to hold. Everything verifies as for [`Artifact::Bytes`] except an Ed25519
    /// message signature, which signs the bytes themselves.
    Hashed(&'a ArtifactDigests),
}

impl Artifact<'_> {
    /// The artifact's digest with `alg`, when known.
    pub(crate) fn digest(self, alg: HashAlg) -> Option<Vec<u8>> {
        match self {
            Self::Bytes(b) => Some(alg.digest(b)),
            Self::Digest(a, d) => (a == alg).then(|| d.to_vec()),
            Self::Hashed(h) => Some(h.get(alg).to_vec()),
        }
    }
}

/// An artifact's digests with every algorithm a bundle may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactDigests {
    sha256: [u8; 32],
    sha384: [u8; 48],
    sha512: [u8; 64],
}

impl ArtifactDigests {
    /// The digest with `alg`.
    pub fn get(&self, alg: HashAlg) -> &[u8] {
        match alg {
            HashAlg::Sha256 => &self.sha256,
            HashAlg::Sha384 => &self.sha384,
            HashAlg::Sha512 => &self.sha512,
        }
    }
}

/// Hashes an artifact piece by piece, in constant memory.
#[derive(Debug, Clone, Default)]
pub struct ArtifactHasher {
    sha256: Sha256,
    sha384: Sha384,
    sha512: Sha512,
}

impl ArtifactHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds the next piece.
    pub fn update(&mut self, piece: &[u8]) {
        self.sha256.update(piece);
        self.sha384.update(piece);
        self.sha512.update(piece);
    }
    /// The digests of everything added.
    pub fn finish(self) -> ArtifactDigests {
        ArtifactDigests {
            sha256: self.sha256.finalize().into(),
            sha384: self.sha384.finalize().into(),
            sha512: self.sha512.finalize().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_hash_as_the_whole() {
        let whole: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let mut h = ArtifactHasher::new();
        for piece in whole.chunks(999) {
            h.update(piece);
        }
        let d = h.finish();
        for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            assert_eq!(d.get(alg), alg.digest(&whole));
            assert_eq!(Artifact::Hashed(&d).digest(alg), Some(alg.digest(&whole)));
            assert_eq!(
                Artifact::Bytes(&whole).digest(alg),
                Some(alg.digest(&whole))
            );
        }
        let sha256 = HashAlg::Sha256.digest(&whole);
        let one = Artifact::Digest(HashAlg::Sha256, &sha256);
        assert_eq!(one.digest(HashAlg::Sha256), Some(sha256.clone()));
        assert_eq!(one.digest(HashAlg::Sha512), None);
    }
}
