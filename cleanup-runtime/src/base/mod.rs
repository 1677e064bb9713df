//! The bottom floor: what every other folder may use and which uses none
//! of them — what a cleanup is ([`entry`], and [`descriptor`], what the
//! macros emit), stderr diagnostics, environment variables, the clock,
//! thread identities, blocking a thread for good ([`park`]), work bounded
//! in time ([`time_limited`]); and the state of the process's ending that every
//! floor above reads and writes by plain downward calls: how the final run
//! stands and which signal ends the process ([`ending`]), whether the
//! program listens for shutdown ([`listening`]), whether anything is
//! pending ([`pending`]); and the table of set-up calls up ([`set_up`]).
//!
//! May use: std, libc and the crates of the field; nothing of this crate.
//! Used by: every other folder.

pub(crate) mod clock;
pub(crate) mod descriptor;
pub(crate) mod diagnostics;
pub(crate) mod ending;
pub(crate) mod entry;
pub(crate) mod environment;
pub(crate) mod fixed_hash;
pub(crate) mod listening;
pub(crate) mod one_shot;
pub(crate) mod park;
pub(crate) mod pending;
pub(crate) mod set_up;
#[cfg(unix)]
pub(crate) mod signal_calls;
#[cfg(test)]
pub(crate) mod sources;
pub(crate) mod spawn;
pub(crate) mod system_calls;
pub(crate) mod text;
pub(crate) mod thread_token;
pub(crate) mod time_limited;
