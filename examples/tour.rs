//! A tour of `cleanup-runtime`: static cleanups, run-time registration,
//! named replacement, a failing and a panicking cleanup, and the report.
//!
//! ```text
//! cargo run --example tour                       # failures reported on stderr
//! CLEANUP_REPORT=text cargo run --example tour   # the whole report
//! CLEANUP_REPORT=json cargo run --example tour   # the same, as JSON
//! cargo run --example tour -- exit 3             # leave through std::process::exit(3)
//! ```
//!
//! Run in a terminal, it waits for Enter before `main` returns: press Ctrl-C
//! instead to see the cleanups run on SIGINT and the process still die by
//! it.

use std::io::{BufWriter, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use cleanup_runtime::{Cleanup, at_exit, cleanup};

/// Declared on a plain function: runs at exit with no set-up call, named
/// after its path in the report.
#[at_exit]
fn say_goodbye() {
    println!("[static]  say_goodbye: declared first, so it runs last");
}

/// A named static cleanup; `main` replaces it below, keeping its place.
#[cleanup(name = "close-db")]
fn close_db() -> Result<(), std::io::Error> {
    println!("[static]  close-db: the original (replaced in main, so never printed)");
    Ok(())
}

/// A cleanup that fails: the error is reported, the others still run.
#[cleanup(name = "upload-metrics")]
fn upload_metrics() -> Result<(), String> {
    Err("metrics server unreachable".to_owned())
}

fn main() {
    println!("main: starting; static cleanups are already registered");

    // A buffered log that `std::process::exit` would otherwise lose.
    let log = Arc::new(Mutex::new(BufWriter::new(std::io::stdout())));
    writeln!(log.lock().unwrap(), "[log]     buffered line 1").unwrap();
    let for_cleanup = Arc::clone(&log);
    // With options, built and registered in one step: named in the report.
    Cleanup::new(move || for_cleanup.lock().unwrap().flush())
        .name("flush-log")
        .register();

    cleanup_runtime::register_named("close-db", || {
        println!("[runtime] close-db: replacement, runs in the static's place");
    });
    // `-> ()`: a closure that only panics has type `!`, not a cleanup's.
    cleanup_runtime::register(|| -> () { panic!("a cleanup that panics") });
    let temporary = cleanup_runtime::register(|| println!("never printed: unregistered"));
    temporary.unregister();
    cleanup_runtime::register(|| println!("[runtime] registered last, runs first"));

    println!("main: pending cleanups, in the order they will run:");
    for pending in cleanup_runtime::report().pending() {
        println!(
            "  #{} {} ({})",
            pending.sequence(),
            pending.name(),
            pending.source()
        );
    }

    if std::io::stdin().is_terminal() {
        println!("main: press Enter to return from main, or Ctrl-C to end by SIGINT");
        let _ = std::io::stdin().read_line(&mut String::new());
    }

    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("exit") {
        let code = args.next().and_then(|c| c.parse().ok()).unwrap_or(1);
        println!("main: calling std::process::exit({code}); cleanups still run");
        std::process::exit(code);
    }
    println!("main: returning; now the cleanups run, last registered first");
}
