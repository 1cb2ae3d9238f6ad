//! DER read as it was received: a TLV's exact bytes (what a signature covers is hashed as sent,
//! never re-encoded), a constructed value's children, and building a TLV around new contents
//! (only to reconstruct a precertificate for an SCT, whose signed bytes are defined that way).

/// One TLV at the start of `input`: `(the whole TLV, its contents, the rest)`. Definite
/// lengths only, minimal length encodings, single-byte tags (all X.509 and CMS uses here).
pub fn tlv(input: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(n)?;
        if bytes.first() == Some(&0) {
            return None;
        }
        let len = bytes.iter().fold(0usize, |l, b| (l << 8) | usize::from(*b));
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    let header = input.len() - rest.len();
    let (contents, after) = rest.split_at_checked(len)?;
    Some((input.get(..header + len)?, contents, after))
}

/// The TLVs one after another in `contents` (`None` if any is malformed).
pub fn children(mut contents: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (whole, _, rest) = tlv(contents)?;
        out.push(whole);
        contents = rest;
    }
    Some(out)
}

/// A TLV with `tag` around `contents` (DER length).
pub fn wrap(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlvs() {
        let seq = wrap(
            0x30,
            &[wrap(0x02, &[5]), wrap(0x04, &vec![7; 300])].concat(),
        );
        let (whole, contents, rest) = tlv(&seq).unwrap();
        assert_eq!(whole, &seq[..]);
        assert!(rest.is_empty());
        let kids = children(contents).unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[0], [2, 1, 5]);
        assert_eq!(&kids[1][..4], [4, 0x82, 1, 44]);
        // Non-minimal and indefinite lengths, long tags and truncation are refused.
        for bad in [
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0][..],
            &[0x30, 0x80],
            &[0x1f, 1, 0],
            &[0x30, 3, 1],
        ] {
            assert!(tlv(bad).is_none(), "{bad:?}");
        }
    }
}
