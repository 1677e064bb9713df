//! Stopping well: why shutdown was requested (`shutdown::Reason`), the
//! shutdown delay (readiness fails at once, serving goes on until the
//! delay is over), a command-line program that polls and ends by the
//! signal after its own clean-up, and systemd's stop protocol over a unix
//! datagram socket standing in for `NOTIFY_SOCKET`. Each test waits for
//! the fixture's lines before signalling it.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Fixture;

const STOP: &str = env!("CARGO_BIN_EXE_shutdown_stop");
const SERVER: &str = env!("CARGO_BIN_EXE_server");

fn stop(scenario: &str) -> Fixture {
    Fixture::new(STOP, &[scenario]).default_signal_dispositions()
}

#[test]
fn wait_and_reason_say_which_signal_requested_shutdown() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let run = stop("reason").run_signalled(signal);
        run.assert_code(0);
        assert_eq!(
            run.value_of("reason "),
            format!("Signal({signal})"),
            "{}",
            run.context()
        );
        assert_eq!(
            run.value_of("polled "),
            format!("Some(Signal({signal}))"),
            "{}",
            run.context()
        );
        assert_eq!(run.ran(), ["a"], "{}", run.context());
    }
}

#[test]
fn wait_and_reason_say_the_program_requested_shutdown() {
    let run = stop("reason-request").run();
    run.assert_code(0);
    assert_eq!(run.value_of("reason "), "Requested", "{}", run.context());
    assert_eq!(
        run.value_of("polled "),
        "Some(Requested)",
        "{}",
        run.context()
    );
}

#[test]
fn a_second_signal_during_the_delay_runs_the_cleanups_and_ends_by_it() {
    let mut child = stop("delay")
        .env("CLEANUP_SHUTDOWN_DELAY", "1h")
        .env("CLEANUP_GRACE", "1h")
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    // Pending at once, and the waiters not woken: the delay runs.
    child.wait_for_line("pending (requested: false)");
    child.signal(libc::SIGINT);
    let run = child.finish();
    run.assert_signal(libc::SIGINT);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert_eq!(
        run.count("woken"),
        0,
        "woken only after the delay\n{}",
        run.context()
    );
}

#[test]
fn a_malformed_shutdown_delay_gets_one_line_and_none_applies() {
    let mut child = stop("delay")
        .env("CLEANUP_SHUTDOWN_DELAY", "soon")
        .env("CLEANUP_GRACE", "1h")
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    child.wait_for_line("woken"); // no delay: the program's, 0
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    let lines: Vec<_> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains("CLEANUP_SHUTDOWN_DELAY"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.context());
    assert!(
        lines[0].starts_with("cleanup: CLEANUP_SHUTDOWN_DELAY=\"soon\" is not a duration"),
        "{}",
        run.context()
    );
}

#[test]
fn a_polling_cli_ends_by_the_signal_after_its_own_clean_up_and_the_cleanups() {
    let run = stop("cli").run_signalled(libc::SIGINT);
    run.assert_signal(libc::SIGINT);
    assert_eq!(
        run.value_of("interrupted by "),
        format!("Some(Signal({}))", libc::SIGINT),
        "{}",
        run.context()
    );
    assert_eq!(run.count("ran a"), 1, "once\n{}", run.context());
    assert!(
        run.position("own clean-up") < run.position("ran a"),
        "{}",
        run.context()
    );
}

#[test]
fn a_polling_cli_that_requested_shutdown_itself_exits_with_its_status() {
    let run = stop("cli-request").run();
    run.assert_code(1);
    assert_eq!(
        run.value_of("interrupted by "),
        "Some(Requested)",
        "{}",
        run.context()
    );
    assert_eq!(run.count("ran a"), 1, "{}", run.context());
}

/// A GET of `path`: the status line and the body.
fn get(address: &str, path: &str) -> Result<(String, String), std::io::Error> {
    let mut stream = TcpStream::connect(address)?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {response:?}"));
    let status = head.lines().next().unwrap_or_default().to_owned();
    Ok((status, body.to_owned()))
}

#[test]
fn with_a_delay_the_server_fails_readiness_at_once_and_serves_until_the_delay_is_over() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let log = dir.path().join("server.log");
    let mut server = Fixture::new(SERVER, &[log.to_str().expect("a UTF-8 path")])
        .default_signal_dispositions()
        .env("CLEANUP_SHUTDOWN_DELAY", "600ms")
        .start();
    let address = server.wait_for_prefix("listening on ");
    let (ready, _) = get(&address, "/readyz").expect("readyz");
    assert_eq!(ready, "HTTP/1.1 200 OK");

    let mut in_flight = TcpStream::connect(&address).expect("connect");
    in_flight
        .write_all(b"GET /in-flight HTTP/1.1\r\n")
        .expect("send the request line");
    server.wait_for_prefix("request started: GET /in-flight");
    server.signal(libc::SIGTERM);

    // The signal reaches the server's handler asynchronously: ask until
    // it has (the first answer is almost always the 503 already).
    loop {
        let (status, body) = get(&address, "/readyz").expect("readyz during the delay");
        if status == "HTTP/1.1 503 Service Unavailable" {
            assert_eq!(body, "shutting down\n");
            break;
        }
        assert_eq!(status, "HTTP/1.1 200 OK");
    }
    // Right after readiness failed, a new connection is still served.
    let (status, body) = get(&address, "/after-not-ready").expect("served during the delay");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(body.ends_with("line 2000 of 2000 for GET /after-not-ready HTTP/1.1\n"));

    // After the delay: the drain, and new connections refused.
    let draining = format!("draining {}", server.wait_for_prefix("draining "));
    let refused = TcpStream::connect(&address).map(drop).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused, "{refused}");

    in_flight
        .write_all(b"Host: test\r\n\r\n")
        .expect("send the rest of the request");
    let mut response = String::new();
    in_flight
        .read_to_string(&mut response)
        .expect("read the response");
    let run = server.finish();
    run.assert_code(0);
    assert!(
        response.ends_with("line 2000 of 2000 for GET /in-flight HTTP/1.1\n"),
        "the request in flight finished\n{}",
        run.context()
    );
    assert!(
        run.position("readyz: not ready") < run.position(&draining),
        "{}",
        run.context()
    );
    assert!(
        run.position("stopped") < run.position("cleaned up"),
        "{}",
        run.context()
    );
}

/// A unix datagram socket standing in for systemd's `NOTIFY_SOCKET`.
struct Notify {
    socket: UnixDatagram,
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Notify {
    fn bind() -> Notify {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
        Notify {
            socket,
            path,
            _dir: dir,
        }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Every message received so far (the sender has ended).
    fn messages(&self) -> Vec<String> {
        self.socket.set_nonblocking(true).expect("non-blocking");
        let mut messages = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match self.socket.recv(&mut buffer) {
                Ok(n) => messages.push(String::from_utf8_lossy(&buffer[..n]).into_owned()),
                Err(error) if error.kind() == ErrorKind::WouldBlock => return messages,
                Err(error) => panic!("recv: {error}"),
            }
        }
    }
}

/// The values of `KEY=` in `messages`, in order.
fn values<'a>(messages: &'a [String], key: &str) -> Vec<&'a str> {
    messages
        .iter()
        .flat_map(|message| message.lines())
        .filter_map(|line| line.strip_prefix(key))
        .collect()
}

/// Checks the `EXTEND_TIMEOUT_USEC` values: at least one, none zero, none
/// above `bound`, none growing.
fn assert_extensions_bounded(messages: &[String], bound: u64) {
    let extensions: Vec<u64> = values(messages, "EXTEND_TIMEOUT_USEC=")
        .into_iter()
        .map(|value| value.parse().expect("microseconds"))
        .collect();
    assert!(!extensions.is_empty(), "{messages:?}");
    for pair in extensions.windows(2) {
        assert!(pair[1] <= pair[0], "{messages:?}");
    }
    assert!(
        extensions.iter().all(|&usec| usec > 0 && usec <= bound),
        "{messages:?}"
    );
}

#[test]
fn a_listening_service_tells_systemd_it_stops_and_extends_within_the_deadline() {
    let notify = Notify::bind();
    let run = stop("reason")
        .env("NOTIFY_SOCKET", notify.path())
        .env("CLEANUP_DEADLINE", "5s")
        .run_signalled(libc::SIGTERM);
    run.assert_code(0);
    let messages = notify.messages();
    assert_eq!(values(&messages, "STOPPING=").len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("STOPPING=1\n"),
        "first: {messages:?}"
    );
    assert!(
        values(&messages, "STATUS=")[0].starts_with("stopping on signal 15"),
        "{messages:?}"
    );
    assert!(
        values(&messages, "STATUS=").contains(&"running the cleanups"),
        "{messages:?}"
    );
    // The deadline plus the report's 2 s.
    assert_extensions_bounded(&messages, 7_000_000);
}

#[test]
fn a_plain_program_whose_cleanup_runs_long_extends_only_to_its_deadline() {
    let notify = Notify::bind();
    let run = stop("long-cleanup")
        .env("NOTIFY_SOCKET", notify.path())
        .env("CLEANUP_DEADLINE", "3s")
        .json_report()
        .run();
    run.assert_code(0);
    assert_eq!(
        run.report()["entries"][0]["status"],
        "timeout",
        "{}",
        run.context()
    );
    let messages = notify.messages();
    assert!(
        messages[0].starts_with("STOPPING=1\n"),
        "first: {messages:?}"
    );
    assert_eq!(values(&messages, "STOPPING=").len(), 1, "{messages:?}");
    assert_extensions_bounded(&messages, 5_000_000);
}

/// Runs the `probe` fixture with `NOTIFY_SOCKET` set to `socket`, or
/// removed, and returns its stdout.
fn probe(socket: Option<&Path>) -> String {
    let mut command = Command::new(STOP);
    command
        .arg("probe")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .env_remove("CLEANUP_REPORT")
        .env_remove("CLEANUP_DEADLINE")
        .env_remove("NOTIFY_SOCKET");
    if let Some(socket) = socket {
        command.env("NOTIFY_SOCKET", socket);
    }
    let output = command.output().expect("run the probe");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn without_notify_socket_nothing_is_sent_and_no_thread_started() {
    let threads = |out: &str| -> usize {
        let line = out.lines().find_map(|line| line.strip_prefix("threads: "));
        line.unwrap_or_else(|| panic!("{out}"))
            .parse()
            .expect("a count")
    };
    let notify = Notify::bind();
    let with = threads(&probe(Some(notify.path())));
    assert!(!notify.messages().is_empty());

    let without = threads(&probe(None));
    assert_eq!(
        without + 1,
        with,
        "the systemd thread, only with NOTIFY_SOCKET"
    );
    assert!(notify.messages().is_empty());
}
