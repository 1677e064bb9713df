//! What ends a process: the exit hook ([`exit_hook`]), the one final run
//! ([`final_run`]), what a signal does on a normal thread ([`on_signal`],
//! and a listening program's grace period, `grace_wait`), the panic hook
//! ([`panic_hook`]), the deadline watchdog ([`deadline_watchdog`]), `fork`
//! ([`fork`]) and systemd's stop protocol (`systemd`); and [`activate`], the set-up of all of them at first use.
//!
//! May use: every layer below (`base/`, `signals/`, `report/`,
//! `registry/`, `run/`, `shutdown/`).
//! Used by: `lib.rs` (the facade, the `__private` constructor, and the
//! [`crate::SET_UP`] table through which the registration API reaches
//! [`activate`] at first use).
//! Architecture invariant: the only layer that decides to end the process
//! (`exit`, `_exit`, or a signal's death through `signals::die_now`) and
//! that installs the process-wide hooks (the signal floor's handlers are
//! installed when this layer arms it).

pub(crate) mod deadline_watchdog;
pub(crate) mod exit_hook;
pub(crate) mod final_run;
#[cfg_attr(windows, path = "fork_windows.rs")]
pub(crate) mod fork;
mod grace_wait;
pub(crate) mod on_signal;
pub(crate) mod panic_hook;
mod sandbox;
mod systemd;
#[cfg(windows)]
pub(crate) mod terminate;

use crate::signals;

/// The set-up at the first registration (reached from
/// `registry::first_use` through [`crate::SET_UP`]). Two threads may get
/// here at once; each step is itself once-only, and the exit handlers are
/// in place before either returns, so both leave with everything set up.
pub(crate) fn activate() {
    exit_hook::install_once();
    panic_hook::install_once();
    arm_signals();
}

/// Arms the signal floor (`signals/`), handing it what a handled signal
/// does once it reaches a normal thread ([`on_signal::act_on`]): the one
/// call the floor makes up, chosen here, at set-up.
pub(crate) fn arm_signals() {
    signals::arm(on_signal::act_on);
}
