//! `application/x-www-form-urlencoded` parameters (query strings and form bodies).

/// The first parameter `name` in `query`, percent-decoded (`+` is a space).
pub fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded() {
        let q = "a=1&b=x%2Fy+z&c&a=2";
        assert_eq!(param(q, "a").as_deref(), Some("1"));
        assert_eq!(param(q, "b").as_deref(), Some("x/y z"));
        assert_eq!(param(q, "c").as_deref(), Some(""));
        assert_eq!(param(q, "d"), None);
    }
}
