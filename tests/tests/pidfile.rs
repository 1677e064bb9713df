//! The pid file under contention and on hostile paths: several processes
//! taking a stale file over at once, a file another process holds
//! exclusively, a path that is a hard link to someone else's file, and
//! paths that are not regular files.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const PIDFILE_RACE: &str = env!("CARGO_BIN_EXE_pidfile_race");

/// Not a timing check: a racer that has not answered after this long is
/// hung, and the test fails instead of blocking the suite.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// A pid no process can have (Linux's `pid_max` is at most 2^22): the
/// content of the stale file, so any answer naming it is wrong.
const STALE_PID: u32 = 4_000_000_000;

/// One racer: the child and the lines it prints.
struct Racer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Racer {
    fn start(path: &std::path::Path, barrier: &std::io::PipeReader) -> Racer {
        let mut child = Command::new(PIDFILE_RACE)
            .arg("race")
            .arg(path)
            .stdin(barrier.try_clone().expect("clone the barrier"))
            .stdout(Stdio::piped())
            .env_remove("CLEANUP_REPORT")
            .spawn()
            .expect("spawn a racer");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Racer { child, lines }
    }

    fn line(&mut self) -> String {
        match self.lines.recv_timeout(HANG_GUARD) {
            Ok(line) => line,
            Err(error) => {
                let _ = self.child.kill();
                panic!("racer {} printed nothing ({error})", self.child.id());
            }
        }
    }
}

impl Drop for Racer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `pidfile_race create PATH` to its end and returns what it printed;
/// a fixture still running after [`HANG_GUARD`] is killed and fails the
/// test.
fn create(path: &std::path::Path) -> String {
    let mut child = Command::new(PIDFILE_RACE)
        .arg("create")
        .arg(path)
        .stdout(Stdio::piped())
        .env_remove("CLEANUP_REPORT")
        .spawn()
        .expect("spawn the fixture");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let (sender, finished) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        let _ = sender.send(text);
    });
    let printed = finished.recv_timeout(HANG_GUARD);
    if printed.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().expect("wait for the fixture");
    let printed = printed.unwrap_or_else(|_| panic!("create {} hung", path.display()));
    assert!(status.success(), "{status:?}: {printed}");
    printed
}

/// Issue 15, item 10: a loser of the race over a stale file read it
/// between the winner's lock and the winner's write, and named the dead
/// pid (2 losers in 400). Every round: a stale file, four racers released
/// together; exactly one wins, and every loser names the winner.
#[test]
fn racers_over_a_stale_pid_file_name_the_winner_never_the_dead_pid() {
    const ROUNDS: usize = 300;
    const RACERS: usize = 4;
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("app.pid");
    let mut stale_answers = 0;
    for round in 0..ROUNDS {
        // The last round's winner was killed: its file is stale now, and
        // holds the pid no process has.
        std::fs::write(&path, format!("{STALE_PID}\n")).expect("stale pid file");
        let (barrier, release) = std::io::pipe().expect("barrier pipe");
        let mut racers: Vec<Racer> = (0..RACERS).map(|_| Racer::start(&path, &barrier)).collect();
        drop(barrier);
        for racer in &mut racers {
            assert_eq!(racer.line(), "ready");
        }
        drop(release); // every racer's stdin ends: go
        let answers: Vec<String> = racers.iter_mut().map(Racer::line).collect();
        let winners: Vec<&str> = answers
            .iter()
            .filter_map(|a| a.strip_prefix("won "))
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        let winner = winners[0];
        for answer in &answers {
            if answer == &format!("running {STALE_PID}") {
                stale_answers += 1;
                continue;
            }
            assert!(
                answer == &format!("won {winner}") || answer == &format!("running {winner}"),
                "round {round}: every loser names the winner {winner}: {answers:?}"
            );
        }
    }
    assert_eq!(
        stale_answers, 0,
        "losers named the dead pid {STALE_PID} in {ROUNDS} rounds of {RACERS}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read the directory")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["app.pid"], "no racer left a file of its own behind");
}

/// Issue 15, "likely": `O_NOFOLLOW` does not refuse a hard link, and the
/// takeover truncated and rewrote whatever file the path was a link to
/// (where `fs.protected_hardlinks=0` lets anyone link to anyone's file).
/// Made here as the same user in a temporary directory: the pid file path
/// is a hard link to a file that is not a pid file. Whatever `create` does
/// with the path, the other file's content survives it and the process's
/// end.
#[test]
fn a_pid_file_path_hard_linked_to_another_file_never_writes_into_that_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let victim = dir.path().join("precious.conf");
    std::fs::write(&victim, "precious\n").expect("victim file");
    let path = dir.path().join("app.pid");
    std::fs::hard_link(&victim, &path).expect("hard link");
    let stdout = create(&path);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("the victim is still there"),
        "precious\n",
        "the linked file's content survives; fixture said: {stdout}"
    );
}

/// A process that holds the file exclusively and does not let go (not one
/// of ours taking it over, which renames and lets go at once: an owner
/// that locks that way, as this crate's earlier versions did) is an owner:
/// after a while `create` stops waiting for a takeover and names the pid
/// in the file.
#[test]
fn a_file_held_exclusively_by_another_process_is_refused_with_its_pid() {
    use std::os::fd::AsRawFd;

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("app.pid");
    std::fs::write(&path, "12345\n").expect("pid file");
    let held = std::fs::File::open(&path).expect("open");
    // SAFETY: flock on a descriptor we own; no memory is involved.
    let locked = unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    assert_eq!(locked, 0, "lock: {}", std::io::Error::last_os_error());
    let stdout = create(&path);
    assert!(
        stdout.starts_with("error ") && stdout.contains("held by running process 12345"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "12345\n");
    drop(held);
}

/// A directory or a FIFO at the path is refused, and left as it was (a
/// FIFO without making anyone wait for a writer).
#[test]
fn a_path_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let directory = dir.path().join("dir.pid");
    std::fs::create_dir(&directory).expect("directory");
    let fifo = dir.path().join("fifo.pid");
    let fifo_c = std::ffi::CString::new(fifo.to_str().expect("utf-8 path")).expect("no NUL");
    // SAFETY: a valid C string; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(fifo_c.as_ptr(), 0o644) }, 0, "mkfifo");
    for path in [&directory, &fifo] {
        let stdout = create(path);
        assert!(
            stdout.contains("exists and is not a regular file"),
            "{}: {stdout}",
            path.display()
        );
    }
    assert!(directory.is_dir());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read the directory")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 2, "no hidden file left behind: {left:?}");
}
