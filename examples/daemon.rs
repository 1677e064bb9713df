//! A small daemon-style tool: a pid file, a temp workspace, a buffered
//! log and a helper child process — all cleaned up however it ends.
//!
//! ```text
//! cargo run --example daemon                        # press Ctrl-C, or wait
//! CLEANUP_REPORT=text cargo run --example daemon    # and the whole report
//! cargo run --example daemon & cargo run --example daemon   # the second is refused
//! ```
//!
//! It works for a few seconds (or until stdin closes: Ctrl-D in a
//! terminal, at once under CI), writing to a log through a `BufWriter`
//! that only `drop_at_exit` flushes. End it early with Ctrl-C: the
//! cleanups run on SIGINT, last registered first, a summary of what ran is
//! printed, and the process still dies by SIGINT (`echo $?` says 130).

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cleanup_runtime::pidfile::{PidFile, PidFileError};
use cleanup_runtime::{ResourceGuard, drop_at_exit, temp};

/// How long the daemon works before it ends by itself.
const LIFETIME: Duration = Duration::from_secs(4);
const TICK: Duration = Duration::from_millis(250);

/// Set when stdin reaches its end.
static STDIN_CLOSED: AtomicBool = AtomicBool::new(false);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pid_path = std::env::temp_dir().join("cleanup-daemon.pid");
    let log_path = std::env::temp_dir().join("cleanup-daemon.log");

    // Registered first, so it runs last: says what the others did.
    let for_summary = (pid_path.clone(), log_path.clone());
    cleanup_runtime::register_named("summary", move || summary(&for_summary.0, &for_summary.1));

    let pid_file = match PidFile::create(&pid_path) {
        Ok(pid_file) => pid_file,
        Err(error @ PidFileError::Running { .. }) => {
            eprintln!("daemon: not starting: {error}");
            cleanup_runtime::unregister("summary"); // nothing to summarise
            std::process::exit(1);
        }
        Err(error) => return Err(error.into()),
    };
    let workspace = temp::dir()?;
    let log = drop_at_exit(BufWriter::new(File::create(&log_path)?));
    let helper = ResourceGuard::acquire(spawn_helper, |mut child: Child| {
        child.kill()?;
        child
            .wait()
            .map(|status| println!("[cleanup] helper process stopped: {status}"))
    });

    println!("daemon: pid {} in {}", pid_file.pid(), pid_path.display());
    println!("daemon: workspace {}", workspace.display());
    println!("daemon: log {} (buffered)", log_path.display());
    match helper.as_ref().map(|guard| guard.with(|c| c.id())) {
        Ok(Some(pid)) => println!("daemon: helper process {pid}"),
        Ok(None) => {} // already released: the process is ending
        Err(error) => println!("daemon: no helper process ({error})"),
    }
    println!(
        "daemon: working for {}s; Ctrl-C to stop now, Ctrl-D to stop when stdin closes",
        LIFETIME.as_secs()
    );
    std::thread::spawn(watch_stdin);

    let started = Instant::now();
    let mut tick = 0u32;
    while started.elapsed() < LIFETIME && !STDIN_CLOSED.load(Ordering::Relaxed) {
        tick += 1;
        std::fs::write(workspace.join(format!("chunk-{tick}")), tick.to_string())?;
        log.with(|out| writeln!(out, "tick {tick}: wrote chunk-{tick}"))
            .transpose()?;
        std::thread::sleep(TICK);
    }
    println!("daemon: done after {tick} ticks; std::process::exit(0)");
    // `exit` skips every `Drop`, as Ctrl-C would: the cleanups tidy up.
    std::process::exit(0)
}

/// A stand-in for a helper process a daemon would start.
fn spawn_helper() -> std::io::Result<Child> {
    Command::new("sleep")
        .arg("600")
        .stdin(Stdio::null())
        .spawn()
}

fn watch_stdin() {
    let mut sink = [0u8; 256];
    let mut stdin = std::io::stdin();
    while matches!(stdin.read(&mut sink), Ok(1..)) {}
    STDIN_CLOSED.store(true, Ordering::Relaxed);
}

/// The last cleanup: what ran before it, and what is left on disk.
fn summary(pid_path: &Path, log_path: &Path) {
    let report = cleanup_runtime::report();
    println!("[cleanup] ran before this summary, in order:");
    for entry in report.entries() {
        println!(
            "[cleanup]   {:<8} {} ({})",
            entry.status().as_str(),
            entry.name(),
            entry.source()
        );
    }
    println!("[cleanup] pid file still there: {}", pid_path.exists());
    let lines = std::fs::read_to_string(log_path).map_or(0, |text| text.lines().count());
    println!("[cleanup] {} holds {lines} lines", log_path.display());
}
