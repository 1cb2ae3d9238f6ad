//! How far a client's requests have got, for a page's live region ("12 of 18 requests"): a
//! callback told, on every request sent and every one answered, how many have been answered of
//! how many were sent.

use std::cell::{Cell, RefCell};

/// The callback: `(answered, sent)`.
type Hook = Box<dyn Fn(usize, usize)>;

/// The counters and the callback.
#[derive(Default)]
pub(crate) struct RequestProgress {
    sent: Cell<usize>,
    done: Cell<usize>,
    hook: RefCell<Option<Hook>>,
}

impl std::fmt::Debug for RequestProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {} requests", self.done.get(), self.sent.get())
    }
}

impl RequestProgress {
    pub(crate) fn set(&self, hook: Hook) {
        *self.hook.borrow_mut() = Some(hook);
    }

    pub(crate) fn sent(&self) {
        self.sent.set(self.sent.get() + 1);
        self.tell();
    }

    pub(crate) fn done(&self) {
        self.done.set(self.done.get() + 1);
        self.tell();
    }

    fn tell(&self) {
        if let Some(hook) = self.hook.borrow().as_ref() {
            hook(self.done.get(), self.sent.get());
        }
    }
}
