//! Shutdown requests: a program that listens (`shutdown::wait`,
//! `shutdown::requested`) is woken by SIGINT, SIGTERM or SIGHUP instead of
//! having its cleanups run under it; it drains and ends on its own, and the
//! cleanups run then, with its status. A listener that does not end in the
//! grace period, or gets a second signal, dies by the signal after the
//! cleanups. Each test waits for the fixture's lines before signalling it.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;

use common::Fixture;

const SHUTDOWN: &str = env!("CARGO_BIN_EXE_shutdown");
const SHUTDOWN_TOKIO: &str = env!("CARGO_BIN_EXE_shutdown_tokio");
const SERVER: &str = env!("CARGO_BIN_EXE_server");

fn shutdown(scenario: &str) -> Fixture {
    Fixture::new(SHUTDOWN, &[scenario]).default_signal_dispositions()
}

#[test]
fn a_listening_program_drains_before_any_cleanup_and_ends_with_its_own_status() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let run = shutdown("drain").json_report().run_signalled(signal);
        run.assert_code(0);
        assert_eq!(
            run.ran_after("drained"),
            ["b", "a"],
            "the drain comes first, then every cleanup\n{}",
            run.context()
        );
        assert!(
            run.position("shutdown requested: true") < run.position("drained"),
            "{}",
            run.context()
        );
        let report = run.report();
        assert_eq!(report["trigger"], "exit", "{}", run.context());
        assert_eq!(
            report["status"],
            common::reported_status(0),
            "{}",
            run.context()
        );
        assert!(report["signal"].is_null(), "{}", run.context());
        assert_eq!(report["shutdown_signal"], signal, "{}", run.context());
    }
}

#[test]
fn a_signal_the_parent_ignored_stays_ignored_and_wakes_nobody() {
    let mut child = shutdown("drain")
        .ignoring(libc::SIGTERM)
        .json_report()
        .start();
    child.wait_for_line("ready");
    // The kernel drops the ignored SIGTERM as it is sent; the SIGHUP is
    // then the first signal, and the request.
    child.signal(libc::SIGTERM);
    child.signal(libc::SIGHUP);
    let run = child.finish();
    run.assert_code(0);
    assert_eq!(run.ran_after("drained"), ["b", "a"], "{}", run.context());
    assert_eq!(
        run.report()["shutdown_signal"],
        libc::SIGHUP,
        "{}",
        run.context()
    );
}

#[test]
fn the_report_names_the_shutdown_signal_in_text_too() {
    let run = shutdown("drain")
        .report_file("text")
        .run_signalled(libc::SIGTERM);
    run.assert_code(0);
    let header = run.report_text().lines().next().unwrap_or_default();
    assert!(
        header.contains("shutdown_signal=15"),
        "header: {header:?}\n{}",
        run.context()
    );
}

#[test]
fn a_listener_that_never_ends_gets_its_cleanups_after_the_grace_then_dies_by_the_signal() {
    let mut child = shutdown("short-grace").json_report().start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    assert_eq!(
        run.ran_after("woken"),
        ["b", "a"],
        "woken first, cleaned up after the grace\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
    assert_eq!(
        report["shutdown_signal"],
        libc::SIGTERM,
        "{}",
        run.context()
    );
}

#[test]
fn cleanup_grace_wins_over_set_grace() {
    // The program sets a grace of an hour: only the variable can end this
    // run before the hang guard.
    let mut child = shutdown("never-ends").env("CLEANUP_GRACE", "50ms").start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran_after("woken"), ["b", "a"], "{}", run.context());
}

#[test]
fn a_malformed_cleanup_grace_gets_one_line_and_the_programs_grace_stands() {
    let mut child = shutdown("short-grace").env("CLEANUP_GRACE", "soon").start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    let complaints: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains("CLEANUP_GRACE"))
        .collect();
    assert_eq!(complaints.len(), 1, "{}", run.context());
    assert!(complaints[0].contains("\"soon\""), "{}", run.context());
    assert_eq!(run.ran_after("woken"), ["b", "a"], "{}", run.context());
}

#[test]
fn a_second_signal_during_a_long_grace_ends_the_process_promptly_by_that_signal() {
    // The grace is an hour: only the second signal can end this run before
    // the hang guard.
    let mut child = shutdown("never-ends").json_report().start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    child.wait_for_line("woken");
    child.signal(libc::SIGINT);
    let run = child.finish();
    run.assert_signal(libc::SIGINT);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGINT, "{}", run.context());
    assert_eq!(
        report["shutdown_signal"],
        libc::SIGTERM,
        "{}",
        run.context()
    );
}

#[test]
fn a_signal_while_the_cleanups_run_after_the_drain_ends_the_process_at_once() {
    let mut child = shutdown("blocked-cleanup").start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    child.wait_for_line("ran b");
    child.signal(libc::SIGINT);
    let run = child.finish();
    run.assert_signal(libc::SIGINT);
    assert_eq!(run.ran(), ["b"], "the run is cut short\n{}", run.context());
}

#[test]
fn request_wakes_the_waiters_without_a_signal_and_starts_no_timer() {
    let run = shutdown("request").json_report().run();
    run.assert_code(0);
    assert!(run.position("woken") < run.position("main returns"));
    assert_eq!(
        run.value_of("pending after the request: "),
        "2",
        "a grace of 0 would have started the cleanups\n{}",
        run.context()
    );
    assert_eq!(
        run.ran_after("main returns"),
        ["b", "a"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert!(report["shutdown_signal"].is_null(), "{}", run.context());
}

#[test]
fn a_program_with_no_cleanups_still_hears_the_signal_once_it_listens() {
    let run = shutdown("listen-only").run_signalled(libc::SIGTERM);
    run.assert_code(0);
    assert_eq!(run.count("woken"), 1, "{}", run.context());
}

/// A program that listens and has no cleanup writes a report on every
/// path, not only when its grace runs out: listening sets the runtime up
/// as a first cleanup does.
#[test]
fn a_program_that_only_listens_writes_its_report_on_every_path() {
    let returned = shutdown("listen-only")
        .json_report()
        .run_signalled(libc::SIGTERM);
    returned.assert_code(0);
    let report = returned.report();
    assert_eq!(report["trigger"], "exit", "{}", returned.context());
    // The portable path's `atexit` is not told the status (README).
    if cfg!(cleanup_runtime_portable) {
        assert!(report["status"].is_null(), "{}", returned.context());
    } else {
        assert_eq!(report["status"], 0, "{}", returned.context());
    }
    assert_eq!(report["shutdown_signal"], libc::SIGTERM);
    assert_eq!(report["entries"], serde_json::json!([]));

    let mut child = shutdown("listen-never-ends")
        .env("CLEANUP_GRACE", "0s")
        .json_report()
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let overtaken = child.finish();
    overtaken.assert_signal(libc::SIGTERM);
    let report = overtaken.report();
    assert_eq!(report["trigger"], "signal", "{}", overtaken.context());
    assert_eq!(report["signal"], libc::SIGTERM, "{}", overtaken.context());
    assert_eq!(report["entries"], serde_json::json!([]));
}

#[test]
fn a_program_that_owns_sigterm_and_listens_keeps_its_own_handler() {
    let run = shutdown("own-handler")
        .json_report()
        .run_signalled(libc::SIGTERM);
    run.assert_code(0);
    assert_eq!(
        run.count("the program's own SIGTERM handler ran"),
        1,
        "{}",
        run.context()
    );
    assert_eq!(
        run.count("shutdown requested: false"),
        1,
        "{}",
        run.context()
    );
    assert_eq!(run.count("woken"), 0, "{}", run.context());
    assert_eq!(
        run.ran_after("the program's own SIGTERM handler ran"),
        ["b", "a"],
        "{}",
        run.context()
    );
    assert!(
        run.report()["shutdown_signal"].is_null(),
        "{}",
        run.context()
    );
}

#[test]
fn a_program_that_never_listens_is_unchanged_and_reports_the_signal() {
    let run = Fixture::scenario(&["wait-for-signal"])
        .default_signal_dispositions()
        .json_report()
        .run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
    assert_eq!(
        report["shutdown_signal"],
        libc::SIGTERM,
        "{}",
        run.context()
    );
}

#[test]
fn the_future_in_tokio_select_wakes_the_main_task_and_a_spawned_one() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        let run = Fixture::new(SHUTDOWN_TOKIO, &[])
            .default_signal_dispositions()
            .json_report()
            .run_signalled(signal);
        run.assert_code(0);
        assert_eq!(run.count("task woken"), 1, "{}", run.context());
        assert_eq!(run.ran_after("drained"), ["b", "a"], "{}", run.context());
        assert_eq!(run.report()["shutdown_signal"], signal, "{}", run.context());
    }
}

#[test]
fn the_server_example_finishes_a_request_in_flight_then_cleans_up() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("server.log");
    let mut server = Fixture::new(SERVER, &[log.to_str().expect("a UTF-8 path")])
        .default_signal_dispositions()
        .start();
    let workspace = server.wait_for_prefix("workspace ");
    let address = server.wait_for_prefix("listening on ");

    // Half a request: the request line, not yet the end of the headers.
    let mut client = TcpStream::connect(&address).expect("connect");
    client
        .write_all(b"GET /in-flight HTTP/1.1\r\n")
        .expect("send the request line");
    server.wait_for_prefix("request started: ");
    server.signal(libc::SIGTERM);
    server.wait_for_prefix("draining ");

    let refused = TcpStream::connect(&address).map(drop).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused, "{refused}");

    client
        .write_all(b"Host: test\r\n\r\n")
        .expect("send the rest of the request");
    let mut response = String::new();
    client
        .read_to_string(&mut response)
        .expect("read the response");
    let run = server.finish();
    run.assert_code(0);

    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {response:?}"));
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .expect("a Content-Length")
        .parse()
        .expect("a number");
    assert_eq!(body.len(), length, "the whole body\n{}", run.context());
    assert!(
        body.ends_with("line 2000 of 2000 for GET /in-flight HTTP/1.1\n"),
        "{}",
        run.context()
    );

    assert!(
        run.position("stopped") < run.position("cleaned up"),
        "the cleanups run after the drain\n{}",
        run.context()
    );
    assert!(
        !std::path::Path::new(&workspace).exists(),
        "the workspace (and the pid file in it) is removed\n{}",
        run.context()
    );
    let logged = std::fs::read_to_string(&log).expect("the log file");
    assert_eq!(
        logged,
        "served GET /in-flight HTTP/1.1\nstopped\n",
        "flushed at exit\n{}",
        run.context()
    );
}
