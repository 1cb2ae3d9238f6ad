//! A listing asked for by two lookups at once — the attestation search and the signature
//! search of one platform image both list its referrers — is fetched once: the first asker
//! fetches, the others wait for its answer (an error too). A finished listing is kept for the
//! run; a failed one is not, so a later lookup asks again. If the first asker is dropped before
//! it has an answer, the others are woken and one of them fetches. No executor of its own:
//! waiting is a waker kept in the slot.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

enum Slot<T> {
    /// Being fetched; the wakers of those waiting.
    Pending(Vec<Waker>),
    /// Answered.
    Done(T),
    /// Its fetcher was dropped before it had an answer.
    Abandoned,
}

type Shared<T> = Rc<RefCell<Slot<T>>>;

/// Listings by key, each fetched at most once at a time.
pub(crate) struct SharedListings<T> {
    slots: RefCell<Vec<(String, Shared<T>)>>,
}

impl<T> std::fmt::Debug for SharedListings<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self.slots.borrow().iter().map(|(k, _)| k.clone()).collect();
        f.debug_struct("SharedListings")
            .field("keys", &keys)
            .finish()
    }
}

impl<T> Default for SharedListings<T> {
    fn default() -> Self {
        Self {
            slots: RefCell::new(Vec::new()),
        }
    }
}

/// The fetcher's hold on its slot: dropped unanswered, it abandons the slot and wakes the
/// waiters.
struct Fetching<'a, T> {
    listings: &'a SharedListings<T>,
    slot: Shared<T>,
    answered: bool,
}

impl<T> Fetching<'_, T> {
    fn answer(&mut self, value: T, keep: bool) {
        let previous = std::mem::replace(&mut *self.slot.borrow_mut(), Slot::Done(value));
        self.answered = true;
        if !keep {
            self.listings.forget(&self.slot);
        }
        if let Slot::Pending(wakers) = previous {
            wakers.into_iter().for_each(Waker::wake);
        }
    }
}

impl<T> Drop for Fetching<'_, T> {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        let previous = std::mem::replace(&mut *self.slot.borrow_mut(), Slot::Abandoned);
        self.listings.forget(&self.slot);
        if let Slot::Pending(wakers) = previous {
            wakers.into_iter().for_each(Waker::wake);
        }
    }
}

impl<T: Clone, E: Clone> SharedListings<Result<T, E>> {
    /// The listing under `key`: kept, being fetched (waited for), or fetched now by `fetch`.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, key: &str, fetch: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.shared(key, fetch, true).await
    }

    /// Like [`Self::get_or_fetch`], but nothing is kept once answered: only asks made while
    /// the fetch is out share it (for content the caller keeps elsewhere).
    pub(crate) async fn while_in_flight<F, Fut>(&self, key: &str, fetch: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.shared(key, fetch, false).await
    }

    async fn shared<F, Fut>(&self, key: &str, fetch: F, keep_answers: bool) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        while let Some(slot) = self.find(key) {
            let answer = poll_fn(|cx| match &mut *slot.borrow_mut() {
                Slot::Done(v) => Poll::Ready(Some(v.clone())),
                Slot::Abandoned => Poll::Ready(None),
                Slot::Pending(wakers) => {
                    if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                        wakers.push(cx.waker().clone());
                    }
                    Poll::Pending
                }
            })
            .await;
            if let Some(v) = answer {
                return v;
            }
        }
        let slot: Shared<Result<T, E>> = Rc::new(RefCell::new(Slot::Pending(Vec::new())));
        self.slots
            .borrow_mut()
            .push((key.to_owned(), Rc::clone(&slot)));
        let mut fetching = Fetching {
            listings: self,
            slot,
            answered: false,
        };
        let result = fetch().await;
        let keep = keep_answers && result.is_ok();
        fetching.answer(result.clone(), keep);
        result
    }
}

impl<T> SharedListings<T> {
    fn find(&self, key: &str) -> Option<Shared<T>> {
        self.slots
            .borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| Rc::clone(s))
    }

    fn forget(&self, slot: &Shared<T>) {
        self.slots
            .borrow_mut()
            .retain(|(_, s)| !Rc::ptr_eq(s, slot));
    }
}

// Run natively: the block_on they need (pollster) is a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::scripted::yield_once;
    use futures_util::future::join3;
    use std::cell::Cell;

    /// A fetch that counts itself in `fetched`, lets the others run once, then answers.
    async fn counted(fetched: &Cell<u32>, answer: Result<u32, String>) -> Result<u32, String> {
        fetched.set(fetched.get() + 1);
        yield_once().await;
        answer
    }

    #[test]
    fn three_askers_at_once_fetch_once() {
        let listings = SharedListings::<Result<u32, String>>::default();
        let fetched = Cell::new(0);
        let ask = || listings.get_or_fetch("k", || counted(&fetched, Ok(7)));
        let (a, b, c) = pollster::block_on(join3(ask(), ask(), ask()));
        assert_eq!((a, b, c), (Ok(7), Ok(7), Ok(7)));
        assert_eq!(fetched.get(), 1);
        // Kept: a later ask does not fetch.
        assert_eq!(pollster::block_on(ask()), Ok(7));
        assert_eq!(fetched.get(), 1);
    }

    #[test]
    fn a_failure_is_shared_then_forgotten() {
        let listings = SharedListings::<Result<u32, String>>::default();
        let fetched = Cell::new(0);
        let ask = || listings.get_or_fetch("k", || counted(&fetched, Err("404".to_owned())));
        let (a, b) = pollster::block_on(futures_util::future::join(ask(), ask()));
        assert_eq!((a, b), (Err("404".into()), Err("404".into())));
        assert_eq!(fetched.get(), 1);
        assert_eq!(pollster::block_on(ask()), Err("404".into()));
        assert_eq!(fetched.get(), 2);
    }

    #[test]
    fn a_dropped_fetcher_hands_the_fetch_to_a_waiter() {
        let listings = SharedListings::<Result<u32, String>>::default();
        let fetched = Cell::new(0);
        let never = || {
            listings.get_or_fetch("k", || async {
                fetched.set(fetched.get() + 1);
                std::future::pending::<Result<u32, String>>().await
            })
        };
        let ready = || listings.get_or_fetch("k", || counted(&fetched, Ok(9)));
        // The first asker is polled once (it starts fetching), then dropped; the waiter that
        // was queued behind it fetches for itself.
        let answer = pollster::block_on(async {
            let mut first = Box::pin(never());
            let waiter = ready();
            let mut waiter = Box::pin(waiter);
            poll_fn(|cx| {
                assert!(first.as_mut().poll(cx).is_pending());
                assert!(waiter.as_mut().poll(cx).is_pending());
                Poll::Ready(())
            })
            .await;
            drop(first);
            waiter.await
        });
        assert_eq!(answer, Ok(9));
        assert_eq!(fetched.get(), 2);
    }
}
