//! The JOSE subset OpenPubkey needs: JWK/JWKS import, an algorithm allow-list, compact JWS, and
//! the two classical signature schemes (RS256, ES256). GQ lives in [`crate::gq`].

pub mod alg;
pub mod es256;
pub mod jwk;
pub mod jws;
pub mod rs256;

pub use alg::Alg;
pub use jwk::{EcKey, Jwk, Jwks, PublicKey, RsaKey};
pub use jws::{verify_compact, CompactJws, Header};
