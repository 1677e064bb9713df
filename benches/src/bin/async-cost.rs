//! What an async cleanup costs (feature `tokio`): the first one run in a
//! process starts the crate's runtime thread; each further one is a task
//! handed to it and waited for over a channel. Compared with a sync
//! cleanup run by the same loop.
//!
//! ```text
//! cargo run --release -p cleanup-benches --features async --bin async-cost [RUNS]
//! ```
//!
//! Runs itself as a child `RUNS` times (default 30), each a fresh process
//! (the runtime starts once per process): the child registers 100 sync
//! cleanups and 100 async ones (`async {}`), runs them with `run_now`, and
//! prints each one's duration from the report. Prints, in microseconds, the
//! median and the 10th and 90th percentiles of: the first async cleanup
//! (runtime start included), a further async cleanup, a sync cleanup.
//! Not part of `benches/run.sh`.

use std::process::Command;

const EACH: usize = 100;

fn main() {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("--child") => child(),
        runs => parent(runs.map_or(30, |n| n.parse().expect("RUNS is a number"))),
    }
}

fn child() {
    for _ in 0..EACH {
        cleanup_runtime::register(|| {});
    }
    for _ in 0..EACH {
        cleanup_runtime::register_async(async {});
    }
    let report = cleanup_runtime::run_now();
    let nanos: Vec<u128> = report
        .entries()
        .iter()
        .map(|entry| entry.duration().as_nanos())
        .collect();
    // Async ones ran first (registered last); the first of them started
    // the runtime.
    let first = nanos[0];
    let further = median(nanos[1..EACH].to_vec());
    let sync = median(nanos[EACH..].to_vec());
    println!("{first} {further} {sync}");
}

fn parent(runs: usize) {
    let exe = std::env::current_exe().expect("own path");
    let mut columns = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..runs {
        let output = Command::new(&exe)
            .arg("--child")
            .output()
            .expect("run the child");
        let text = String::from_utf8(output.stdout).expect("UTF-8");
        for (column, value) in columns.iter_mut().zip(text.split_whitespace()) {
            column.push(value.parse::<u128>().expect("a number"));
        }
    }
    let labels = [
        "first async cleanup (runtime start)",
        "each further async cleanup",
        "each sync cleanup",
    ];
    println!("{runs} processes, {EACH} of each kind per process; microseconds: median (p10..p90)");
    for (label, mut column) in labels.into_iter().zip(columns) {
        column.sort_unstable();
        let at =
            |fraction: f64| column[((column.len() - 1) as f64 * fraction) as usize] as f64 / 1000.0;
        println!(
            "{label:40} {:9.3} ({:.3}..{:.3})",
            at(0.5),
            at(0.1),
            at(0.9)
        );
    }
}

fn median(mut values: Vec<u128>) -> u128 {
    values.sort_unstable();
    values[values.len() / 2]
}
