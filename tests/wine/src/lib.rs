//! What the Windows fixtures share: cleanups that say `ran NAME` on stdout
//! when they run, so the test can count and order them.

use std::io::Write;

/// Prints `line` on stdout and flushes it: the test reads stdout line by
/// line from a pipe, and a process that ends by `ExitProcess` (Ctrl-C)
/// flushes nothing for us.
pub fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Registers a cleanup named `name` that says `ran NAME`.
pub fn register_ran(name: &'static str) -> cleanup_runtime::Handle {
    cleanup_runtime::register_named(name, move || say(&format!("ran {name}")))
}

/// Blocks the calling thread for good: the fixture waits for a signal, or
/// for another thread to end the process.
pub fn block_forever() -> ! {
    loop {
        std::thread::park();
    }
}
