//! Which web origins `opk proxy` serves. A page on any origin could otherwise read, through a
//! proxy on the user's machine, a registry only that machine reaches (loopback, a private
//! network): so with `--allow-origin` the proxy reflects only the listed origins, refuses
//! requests that carry any other `Origin` (before any upstream request), and answers Private
//! Network Access preflights only for them. Without `--allow-origin` it serves any origin with
//! `*`, and refuses to start when an allowed upstream host is loopback or private.

use std::net::{IpAddr, ToSocketAddrs as _};

/// The origins the proxy serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origins {
    /// Any origin (`Access-Control-Allow-Origin: *`): only public upstream hosts.
    Any,
    /// Exactly these (`scheme://host[:port]`, lowercase).
    Listed(Vec<String>),
}

/// What a request's `Origin` gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Served; the `Access-Control-Allow-Origin` value to send, if any (none without `Origin`).
    Serve(Option<String>),
    /// Refused: an origin that is not listed.
    Refuse,
}

impl Origins {
    /// The origin policy for `--allow-origin` values and the allowed upstream hosts: an error
    /// (for the command line) when an origin is malformed, or when no origin is listed although
    /// an upstream host is loopback or private.
    pub fn new(listed: &[String], upstream: &[String]) -> Result<Self, String> {
        if listed.is_empty() {
            return match upstream.iter().find(|h| is_private_host(h)) {
                Some(h) => Err(format!(
                    "--allow {h} is a loopback or private-network host: name the pages that may \
                     read it through this proxy with --allow-origin ORIGIN (e.g. \
                     --allow-origin http://127.0.0.1:8080)"
                )),
                None => Ok(Self::Any),
            };
        }
        listed
            .iter()
            .map(|o| normalise(o).ok_or_else(|| format!("--allow-origin {o:?}: expected scheme://host[:port] (http or https, no path)")))
            .collect::<Result<_, _>>()
            .map(Self::Listed)
    }

    /// What a request with this `Origin` header (if any) gets.
    pub fn verdict(&self, origin: Option<&str>) -> Verdict {
        match (self, origin) {
            (Self::Any, _) => Verdict::Serve(Some("*".into())),
            (Self::Listed(_), None) => Verdict::Serve(None),
            (Self::Listed(list), Some(o)) => match normalise(o) {
                Some(o) if list.contains(&o) => Verdict::Serve(Some(o)),
                _ => Verdict::Refuse,
            },
        }
    }

    /// Whether a Private Network Access preflight from this origin is answered (listed origins
    /// only).
    pub fn allows_private_network(&self, origin: Option<&str>) -> bool {
        matches!(self, Self::Listed(_)) && matches!(self.verdict(origin), Verdict::Serve(Some(_)))
    }
}

/// `scheme://host[:port]` in lowercase, or `None` if `o` is not one (a path, another scheme,
/// `null`).
fn normalise(o: &str) -> Option<String> {
    let o = o.to_ascii_lowercase();
    let (scheme, rest) = o.split_once("://")?;
    let authority_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    (matches!(scheme, "http" | "https") && authority_ok).then_some(o)
}

/// Whether `host[:port]` is loopback or on a private network: `localhost`, a name without a dot
/// (an intranet name), an IP literal in a loopback, private, link-local, shared or unspecified
/// range, or a name that resolves to one. A name that does not resolve counts as private: it
/// is not a public registry this machine can reach.
pub fn is_private_host(host: &str) -> bool {
    let name = host_name(host);
    if name == "localhost" || name.ends_with(".localhost") || !name.contains(['.', ':']) {
        return true;
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return is_private_ip(ip);
    }
    match (name, 443).to_socket_addrs() {
        Ok(mut addrs) => addrs.any(|a| is_private_ip(a.ip())),
        Err(_) => true,
    }
}

/// The host of `host[:port]` (IPv6 literals without their brackets).
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    }
}

fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private_ip(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_hosts() {
        for h in [
            "127.0.0.1:5000",
            "localhost:5000",
            "registry",
            "registry:5000",
            "10.1.2.3",
            "172.16.0.1:443",
            "192.168.1.10:5000",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0:80",
            "[::1]:5000",
            "[fd00::1]",
            "[fe80::1]:80",
            "[::ffff:10.0.0.1]",
            "x.localhost",
        ] {
            assert!(is_private_host(h), "{h}");
        }
        for h in ["8.8.8.8", "1.1.1.1:443", "[2001:4860:4860::8888]:443"] {
            assert!(!is_private_host(h), "{h}");
        }
    }

    #[test]
    fn origins() {
        let public = ["8.8.8.8".to_owned()];
        let local = ["127.0.0.1:5000".to_owned()];
        let app = ["http://127.0.0.1:8080".to_owned()];
        assert_eq!(Origins::new(&[], &public), Ok(Origins::Any));
        assert!(Origins::new(&[], &local)
            .unwrap_err()
            .contains("--allow-origin"));
        let o = Origins::new(&app, &local).unwrap();
        assert_eq!(
            o.verdict(Some("http://127.0.0.1:8080")),
            Verdict::Serve(Some("http://127.0.0.1:8080".into()))
        );
        assert_eq!(
            o.verdict(Some("HTTP://127.0.0.1:8080")),
            Verdict::Serve(Some("http://127.0.0.1:8080".into()))
        );
        for foreign in [
            "https://evil.example",
            "http://127.0.0.1:8081",
            "null",
            "http://127.0.0.1:8080/x",
        ] {
            assert_eq!(o.verdict(Some(foreign)), Verdict::Refuse, "{foreign}");
            assert!(!o.allows_private_network(Some(foreign)));
        }
        assert_eq!(o.verdict(None), Verdict::Serve(None));
        assert!(o.allows_private_network(Some("http://127.0.0.1:8080")));
        assert!(!Origins::Any.allows_private_network(Some("https://evil.example")));
        for bad in ["127.0.0.1:8080", "ftp://x", "http://x/path", "*"] {
            assert!(Origins::new(&[bad.to_owned()], &local).is_err(), "{bad}");
        }
    }
}
