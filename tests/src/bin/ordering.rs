//! Fixture for ordering constraints (`after` / `before`), across crates and
//! at run time. Every cleanup says `ran NAME`.
//!
//! Its statics, with `pool-lib`'s (a library's statics are numbered before
//! the program's, so LIFO alone runs the program's first), by sequence
//! number:
//!
//! | seq | cleanup | constraint |
//! |---|---|---|
//! | 0 | `lib-pool` (pool-lib) | |
//! | 1 | `audit` (pool-lib, `#[at_exit]`) | `after = "app-metrics"` |
//! | 2 | `flush-orders` | `before = names::LIB_POOL` (a `const` path) |
//! | 3 | `app-metrics` | |
//! | 4 | `report_done` (`#[at_exit]`) | `after = ["lib-pool", "not-linked"]` (no cleanup is called the second: a warning) |
//!
//! LIFO would run 4, 3, 2, 1, 0; the constraints give
//! app-metrics, flush-orders, lib-audit, lib-pool, report-done.
//!
//! | scenario | what it does |
//! |---|---|
//! | `statics` | nothing more; returns |
//! | `runtime` | registers the run-time set (below); returns |
//! | `cycle` | cyc-a after cyc-b after cyc-c after cyc-a; returns |
//! | `signal` | the run-time set, prints `ready`, waits for a signal |
//! | `run-now` | the run-time set; prints `pending NAME NAME ...` (`report().pending()`), then `report JSON` of `run_now`; returns |
//! | `during-run` | a cleanup registers late-db, late-cache (after late-db), late-audit (after lib-pool) |
//! | `deadline` | the run-time set, then a cleanup that hangs (it runs first); the rest are skipped |
//! | `gone` | gone-db registered and unregistered, ran-db registered and run by `run_now` (with the statics); then late after both; returns |
//!
//! The run-time set, by sequence: rt-writer (5, `before("rt-pool")`),
//! rt-pool (6), rt-db (7), rt-cache (8, `after("rt-db")`,
//! `after("nobody")`). Planned: rt-db, rt-cache, rt-writer, rt-pool, then
//! the statics.

use std::thread;

use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::{ran, say};

/// The names this program orders against, written once.
mod names {
    pub const LIB_POOL: &str = "lib-pool";
}

#[cleanup(name = "flush-orders", before = names::LIB_POOL)]
fn flush_orders() {
    ran("flush-orders");
}

#[cleanup(name = "app-metrics")]
fn app_metrics() {
    ran("app-metrics");
}

#[at_exit(after = ["lib-pool", "not-linked"])]
fn report_done() {
    ran("report-done");
}

fn main() {
    say(pool_lib::link());
    let scenario = std::env::args().nth(1).expect("usage: ordering SCENARIO");
    match scenario.as_str() {
        "statics" => {}
        "runtime" => runtime_set(),
        "cycle" => cycle(),
        "signal" => {
            runtime_set();
            say("ready");
            loop {
                thread::park();
            }
        }
        "run-now" => run_now(),
        "during-run" => during_run(),
        "deadline" => deadline(),
        "gone" => gone(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

/// A cleanup called `name` saying `ran NAME`, to be given its options and
/// registered.
#[track_caller]
fn named(name: &'static str) -> cleanup_runtime::Cleanup {
    cleanup_runtime::Cleanup::new(move || ran(name)).name(name)
}

fn runtime_set() {
    named("rt-writer").before("rt-pool").register();
    named("rt-pool").register();
    named("rt-db").register();
    named("rt-cache").after("rt-db").after("nobody").register();
}

fn cycle() {
    named("cyc-a").after("cyc-b").register();
    named("cyc-b").after("cyc-c").register();
    named("cyc-c").after("cyc-a").register();
}

fn run_now() {
    runtime_set();
    let snapshot = cleanup_runtime::report();
    let pending: Vec<_> = snapshot
        .pending()
        .iter()
        .map(|entry| entry.name())
        .collect();
    say(format_args!("pending {}", pending.join(" ")));
    let report = cleanup_runtime::run_now();
    say(format_args!("report {}", report.to_json()));
}

fn during_run() {
    cleanup_runtime::register_named("spawner", || {
        ran("spawner");
        named("late-db").register();
        named("late-cache").after("late-db").register();
        named("late-audit").after("lib-pool").register();
    });
}

fn gone() {
    named("gone-db").register();
    assert!(cleanup_runtime::unregister("gone-db"));
    named("ran-db").register();
    let _ = cleanup_runtime::run_now();
    named("late").after("ran-db").after("gone-db").register();
}

fn deadline() {
    runtime_set();
    cleanup_runtime::register_named("hung", || -> () {
        ran("hung");
        loop {
            thread::park();
        }
    });
}
