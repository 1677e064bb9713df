//! Windows: a console control handler stands for the signal handlers.
//!
//! Windows has no SIGTERM or SIGHUP; a console program is told to end by a
//! control event, and the system calls the handlers registered with
//! `SetConsoleCtrlHandler` on a new thread of its own for each event. That
//! thread is a normal one (locks, allocation and I/O are allowed), so
//! what the watcher thread does on Unix (the action `process/` gave at
//! arming, [`super::Action`]) is done from there:
//! run the cleanups, then end the process with the default handler's
//! status, `STATUS_CONTROL_C_EXIT` (`die::die_now`). The system holds its console
//! lock while a handler runs, so after Ctrl-C and Ctrl-Break that work
//! goes on on a thread we start, and the handler returns: a second event
//! must be able to reach us (`on_control`).
//!
//! Each event is reported as the signal number the C runtime gives it, or
//! the Unix signal that means the same:
//!
//! | event | signal in the report |
//! |---|---|
//! | `CTRL_C_EVENT` | 2 (`SIGINT`) |
//! | `CTRL_BREAK_EVENT` | 21 (the C runtime's `SIGBREAK`) |
//! | `CTRL_CLOSE_EVENT` (the console window closes) | 1 (`SIGHUP`) |
//! | `CTRL_SHUTDOWN_EVENT` (system shutdown; services only) | 15 (`SIGTERM`) |
//!
//! `CTRL_LOGOFF_EVENT` is left to the next handler: a service must not end
//! when a user logs off. After `CTRL_CLOSE_EVENT` and
//! `CTRL_SHUTDOWN_EVENT` Windows ends the process when the handler returns
//! or a system timeout passes (5 seconds for a close, 20 for a shutdown by
//! default), whichever comes first: cleanups that need longer are cut
//! there, as a `SIGKILL` would cut them.

use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::System::Console::{
    CTRL_BREAK_EVENT, CTRL_C_EVENT, CTRL_CLOSE_EVENT, CTRL_SHUTDOWN_EVENT, SetConsoleCtrlHandler,
};
use windows_sys::core::BOOL;

use super::die_now;
use crate::base::ending::{self, Arrival};
use crate::base::{diagnostics, park, pending, spawn};

/// The C runtime's number for Ctrl-Break (`signal.h`); `libc` does not
/// declare it.
const SIGBREAK: c_int = 21;
const SIGHUP: c_int = 1;

/// Whether a handler thread is acting on an event already (running the
/// cleanups, or waiting out a listening program's grace period). The
/// threads of later events only wake it.
static ACTING: AtomicBool = AtomicBool::new(false);

/// Rung by every event after the first, for the thread waiting out the
/// grace period: a second event ends that wait at once. The count of
/// rings, and how many of them the waiter has seen: a ring between its
/// check for a second signal and its wait is not lost.
static RINGS: Mutex<Rings> = Mutex::new(Rings { rung: 0, seen: 0 });
static RUNG: Condvar = Condvar::new();

struct Rings {
    rung: u64,
    seen: u64,
}

/// The signal `ctrl_type` stands for; `None` for an event we leave alone.
fn signal_of(ctrl_type: u32) -> Option<c_int> {
    match ctrl_type {
        CTRL_C_EVENT => Some(libc::SIGINT),
        CTRL_BREAK_EVENT => Some(SIGBREAK),
        CTRL_CLOSE_EVENT => Some(SIGHUP),
        CTRL_SHUTDOWN_EVENT => Some(libc::SIGTERM),
        _ => None,
    }
}

/// Adds our handler in front of the handlers in place (the program's own,
/// then the default one).
///
/// Unlike a Unix signal, a control event goes to every handler in turn
/// until one returns `TRUE`, so there is no "default action" to test for:
/// a handler the program adds later comes before ours, and ours runs only
/// if it passes the event on.
pub(super) fn install_handlers() {
    // SAFETY: `on_control` has the handler routine's signature and stays
    // valid for the life of the process.
    if unsafe { SetConsoleCtrlHandler(Some(on_control), TRUE) } == FALSE {
        diagnostics::warn(format_args!(
            "console control events left alone: SetConsoleCtrlHandler failed: {}",
            std::io::Error::last_os_error()
        ));
    }
}

/// Removes our handler.
pub(super) fn remove_handlers() {
    // SAFETY: as in `install_handlers`; removing a handler that is not
    // registered fails harmlessly.
    unsafe { SetConsoleCtrlHandler(Some(on_control), FALSE) };
}

/// Our console control handler, on a thread the system started for this
/// event.
unsafe extern "system" fn on_control(ctrl_type: u32) -> BOOL {
    let Some(signal) = signal_of(ctrl_type) else {
        return FALSE;
    };
    if super::left_alone() {
        return FALSE;
    }
    // The system holds its console lock while it calls the handlers
    // (Wine's `CtrlRoutine`, ReactOS's `ConsoleControlDispatcher`): as long
    // as one handler has not returned, the thread of every later event
    // waits for that lock and reaches no handler. So after Ctrl-C and
    // Ctrl-Break, which leave the process running once a handler accepts
    // them, the cleanups (or the grace period) go on on a thread of our
    // own and the handler returns: a second Ctrl-C can then end the grace
    // period or cut the run short, as a second signal does on Unix.
    if matches!(ctrl_type, CTRL_C_EVENT | CTRL_BREAK_EVENT) {
        let _ = std::panic::catch_unwind(|| act(signal, Acting::OnOwnThread));
        return TRUE;
    }
    // Nothing may unwind into the system's caller.
    let _ = std::panic::catch_unwind(|| act(signal, Acting::Here));
    // Reached when the program began ending on its own within its grace
    // period, or when another thread acts on the events: the process ends
    // there. Returning would let Windows end it now, after a close event.
    park::forever()
}

/// Where the first event's cleanups (or grace period) run.
#[derive(Clone, Copy)]
enum Acting {
    /// On the handler's thread (close and shutdown events: returning from
    /// the handler would end the process).
    Here,
    /// On a thread of our own, so the handler can return (Ctrl-C and
    /// Ctrl-Break); on the handler's thread if none can be started.
    OnOwnThread,
}

/// What the Unix handler and watcher do together, minus the pipe.
fn act(signal: c_int, acting: Acting) {
    let arrival = ending::signal_arrived(signal);
    // The first event while the run at exit goes on: that run ends the
    // process by it once done.
    if matches!(arrival, Arrival::RunGoingOn) {
        return;
    }
    let acting_already = ACTING.swap(true, Ordering::SeqCst);
    if acting_already {
        ring();
        if matches!(arrival, Arrival::CutShort) {
            die_now(signal);
        }
        return;
    }
    match arrival {
        // Returned above.
        Arrival::RunGoingOn => {}
        Arrival::CutShort => die_now(signal),
        Arrival::Ending if !pending::anything_pending() => die_now(signal),
        Arrival::Ending | Arrival::Request => match acting {
            Acting::Here => super::act(signal, &mut wait_for_ring),
            Acting::OnOwnThread => act_on_own_thread(signal),
        },
    }
}

/// Runs [`super::act`] on a new thread; if that returns (the program
/// began ending on its own within its grace period), the thread waits for
/// the end as the handler's thread would have.
fn act_on_own_thread(signal: c_int) {
    let spawned = spawn::named(
        "cleanup-console",
        Box::new(move || {
            super::act(signal, &mut wait_for_ring);
            park::forever()
        }),
    );
    if let Err(error) = spawned {
        diagnostics::warn(format_args!(
            "acting on the console event on the handler's thread: no thread: {error}"
        ));
        super::act(signal, &mut wait_for_ring);
        park::forever()
    }
}

fn ring() {
    RINGS.lock().unwrap_or_else(PoisonError::into_inner).rung += 1;
    RUNG.notify_all();
}

/// Blocks until an event has rung since the last wait, or `limit` has
/// passed.
fn wait_for_ring(limit: Option<Duration>) {
    let rings = RINGS.lock().unwrap_or_else(PoisonError::into_inner);
    let not_rung = |rings: &mut Rings| rings.rung == rings.seen;
    let mut rings = match limit {
        Some(limit) => {
            RUNG.wait_timeout_while(rings, limit, not_rung)
                .unwrap_or_else(PoisonError::into_inner)
                .0
        }
        None => RUNG
            .wait_while(rings, not_rung)
            .unwrap_or_else(PoisonError::into_inner),
    };
    rings.seen = rings.rung;
}
