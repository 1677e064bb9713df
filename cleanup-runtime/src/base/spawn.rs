//! Every thread the runtime starts goes through [`named`].
//!
//! `std::thread::Builder::spawn` is generic over the closure it runs, and
//! std's spawn path is large: each call site with a closure of its own
//! gets its own copy of it (about 600 bytes of machine code, and its
//! unwind tables). The runtime starts threads from about ten places, none
//! of them hot (a thread costs tens of microseconds; the box, a few
//! instructions), so each boxes its work first and std's path is compiled
//! once for the whole crate.

use std::io;
use std::thread::{Builder, JoinHandle};

/// Starts `work` on a new thread called `name`.
pub(crate) fn named(name: &str, work: Box<dyn FnOnce() + Send>) -> io::Result<JoinHandle<()>> {
    Builder::new().name(name.to_owned()).spawn(work)
}
