//! Feature `tracing`: each cleanup's outcome is an event of target
//! `cleanup_runtime` inside a `cleanup_run` span, failures at WARN and
//! successes at DEBUG, at a normal exit and after SIGTERM. The
//! `tracing_events` fixture's subscriber prints what it receives.

mod common;

use common::Fixture;

const TRACING_EVENTS: &str = env!("CARGO_BIN_EXE_tracing_events");

/// The fixture's `event` lines, in order.
fn events(run: &common::Run) -> Vec<&str> {
    run.out()
        .lines()
        .filter(|line| line.starts_with("event "))
        .collect()
}

/// Checks the four cleanups' events: in run order, in the run's span, with
/// their names, sequence numbers, sources, statuses and levels.
#[track_caller]
fn assert_events(run: &common::Run, trigger: &str) {
    let context = run.context();
    let spans: Vec<&str> = run
        .out()
        .lines()
        .filter(|line| line.starts_with("span "))
        .collect();
    assert_eq!(spans.len(), 1, "one span for the run\n{context}");
    assert!(
        spans[0].starts_with(&format!("span cleanup_run trigger={trigger}")),
        "{context}"
    );
    let events = events(run);
    let expected = [
        ("WARN", "panicking", 3, "panic", Some("kaboom")),
        ("WARN", "failing", 2, "error", Some("disk full")),
        ("DEBUG", "ok-cleanup", 1, "ok", None),
        ("DEBUG", "tracing_events::static_cleanup", 0, "ok", None),
    ];
    assert_eq!(events.len(), expected.len(), "{context}");
    for (event, (level, name, sequence, status, error)) in events.iter().zip(expected) {
        let message = match error {
            Some(_) => "cleanup failed",
            None => "cleanup ok",
        };
        let expected_start = format!(
            "event {level} in=cleanup_run message={message} name={name} sequence={sequence} \
             source=tests/src/bin/tracing_events.rs:"
        );
        assert!(event.starts_with(&expected_start), "{event}\n{context}");
        assert!(
            event.contains(&format!(" status={status} duration=")),
            "{event}\n{context}"
        );
        match error {
            Some(error) => assert!(
                event.ends_with(&format!(" error={error}")),
                "{event}\n{context}"
            ),
            None => assert!(!event.contains(" error="), "{event}\n{context}"),
        }
    }
    // Each event follows its cleanup at once, not all at the end.
    let out: Vec<&str> = run.out().lines().collect();
    let position = |prefix: &str| {
        out.iter()
            .position(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}\n{context}"))
    };
    assert!(
        position("event DEBUG in=cleanup_run message=cleanup ok name=ok-cleanup")
            < position("ran static"),
        "{context}"
    );
}

#[test]
fn each_cleanup_is_an_event_at_a_normal_exit() {
    let run = Fixture::new(TRACING_EVENTS, &["exit"]).run();
    run.assert_code(0);
    assert_events(&run, "exit");
}

#[test]
fn each_cleanup_is_an_event_after_sigterm() {
    let run = Fixture::new(TRACING_EVENTS, &["wait"]).run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_events(&run, "signal");
}

/// A subscriber whose writer is stuck holds the run on the signal path at
/// its first event; the deadline, armed before the first cleanup, still
/// ends the process by the signal, with the report.
#[test]
fn a_stuck_subscriber_is_bounded_by_the_deadline() {
    let run = Fixture::new(TRACING_EVENTS, &["stuck"])
        .env("CLEANUP_DEADLINE", "1s")
        .json_report()
        .run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(events(&run).len(), 1, "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(
        report["entries"][0]["name"],
        "panicking",
        "{}",
        run.context()
    );
    assert_eq!(report["entries"][0]["status"], "panic", "{}", run.context());
    let last = report["entries"].as_array().and_then(|e| e.last()).cloned();
    assert_eq!(last.map(|e| e["status"].clone()), Some("skipped".into()));
}
