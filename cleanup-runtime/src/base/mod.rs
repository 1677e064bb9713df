//! The bottom layer: what every other folder may use and which uses none
//! of them — what a cleanup is ([`entry`], and [`descriptor`], what the
//! macros emit), stderr diagnostics, environment variables, the clock,
//! thread identities, blocking a thread for good ([`block`]), whether the program listens for shutdown
//! ([`listening`]), and the one seam upward ([`upward`]).
//!
//! May use: std, libc and the crates of the field; of this crate only
//! `outcome` (a leaf at the root).
//! Used by: every other folder.

pub(crate) mod block;
pub(crate) mod bounded;
pub(crate) mod clock;
pub(crate) mod descriptor;
pub(crate) mod diagnostics;
pub(crate) mod entry;
pub(crate) mod environment;
pub(crate) mod listening;
pub(crate) mod thread_token;
pub(crate) mod upward;
