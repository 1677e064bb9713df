//! The final run beyond a plain exit: static cleanups on the signal path,
//! the off switches, a handler the program installs *after* the runtime's,
//! PID 1, the deadline, per-cleanup timeouts and `fork`. Each test runs the
//! `lifecycle` fixture as a real process and waits for its `ready` line
//! before signalling it.

mod common;

use common::{Fixture, LIFECYCLE, names};

fn lifecycle(scenario: &str) -> Fixture {
    Fixture::new(LIFECYCLE, &[scenario]).default_signal_dispositions()
}

#[test]
fn the_signal_path_runs_static_cleanups_after_run_time_ones() {
    let run = lifecycle("wait").json_report().run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(
        names(&report["entries"]),
        [
            "closure in lifecycle::main",
            "maybe-slow",
            "lifecycle::static_cleanup"
        ],
        "{}",
        run.context()
    );
}

/// Unnamed closures are named after the function they were written in
/// (a closure inside a closure too: rustc names async blocks as closures,
/// so nesting would read wrong under `#[tokio::main]`), with their
/// `file:line` beside the name, in every form of the report.
#[test]
fn closures_are_named_after_where_they_were_written_in_every_report_form() {
    let inner = "closure in lifecycle::main";
    let run = lifecycle("nested-closure").run();
    let failure = run
        .stderr_lines()
        .into_iter()
        .find(|line| line.contains("inner failed"))
        .unwrap_or_else(|| panic!("no failure line\n{}", run.context()))
        .to_owned();
    assert!(
        failure.contains(&format!("{inner:?} (tests/src/bin/lifecycle.rs:")),
        "{failure}\n{}",
        run.context()
    );

    let run = lifecycle("nested-closure").json_report().run();
    let report = run.report();
    assert_eq!(
        names(&report["entries"])[..2],
        [inner, "closure in lifecycle::main"],
        "{}",
        run.context()
    );
    let source = report["entries"][0]["source"].as_str().unwrap_or_default();
    assert!(
        source.starts_with("tests/src/bin/lifecycle.rs:"),
        "{source}\n{}",
        run.context()
    );

    let run = lifecycle("nested-closure")
        .env("CLEANUP_REPORT", "text")
        .run();
    assert!(
        run.stderr
            .contains(&format!("{inner:?} (tests/src/bin/lifecycle.rs:")),
        "{}",
        run.context()
    );
    assert!(!run.stderr.contains("{{closure}}"), "{}", run.context());
}

#[test]
fn the_off_switches_leave_the_default_action_in_place() {
    for (scenario, variable) in [("wait", Some("off")), ("leave-alone", None)] {
        let mut fixture = lifecycle(scenario);
        if let Some(value) = variable {
            fixture = fixture.env("CLEANUP_SIGNALS", value);
        }
        let run = fixture.run_signalled(libc::SIGTERM);
        run.assert_signal(libc::SIGTERM);
        assert!(
            run.ran().is_empty(),
            "nothing ran: {scenario}\n{}",
            run.context()
        );
    }
}

#[test]
fn with_nothing_left_to_clean_up_a_signal_acts_as_if_we_were_not_there() {
    let run = lifecycle("cleared")
        .json_report()
        .run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert!(run.ran().is_empty(), "{}", run.context());
    assert!(
        !run.report_written(),
        "no run, no report\n{}",
        run.context()
    );
}

#[test]
fn a_bad_cleanup_signals_value_gets_one_line_and_signals_stay_handled() {
    let run = lifecycle("wait")
        .env("CLEANUP_SIGNALS", "sometimes")
        .run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    let complaints: Vec<_> = run
        .stderr_lines()
        .into_iter()
        .filter(|l| l.contains("CLEANUP_SIGNALS=\"sometimes\""))
        .collect();
    assert_eq!(complaints.len(), 1, "{}", run.context());
}

#[test]
fn a_handler_the_program_installs_after_ours_takes_the_signal_over() {
    // signal-hook chains to the handler it replaced, so ours is still
    // called: it must notice it is no longer installed and stand aside.
    // A plain sigaction does not chain at all.
    for scenario in ["own-signal-hook", "own-sigaction"] {
        let run = lifecycle(scenario).run_signalled(libc::SIGINT);
        run.assert_code(0);
        let saw = run.position("program saw SIGINT");
        assert_eq!(
            run.ran_after("program saw SIGINT"),
            ["runtime", "static"],
            "{}",
            run.context()
        );
        assert!(
            run.position("ran runtime") > saw,
            "{scenario}\n{}",
            run.context()
        );
    }
}

#[test]
fn as_pid_1_the_process_ends_with_128_plus_the_signal_after_the_cleanups() {
    let allowed = std::process::Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        println!("skipped: `unshare --pid --fork` is not available or not allowed here");
        return;
    }
    let mut child = Fixture::new("unshare", &["--pid", "--fork", LIFECYCLE, "wait"])
        .default_signal_dispositions()
        .start();
    let pid = child.wait_for_prefix("pid ").parse().expect("a pid");
    child.wait_for_line("ready");
    child.retarget(pid);
    child.signal(libc::SIGTERM);
    let run = child.finish();
    // unshare passes its child's exit code on; a death by signal it would
    // pass on as a death by signal.
    run.assert_code(128 + libc::SIGTERM);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
}

#[test]
fn the_deadline_marks_the_hung_cleanup_timeout_and_skips_the_rest() {
    let run = lifecycle("hang-at-exit")
        .env("CLEANUP_DEADLINE", "300ms")
        .json_report()
        .run();
    run.assert_code(0);
    assert!(
        run.ran().is_empty(),
        "nothing after the hung one ran\n{}",
        run.context()
    );
    let report = run.report();
    let entries = report["entries"].as_array().expect("entries");
    let statuses: Vec<_> = entries
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["timeout", "skipped", "skipped", "skipped"],
        "{}",
        run.context()
    );
    let error = entries[0]["error"].as_str().unwrap();
    assert!(error.contains("deadline of 300ms"), "{error}");
}

#[test]
fn a_malformed_deadline_gets_one_line_and_no_deadline() {
    let run = lifecycle("exit").env("CLEANUP_DEADLINE", "soon").run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    assert!(
        run.stderr.contains("CLEANUP_DEADLINE=\"soon\""),
        "{}",
        run.context()
    );
}

#[test]
fn a_run_time_timeout_abandons_one_cleanup_and_the_rest_run() {
    let run = lifecycle("runtime-timeout").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["after-slow", "runtime", "static"],
        "{}",
        run.context()
    );
    let report = run.report();
    let slow = &report["entries"][1];
    assert_eq!(slow["status"], "timeout", "{}", run.context());
    assert!(
        slow["error"].as_str().unwrap().contains("timeout of 200ms"),
        "{}",
        run.context()
    );
}

#[test]
fn the_attributes_timeout_abandons_that_cleanup_and_the_rest_run() {
    let run = lifecycle("exit")
        .env("FIXTURE_STATIC_SLOW", "1")
        .json_report()
        .run();
    run.assert_code(0);
    assert_eq!(
        run.count("maybe-slow starts sleeping"),
        1,
        "{}",
        run.context()
    );
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    assert_eq!(
        common::entry(&run.report(), "maybe-slow")["status"],
        "timeout"
    );
}

#[test]
fn a_forked_childs_exit_leaves_its_parents_cleanups_to_the_parent() {
    let run = lifecycle("fork").json_report().run();
    run.assert_code(0);
    let ForkLines {
        parent_pid,
        in_child,
        in_parent,
    } = fork_lines(&run);
    assert!(
        in_child
            .iter()
            .any(|l| l.starts_with("ran child's own, in pid ")),
        "the child ran its own cleanup\n{}",
        run.context()
    );
    assert!(
        !in_child
            .iter()
            .any(|l| *l == "ran runtime" || *l == "ran static" || l.starts_with("ran parent's")),
        "the child ran none of its parent's\n{}",
        run.context()
    );
    assert!(
        in_parent.contains(&format!("ran parent's, in pid {parent_pid}").as_str()),
        "{}",
        run.context()
    );
    assert!(
        in_parent.contains(&"ran runtime") && in_parent.contains(&"ran static"),
        "{}",
        run.context()
    );
    assert_eq!(
        run.report()["entries"].as_array().unwrap().len(),
        4,
        "the parent's report\n{}",
        run.context()
    );
}

#[test]
fn a_forked_child_that_registers_runs_its_cleanup_on_a_signal() {
    let run = lifecycle("fork-signal").default_signal_dispositions().run();
    run.assert_code(0);
    let ForkLines {
        parent_pid,
        in_child,
        in_parent,
    } = fork_lines(&run);
    assert_eq!(
        in_child,
        ["child signals itself", "ran child's own"],
        "the child armed its own handlers\n{}",
        run.context()
    );
    assert_eq!(
        in_parent[0],
        format!(
            "parent {parent_pid} saw its child end by signal {}",
            libc::SIGTERM
        ),
        "the child died by the signal\n{}",
        run.context()
    );
    assert!(
        in_parent.contains(&"ran runtime") && in_parent.contains(&"ran static"),
        "{}",
        run.context()
    );
}

#[test]
fn a_child_that_adopts_runs_its_parents_cleanups_and_the_parent_does_not() {
    let run = lifecycle("fork-adopt").run();
    run.assert_code(0);
    let ForkLines {
        parent_pid,
        in_child,
        in_parent,
    } = fork_lines(&run);
    assert!(
        in_child
            .iter()
            .any(|l| l.starts_with("ran parent's, in pid ")
                && !l.ends_with(&format!(" {parent_pid}"))),
        "the parent's cleanup ran in the child\n{}",
        run.context()
    );
    assert!(
        in_child.contains(&"ran runtime") && in_child.contains(&"ran static"),
        "{}",
        run.context()
    );
    assert!(
        !in_parent.iter().any(|l| l.starts_with("ran ")),
        "{}",
        run.context()
    );
}

#[test]
fn the_log_logger_is_flushed_after_every_cleanup_on_exit_and_on_a_signal() {
    for end in ["return", "park"] {
        let mut child = Fixture::new(LIFECYCLE, &["log", end])
            .default_signal_dispositions()
            .json_report()
            .start();
        child.wait_for_line("ready");
        if end == "park" {
            child.signal(libc::SIGTERM);
        }
        let run = child.finish();
        let lines: Vec<&str> = run.out().lines().collect();
        let after_ready = &lines[lines.iter().position(|l| *l == "ready").unwrap() + 1..];
        assert_eq!(
            after_ready,
            [
                "log: logged by a cleanup",
                "ran runtime",
                "ran static",
                "log flushed"
            ],
            "{end}\n{}",
            run.context()
        );
        let entries = run.report()["entries"].as_array().unwrap().len();
        assert_eq!(
            entries,
            4,
            "the flush is no entry: {end}\n{}",
            run.context()
        );
    }
}

#[test]
fn a_daemon_child_that_adopts_runs_the_cleanups_on_sigterm() {
    let mut child = lifecycle("daemon").start();
    let daemon = child.wait_for_prefix("pid ").parse().expect("a pid");
    child.wait_for_line("ready");
    child.retarget(daemon);
    child.signal(libc::SIGTERM);
    // The parent already left with status 0; the daemon's lines follow
    // until it dies and closes the pipe.
    let run = child.finish();
    run.assert_code(0);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
}

/// The fork fixtures' output, split where the parent says its child ended.
struct ForkLines<'a> {
    parent_pid: String,
    /// What was printed before: the child's life and exit.
    in_child: Vec<&'a str>,
    /// From the parent's line on.
    in_parent: Vec<&'a str>,
}

fn fork_lines(run: &common::Run) -> ForkLines<'_> {
    let parent_saw = run.value_of("parent ");
    let parent_pid = parent_saw.split_whitespace().next().unwrap().to_owned();
    let child_end = run.position(&format!("parent {parent_saw}"));
    let mut in_child: Vec<&str> = run.out().lines().collect();
    let in_parent = in_child.split_off(child_end);
    ForkLines {
        parent_pid,
        in_child,
        in_parent,
    }
}
