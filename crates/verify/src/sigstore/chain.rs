//! Certificate paths from a signing leaf to an authority of the trusted root, valid at a given
//! verified time (never "now": the hybrid model of Sigstore's client spec §4.3). Only the
//! trusted root supplies issuers and anchors; certificates a bundle or timestamp offers are
//! never anchors (sigstore-conformance `bundle-with-root-cert_fail`). Each authority is tried
//! alone, only inside its own validity window (TOB-SIGSTORE-11).

use super::signatures::Signatures;
use const_oid::ObjectIdentifier;

use super::cert::Cert;
use super::time::Millis;
use super::trusted_root::Authority;
use crate::VerifyError;

fn invalid(reason: &'static str) -> VerifyError {
    VerifyError::ChainInvalid { reason }
}

/// An authority's certificates, parsed (leaf first, anchor last).
#[derive(Debug, Clone)]
pub struct ParsedAuthority<'a> {
    /// The authority.
    pub authority: &'a Authority,
    /// Its chain.
    pub certs: Vec<Cert>,
}

impl<'a> ParsedAuthority<'a> {
    /// Parses an authority's chain.
    pub fn parse(authority: &'a Authority) -> Result<Self, VerifyError> {
        let certs = authority
            .chain
            .iter()
            .map(|d| Cert::parse(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| VerifyError::TrustedRootInvalid {
                reason: "an authority's certificate does not parse",
            })?;
        Ok(Self { authority, certs })
    }
}

/// Checks that `leaf` chains, at time `t`, to this authority's anchor through the authority's
/// own certificates, each issuer a CA allowed to issue for `eku`, every certificate valid at
/// `t`, the authority itself valid at `t`. Returns the leaf's direct issuer (for SCTs).
pub fn verify_at<'c>(
    leaf: &Cert,
    authority: &'c ParsedAuthority<'_>,
    t: Millis,
    eku: ObjectIdentifier,
    sigs: &Signatures<'_>,
) -> Result<&'c Cert, VerifyError> {
    if !authority.authority.valid_for.contains(t) {
        return Err(VerifyError::OutsideValidity {
            what: "certificate authority",
            time: t.to_string(),
        });
    }
    if !leaf.valid_at(t) {
        return Err(VerifyError::OutsideValidity {
            what: "signing certificate",
            time: t.to_string(),
        });
    }
    let certs = &authority.certs;
    let anchor = certs
        .last()
        .ok_or(invalid("the authority has no certificates"))?;
    // The path walks the authority's chain in order: leaf → certs[i] → … → anchor.
    let start = certs
        .iter()
        .position(|c| leaf.issued_by(c, sigs))
        .ok_or(invalid(
            "no certificate of the authority issued the signing certificate",
        ))?;
    let issuer = certs.get(start).ok_or(invalid("issuer"))?;
    let mut below = 0;
    for (i, c) in certs.iter().enumerate().skip(start) {
        if !c.valid_at(t) {
            return Err(VerifyError::OutsideValidity {
                what: "issuing certificate",
                time: t.to_string(),
            });
        }
        c.check_issuer(below, eku)?;
        if i + 1 < certs.len() {
            let next = certs.get(i + 1).ok_or(invalid("path"))?;
            if !c.issued_by(next, sigs) {
                return Err(invalid("the authority's chain does not chain"));
            }
            below += 1;
        } else if !std::ptr::eq(c, anchor) {
            return Err(invalid("the path does not end at the anchor"));
        }
    }
    Ok(issuer)
}
