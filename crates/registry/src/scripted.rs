//! A transport for unit tests: answers each request from a script (a function of the request)
//! and records, in order, when each request was sent and when it was answered, so a test can
//! see which requests were in flight together. Each answer waits one poll, so requests joined
//! side by side are all sent before any is answered.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::task::Poll;

use crate::transport::{Request, Response, Transport, TransportError};

/// What happened to a request, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// Sent: the URL and the `Accept` header.
    Sent(String, String),
    /// Answered: the URL.
    Answered(String),
}

/// Answers from `script`, recording [`Event`]s.
pub(crate) struct Scripted<F> {
    script: F,
    pub(crate) events: RefCell<Vec<Event>>,
}

impl<F: Fn(&Request) -> Result<Response, TransportError>> Scripted<F> {
    pub(crate) fn new(script: F) -> Self {
        Self {
            script,
            events: RefCell::new(Vec::new()),
        }
    }

    /// The URLs and `Accept` headers sent, in order.
    pub(crate) fn sent(&self) -> Vec<(String, String)> {
        self.events
            .borrow()
            .iter()
            .filter_map(|e| match e {
                Event::Sent(url, accept) => Some((url.clone(), accept.clone())),
                Event::Answered(_) => None,
            })
            .collect()
    }
}

impl<F: Fn(&Request) -> Result<Response, TransportError>> Transport for Scripted<F> {
    async fn send(&self, req: &Request) -> Result<Response, TransportError> {
        let accept = req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("accept"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.events
            .borrow_mut()
            .push(Event::Sent(req.url.clone(), accept));
        yield_once().await;
        self.events
            .borrow_mut()
            .push(Event::Answered(req.url.clone()));
        (self.script)(req)
    }
}

/// A response with `status` and `body`.
pub(crate) fn answer(status: u16, body: &[u8]) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        headers: Vec::new(),
        body: body.to_vec(),
    })
}

/// A future that is pending on its first poll (waking itself), so that others run.
pub(crate) fn yield_once() -> impl Future<Output = ()> {
    let mut yielded = false;
    poll_fn(move |cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}
