//! What the test fronts share: forwarding a GET or HEAD to the real registry with the request's
//! `Accept` and `Authorization` (nothing else), and taking back its status, its headers without
//! the framing ones (the front frames its own answer) and its body.

use std::io::Read as _;

/// The client a front forwards with: statuses are answers (not errors), redirects are passed
/// back to the caller (never followed), 10 s at most per request.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into()
}

/// The registry's answer: status, headers, body.
pub type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// Sends `url` (HEAD when `head`) with the `Accept` and `Authorization` among `headers`;
/// `None` when the registry cannot be reached.
pub fn forward<'a>(
    agent: &ureq::Agent,
    url: &str,
    head: bool,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Answer> {
    let mut call = if head {
        agent.head(url)
    } else {
        agent.get(url)
    };
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("accept") || name.eq_ignore_ascii_case("authorization") {
            call = call.header(name, value);
        }
    }
    let mut up = call.call().ok()?;
    let kept = up
        .headers()
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "content-length" | "transfer-encoding" | "connection"
            )
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let mut body = Vec::new();
    if !head {
        let _ = up.body_mut().as_reader().read_to_end(&mut body);
    }
    Some((up.status().as_u16(), kept, body))
}
