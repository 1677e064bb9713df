//! How long from a SIGTERM to the first waiter woken in a program that
//! listens for shutdown (`shutdown::wait()`): the time a service loses
//! before it can start draining.
//!
//! ```text
//! cargo run --release -p cleanup-benches --bin shutdown-latency [RUNS]
//! ```
//!
//! Runs itself as a child `RUNS` times (default 50): the child registers a
//! cleanup, blocks in `shutdown::wait()` and, once woken, prints the
//! `CLOCK_MONOTONIC` time; the parent reads the clock just before `kill`.
//! Prints the median and the 10th and 90th percentiles in microseconds.
//! Not part of `benches/run.sh`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn main() {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("--child") => child(),
        runs => parent(runs.map_or(50, |n| n.parse().expect("RUNS is a number"))),
    }
}

fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

fn child() {
    cleanup_runtime::register(|| {});
    let requested = cleanup_runtime::shutdown::requested(); // listening
    println!("ready");
    drop(requested);
    cleanup_runtime::shutdown::wait();
    let woken = monotonic_ns();
    println!("woken {woken}");
}

fn parent(runs: usize) {
    let exe = std::env::current_exe().expect("own path");
    let mut micros: Vec<f64> = (0..runs)
        .map(|_| {
            let mut child = Command::new(&exe)
                .arg("--child")
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn the child");
            let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
            let ready = lines.next().expect("a line").expect("readable");
            assert_eq!(ready, "ready");
            let sent = monotonic_ns();
            // SAFETY: our own child, not yet reaped.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            let woken: u64 = lines
                .next()
                .expect("a line")
                .expect("readable")
                .strip_prefix("woken ")
                .expect("woken NANOS")
                .parse()
                .expect("a number");
            let status = child.wait().expect("wait");
            assert!(status.success(), "the child drained and exited 0: {status}");
            (woken - sent) as f64 / 1e3
        })
        .collect();
    micros.sort_by(f64::total_cmp);
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize];
    println!(
        "SIGTERM -> first waiter woken, {runs} runs: median {:.1} us (p10 {:.1}, p90 {:.1})",
        at(0.5),
        at(0.1),
        at(0.9)
    );
}
