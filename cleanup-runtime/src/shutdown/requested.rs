//! [`Requested`]: the shutdown request as a future.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Reason, waiters};

/// A future that completes when shutdown is requested, with its
/// [`Reason`]; made by
/// [`requested`](super::requested), which also starts the listening (before
/// the future is first polled).
///
/// It works on any executor (it only uses the [`Waker`](std::task::Waker)
/// it is polled with), is `Send + 'static + Unpin`, and can be polled again
/// after it completed (it completes again at once), so it fits
/// `tokio::select!` in a loop, by reference.
///
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
///
/// use cleanup_runtime::shutdown::{self, Reason};
///
/// let mut requested = shutdown::requested();
/// let mut context = Context::from_waker(Waker::noop());
/// assert!(std::pin::pin!(&mut requested).poll(&mut context).is_pending());
/// shutdown::request();
/// let reason = std::pin::pin!(&mut requested).poll(&mut context);
/// assert_eq!(reason, Poll::Ready(Reason::Requested));
/// ```
#[must_use = "a future does nothing unless polled (it does start the listening)"]
pub struct Requested {
    /// The key of the waker it left with the waiters, once it left one.
    key: Option<u64>,
}

impl Requested {
    pub(super) fn new() -> Requested {
        Requested { key: None }
    }
}

impl Future for Requested {
    /// Why shutdown was requested.
    type Output = Reason;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Reason> {
        if waiters::is_requested() || waiters::leave_waker(&mut self.key, context.waker()) {
            Poll::Ready(super::reason().unwrap_or(Reason::Requested))
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Requested {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            waiters::forget_waker(key);
        }
    }
}

impl fmt::Debug for Requested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Requested")
            .field("requested", &waiters::is_requested())
            .finish()
    }
}
