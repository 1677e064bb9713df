//! Which exit path the runtime under test takes, and what the tests expect
//! of it there.
//!
//! The suite runs twice in CI (`.ci/run`): as built for this machine
//! (glibc, whose `on_exit` tells the exit hook the status `exit` was
//! given), and with `RUSTFLAGS="--cfg cleanup_runtime_portable"`, where
//! Linux takes the path of musl, macOS and the BSDs: `atexit`, which does
//! not (PORTABILITY.md). RUSTFLAGS reaches every crate of one build, so the
//! runtime, the fixtures and these tests always agree on the path; the
//! tests assert each path's own outcome rather than skipping.

use serde_json::Value;

/// Whether this build takes the portable path (`--cfg
/// cleanup_runtime_portable`).
pub fn portable() -> bool {
    cfg!(cleanup_runtime_portable)
}

/// The JSON report's `status` after `exit(code)` (or `main` returning
/// `code`): `code` where the exit hook is told it, `null` where not.
pub fn reported_status(code: i32) -> Value {
    if portable() { Value::Null } else { code.into() }
}

/// The same in the text report's header: `status=3`, or `status=none`.
pub fn reported_status_text(code: i32) -> String {
    if portable() {
        "status=none".to_owned()
    } else {
        format!("status={code}")
    }
}

/// The code a process ends with when it was ending with `exit(code)` and
/// the runtime had to end it itself rather than return into `exit` (the
/// deadline passed, or a cleanup's `std::process::exit` aborted inside
/// std): `code` where the runtime was told it; 0 where it was not, the
/// runtime's fallback (PORTABILITY.md, "The exit status").
pub fn code_when_the_runtime_ends_the_exit(code: i32) -> i32 {
    if portable() { 0 } else { code }
}
