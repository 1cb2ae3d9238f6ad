//! The test timestamp authority (RFC 3161): a self-signed P-256 root and a leaf whose only,
//! critical extended key usage is time-stamping, as Sigstore's timestamp-authority issues
//! them. [`timestamp`] answers a request for a signature with a `TimeStampResp`: status
//! granted, a CMS `SignedData` around the `TSTInfo` (imprint = SHA-256 of the signature), the
//! signed attributes naming TSTInfo and carrying its digest, signed by the leaf, which the
//! token embeds and names by issuer and serial number.

use p256::ecdsa::SigningKey;
use sha2::{Digest as _, Sha256};

use crate::der::{self, explicit, extension, name, octets, oid, seq, set, uint};

/// The authority's URI in the trusted root.
pub const URI: &str = "https://tsa.opk.test";
/// The root's and leaf's validity: 2020-01-01 to 2100-01-01.
pub const VALIDITY: (i64, i64) = (1_577_836_800, 4_102_444_800);

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";

/// The root's key.
pub fn root_key() -> SigningKey {
    SigningKey::from_slice(&[23u8; 32]).unwrap()
}

/// The signing (leaf) key.
pub fn leaf_key() -> SigningKey {
    SigningKey::from_slice(&[24u8; 32]).unwrap()
}

fn root_name() -> Vec<u8> {
    name("opk-test-tsa-root", Some("opk.test"))
}

/// The root certificate (DER): a CA for time-stamping.
pub fn root_certificate() -> Vec<u8> {
    der::self_signed_ca(&root_key(), root_name(), VALIDITY)
}

const LEAF_SERIAL: [u8; 1] = [2];

/// A leaf for `key` with `eku_critical` time-stamping (the only profile RFC 3161 allows is
/// critical; `false` forges the one a verifier must refuse).
pub fn leaf_certificate_with(key: &SigningKey, eku_critical: bool) -> Vec<u8> {
    let tbs = seq(&[
        explicit(0, &uint(&[2])),
        uint(&LEAF_SERIAL),
        der::ecdsa_sha256(),
        root_name(),
        seq(&[der::time(VALIDITY.0), der::time(VALIDITY.1)]),
        name("opk-test-tsa", Some("opk.test")),
        der::spki(key),
        explicit(
            3,
            &seq(&[
                extension("2.5.29.15", true, &[0x03, 0x02, 0x07, 0x80]),
                extension("2.5.29.37", eku_critical, &seq(&[oid(TIME_STAMPING)])),
            ]),
        ),
    ]);
    der::certificate(tbs, &root_key())
}

/// The authority's leaf certificate (DER).
pub fn leaf_certificate() -> Vec<u8> {
    leaf_certificate_with(&leaf_key(), true)
}

/// The `TSTInfo` DER for `signature` at `at` (Unix seconds).
pub fn tst_info(signature: &[u8], at: i64) -> Vec<u8> {
    seq(&[
        uint(&[1]),
        oid("1.3.6.1.4.1.57264.2"),
        seq(&[seq(&[oid(SHA256)]), octets(&Sha256::digest(signature))]),
        uint(&at.to_be_bytes()),
        der::generalized_time(at),
    ])
}

/// A `TimeStampResp` (DER) granting `tst_info`, signed by `key` and embedding `leaf`.
pub fn response_with(tst_info: &[u8], key: &SigningKey, leaf: &[u8]) -> Vec<u8> {
    let content_type = seq(&[oid("1.2.840.113549.1.9.3"), set(&[oid(TST_INFO)])]);
    let message_digest = seq(&[
        oid("1.2.840.113549.1.9.4"),
        set(&[octets(&Sha256::digest(tst_info))]),
    ]);
    // DER orders a SET OF by encoding: contentType's encoding sorts first (its OID ends …9.3).
    let attrs = [content_type, message_digest].concat();
    let signature = der::sign(key, &der::tlv(0x31, &attrs));
    let signer_info = seq(&[
        uint(&[1]),
        seq(&[root_name(), uint(&LEAF_SERIAL)]),
        seq(&[oid(SHA256)]),
        der::tlv(0xa0, &attrs),
        der::ecdsa_sha256(),
        octets(&signature),
    ]);
    let signed_data = seq(&[
        uint(&[3]),
        set(&[seq(&[oid(SHA256)])]),
        seq(&[oid(TST_INFO), explicit(0, &octets(tst_info))]),
        der::tlv(0xa0, leaf),
        set(&[signer_info]),
    ]);
    seq(&[
        seq(&[uint(&[0])]),
        seq(&[oid("1.2.840.113549.1.7.2"), explicit(0, &signed_data)]),
    ])
}

/// The authority's answer to a request for `signature` at `at`.
pub fn timestamp(signature: &[u8], at: i64) -> Vec<u8> {
    response_with(&tst_info(signature, at), &leaf_key(), &leaf_certificate())
}
