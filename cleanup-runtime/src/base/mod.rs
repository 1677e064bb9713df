//! The bottom layer: what every other folder may use and which uses none
//! of them — stderr diagnostics, environment variables, the clock, thread
//! identities, and the one seam upward ([`upward`]).
//!
//! May use: std, libc and the crates of the field only.
//! Used by: every other folder.

pub(crate) mod clock;
pub(crate) mod diagnostics;
pub(crate) mod environment;
pub(crate) mod thread_token;
pub(crate) mod upward;
