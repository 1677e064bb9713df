//! The pid file under contention and on hostile paths: several processes
//! taking a stale file over at once, and a path that is a hard link to
//! someone else's file.

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
    let run = Command::new(PIDFILE_RACE)
        .arg("create")
        .arg(&path)
        .env_remove("CLEANUP_REPORT")
        .output()
        .expect("run the fixture");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("the victim is still there"),
        "precious\n",
        "the linked file's content survives; fixture said: {stdout}"
    );
}
