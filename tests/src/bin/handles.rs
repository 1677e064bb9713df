//! Fixture for `tests/handles.rs`: what a [`Handle`](cleanup_runtime::Handle)
//! and a [`Cleanup`] promise, in a real process.
//!
//! `handles SCENARIO`:
//!
//! | scenario | what it does |
//! |---|---|
//! | `racing-exit` | two threads register, again and again, cleanups ordered `after("anchor")`; `main` calls `std::process::exit(0)` while they do |
//! | `run-one` | runs single registrations with `Handle::run` (ok, error, panic, timeout, twice, unregistered), then returns; the rest run at exit |
//! | `run-during-exit` | a cleanup at exit runs, with `Handle::run`, a cleanup registered before it |
//! | `tokio-main` | registers a closure inside `#[tokio::main]`, as an application's `main` would |
//! | `set-report PATH` | `set_report(File(Json, PATH))`, one cleanup, returns |
//!
//! Every cleanup says `ran NAME` when it runs; `entry NAME STATUS ERROR`
//! is what `Handle::run` returned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use cleanup_runtime::{Cleanup, EntryReport};
use cleanup_tests::{ran, say};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "racing-exit" => racing_exit(),
        "run-one" => run_one(),
        "run-during-exit" => run_during_exit(),
        "tokio-main" => tokio_main(),
        "set-report" => set_report(std::env::args().nth(2).expect("a report path")),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

/// Threads registering at once while the process exits: more chances
/// per round for the exit to meet one in the middle of a registration.
const REGISTERING_THREADS: usize = 2;

/// Set when "anchor" runs: a dependent that runs while it is not set ran
/// without its `after("anchor")` constraint.
static ANCHOR_RAN: AtomicBool = AtomicBool::new(false);

/// The exit races the registrations: whichever registration the run finds
/// pending (or adds, from the parked thread) must carry its constraint.
/// Registering one cleanup and constraining it in a second step left a
/// window in which the run took it unconstrained, before "anchor".
fn racing_exit() {
    cleanup_runtime::register_named("anchor", || {
        ANCHOR_RAN.store(true, Ordering::SeqCst);
        ran("anchor");
    });
    let (ready, started) = mpsc::channel();
    for _ in 0..REGISTERING_THREADS {
        let ready = ready.clone();
        std::thread::spawn(move || {
            // Until the run at exit is past "anchor": registrations made
            // after that prove nothing, and once the run is over each would
            // run at once with a line on stderr.
            for round in (0u64..).take_while(|_| !ANCHOR_RAN.load(Ordering::SeqCst)) {
                Cleanup::new(move || {
                    if !ANCHOR_RAN.load(Ordering::SeqCst) {
                        say(format_args!("unconstrained dependent-{round}"));
                    }
                })
                .after("anchor")
                .register();
                if round == 100 {
                    let _ = ready.send(());
                }
            }
        });
    }
    for _ in 0..REGISTERING_THREADS {
        started.recv().expect("a registering thread started");
    }
    std::process::exit(0);
}

fn show(name: &str, entry: Option<EntryReport>) {
    match entry {
        None => say(format_args!("entry {name} none")),
        Some(entry) => say(format_args!(
            "entry {name} {} {}",
            entry.status().as_str(),
            entry.error().unwrap_or("-")
        )),
    }
}

fn run_one() {
    let stays = Cleanup::new(|| ran("stays")).name("stays").register();
    let ok = Cleanup::new(|| ran("ok")).name("ok").register();
    let error = Cleanup::new(|| -> Result<(), String> {
        ran("error");
        Err("disk full".to_owned())
    })
    .name("error")
    .register();
    let panics = Cleanup::new(|| -> () {
        ran("panics");
        panic!("boom");
    })
    .name("panics")
    .register();
    let hangs = Cleanup::new(|| {
        ran("hangs");
        std::thread::sleep(Duration::from_secs(3600));
    })
    .name("hangs")
    .timeout(Duration::from_millis(50))
    .register();
    let taken_back = Cleanup::new(|| ran("taken-back"))
        .name("taken-back")
        .register();

    show("ok", ok.run());
    show("ok-again", ok.run());
    show("error", error.run());
    show("panics", panics.run());
    show("hangs", hangs.run());
    assert!(taken_back.clone().unregister());
    show("taken-back", taken_back.run());
    say(format_args!("stays pending {}", stays.is_pending()));
    say(format_args!("ok pending {}", ok.is_pending()));
    let history: Vec<_> = cleanup_runtime::report()
        .entries()
        .iter()
        .map(|entry| entry.name().to_owned())
        .collect();
    say(format_args!("history {}", history.join(" ")));
}

fn run_during_exit() {
    let inner = Cleanup::new(|| ran("inner")).name("inner").register();
    cleanup_runtime::register_named("outer", move || {
        ran("outer");
        show("inner", inner.run());
    });
}

fn set_report(path: String) {
    cleanup_runtime::set_report(cleanup_runtime::ReportDestination::File(
        cleanup_runtime::ReportFormat::Json,
        path.into(),
    ));
    cleanup_runtime::register_named("reported", || ran("reported"));
}

/// `#[tokio::main]` wraps the body in an async block, which rustc names
/// `{{closure}}` as it does a closure.
#[tokio::main(flavor = "current_thread")]
async fn tokio_main() {
    cleanup_runtime::register(|| ran("in-tokio-main"));
}
