//! Lines the runtime itself writes to stderr.
//!
//! These run at exit, where stderr may be closed or a pipe whose reader is
//! gone: `eprintln!` would panic there, and a panic escaping the exit hook
//! aborts the process and skips every later handler (FINDINGS.md). So every
//! write here ignores its error.

use std::fmt;
use std::io::Write;

/// Writes `cleanup: <message>` as one line on stderr, ignoring failures.
pub(crate) fn warn(message: fmt::Arguments<'_>) {
    let mut line = Vec::with_capacity(128);
    // Writing to a Vec cannot fail.
    let _ = writeln!(line, "cleanup: {message}");
    write_stderr(&line);
}

/// Writes raw bytes to stderr in one call, ignoring failures.
pub(crate) fn write_stderr(bytes: &[u8]) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(bytes);
    let _ = stderr.flush();
}

/// Writes `cleanup: <message>` to fd 2 with one `write(2)`, without std's
/// stderr: for code that may run before `main`.
pub(crate) fn warn_raw(message: &str) {
    let line = format!("cleanup: {message}\n");
    // SAFETY: writes a live buffer of the given length to fd 2.
    unsafe {
        libc::write(2, line.as_ptr().cast(), line.len());
    }
}
