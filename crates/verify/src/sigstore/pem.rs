//! PEM blocks (RFC 7468) as keys and certificates are handed over: the label and the DER.

use crate::b64;

/// The first PEM block in `text`: its label (`PUBLIC KEY`, `CERTIFICATE`) and DER.
pub fn decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let after = text.get(start + 11..)?;
    let (label, after) = after.split_once("-----")?;
    let end_marker = format!("-----END {label}-----");
    let end = after.find(&end_marker)?;
    let body: String = after
        .get(..end)?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = b64::decode_dsse(&body, "PEM").ok()?;
    Some((label.to_owned(), der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks() {
        let pem = "junk\n-----BEGIN PUBLIC KEY-----\nAAEC\nAw==\n-----END PUBLIC KEY-----\n";
        assert_eq!(decode(pem), Some(("PUBLIC KEY".into(), vec![0, 1, 2, 3])));
        assert_eq!(decode("-----BEGIN X-----\nAAEC\n-----END Y-----"), None);
        assert_eq!(decode("-----BEGIN X-----\nA!EC\n-----END X-----"), None);
    }
}
