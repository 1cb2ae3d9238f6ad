//! # opk-serve
//!
//! A minimal HTTP/1.1 server for `opk proxy` and the test fronts: one thread per connection,
//! keep-alive, requests without bodies (GET, HEAD, OPTIONS; a body is refused by closing the
//! connection). tiny_http hands connections to a pool that can queue a new connection behind
//! idle ones forever (its pool counts a thread as waiting until it wakes): a browser's
//! preconnected sockets then starve a page's real requests. Idle connections here time out.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::io::{BufRead as _, BufReader, Read, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A request's line and headers.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `HEAD`, `OPTIONS`…
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    /// The headers, names as sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
pub enum Body {
    /// These bytes (`Content-Length`; none sent for `HEAD`).
    Bytes(Vec<u8>),
    /// No body, and this `Content-Length` (a `HEAD` answer relaying another server's).
    Head(u64),
    /// A chunked body read from here until it ends (or the client goes away).
    Stream(Box<dyn Read + Send>),
}

/// A response.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers (framing headers are added here).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

/// A running server; stops accepting when dropped.
pub struct Server {
    /// The address it listens on (`127.0.0.1:<port>`).
    pub addr: String,
    stop: Arc<AtomicBool>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `handler` on a free loopback port (tests). Panics if none can be bound.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        #[allow(clippy::expect_used)]
        Self::bind("127.0.0.1:0", handler).expect("bind a loopback port")
    }

    /// Serves `handler` on `addr`.
    pub fn bind(
        addr: &str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?.to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let (handler, flag) = (Arc::new(handler), Arc::clone(&stop));
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::Acquire) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let handler = Arc::clone(&handler);
                std::thread::spawn(move || serve(conn, &*handler));
            }
        });
        Ok(Self {
            addr,
            stop,
            accept: Some(accept),
        })
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let _ = TcpStream::connect(&self.addr); // wakes the accept loop
    }
}

fn serve(conn: TcpStream, handler: &dyn Fn(&Request) -> Response) {
    // An idle connection holds one thread, and only until this runs out.
    let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(conn);
    while let Some(req) = read_request(&mut reader) {
        let has_body = req.header("transfer-encoding").is_some()
            || req
                .header("content-length")
                .is_some_and(|n| n.trim() != "0");
        if has_body {
            break; // not read, so the connection cannot be reused
        }
        let close = req
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        if write_response(&mut out, &req, handler(&req)).is_err() || close {
            break;
        }
    }
    let _ = out.shutdown(Shutdown::Both);
}

/// At most this many header lines, each at most [`MAX_LINE`] bytes.
const MAX_HEADERS: usize = 100;
const MAX_LINE: u64 = 16 * 1024;

fn read_line(reader: &mut BufReader<TcpStream>, line: &mut String) -> Option<usize> {
    let n = reader.by_ref().take(MAX_LINE).read_line(line).ok()?;
    (n == 0 || line.ends_with('\n')).then_some(n)
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if read_line(reader, &mut line)? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        if headers.len() > MAX_HEADERS {
            return None;
        }
        let mut h = String::new();
        if read_line(reader, &mut h)? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    Some(Request {
        method,
        target,
        headers,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

fn write_response(out: &mut TcpStream, req: &Request, resp: Response) -> std::io::Result<()> {
    let head = req.method == "HEAD";
    let mut text = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    match resp.body {
        Body::Bytes(bytes) => {
            text.push_str(&format!("Content-Length: {}\r\n\r\n", bytes.len()));
            out.write_all(text.as_bytes())?;
            if !head {
                out.write_all(&bytes)?;
            }
        }
        Body::Head(len) => {
            text.push_str(&format!("Content-Length: {len}\r\n\r\n"));
            out.write_all(text.as_bytes())?;
        }
        Body::Stream(mut r) => {
            text.push_str("Transfer-Encoding: chunked\r\n\r\n");
            out.write_all(text.as_bytes())?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = r.read(&mut buf)?;
                out.write_all(format!("{n:x}\r\n").as_bytes())?;
                out.write_all(&buf[..n])?;
                out.write_all(b"\r\n")?;
                if n == 0 {
                    break;
                }
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_connections_do_not_starve_a_request() {
        let server = Server::start(|_| Response {
            status: 200,
            headers: vec![],
            body: Body::Bytes(b"ok".to_vec()),
        });
        // Sockets that never send a request, as a browser preconnects them.
        let _idle: Vec<TcpStream> = (0..16)
            .map(|_| TcpStream::connect(&server.addr).unwrap())
            .collect();
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nok"), "{answer}");
    }
}
