//! What ends a process: the exit hook ([`exit_hook`]), the one final run
//! ([`final_run`]), the panic hook ([`panic_watch`]), the deadline
//! watchdog ([`watchdog`]) and `fork` ([`fork`]); and [`activate`], the
//! set-up of all of them at first use.
//!
//! May use: every layer below (`base/`, `registry/`, `report/`, `run/`,
//! `signals/`).
//! Used by: `lib.rs` (the facade, the `__private` constructor, and the
//! [`crate::UPWARD`] table through which the lower layers reach here).
//! Architecture invariant: the only layer that ends the process (`exit`,
//! `_exit`, or a signal's death through `signals::die_now`) or installs a
//! process-wide hook.

pub(crate) mod exit_hook;
pub(crate) mod final_run;
#[cfg_attr(windows, path = "fork_windows.rs")]
pub(crate) mod fork;
pub(crate) mod panic_watch;
#[cfg(windows)]
pub(crate) mod terminate;
pub(crate) mod watchdog;

use crate::signals;

/// The set-up at the first registration (reached from
/// `registry::first_use` through [`crate::UPWARD`]). Two threads may get
/// here at once; each step is itself once-only, and the exit handlers are
/// in place before either returns, so both leave with everything set up.
pub(crate) fn activate() {
    exit_hook::install_once();
    panic_watch::install_once();
    signals::arm();
}
