//! The process-level half of the benchmark suite (criterion does the
//! in-process half): runs the fixtures and peers side by side, interleaved
//! (A B C A B C ...), and prints one Markdown table per question with
//! medians and ratios. benches/run.sh builds everything and calls it.
//!
//! ```text
//! driver --c-peer PATH --python-peer PATH [--out DIR] [--rounds R] [--no-callgrind]
//! ```
//!
//! Three kinds of figures:
//!
//! - **wall**: medians over R interleaved rounds of what the fixtures print
//!   (`reg_ns`, `exit_ns`, `collect_ns`) or of spawn-to-`waitpid` time
//!   measured here; process-floor differences come as the median of the
//!   per-round paired differences with a 95% sign-test interval.
//! - **signal**: `kill(SIGTERM)` to `waitpid` returning, for a child that
//!   printed `ready` and waits in `pause()`.
//! - **callgrind** (when `valgrind` is on the PATH): whole-process
//!   instruction counts, which repeat exactly; per-operation costs are
//!   differences between modes (see the `cleanup_benches` crate docs).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use cleanup_benches::now_ns;

/// One program to run: a label and its command line.
#[derive(Clone)]
struct Prog {
    label: String,
    argv: Vec<String>,
}

/// Where the fixtures are and how to run the peers.
struct Setup {
    bin_dir: PathBuf,
    c_peer: PathBuf,
    python: String,
    python_peer: PathBuf,
    out: PathBuf,
    rounds: usize,
    callgrind: bool,
}

impl Setup {
    fn from_args() -> Setup {
        let bin_dir = std::env::current_exe()
            .expect("own path")
            .parent()
            .expect("a directory")
            .to_path_buf();
        let mut setup = Setup {
            c_peer: bin_dir.join("peer-c-atexit"),
            python: "python3".to_owned(),
            python_peer: PathBuf::from("benches/peers/atexit.py"),
            out: bin_dir.join("bench-results"),
            rounds: 41,
            callgrind: which("valgrind"),
            bin_dir,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
            match arg.as_str() {
                "--c-peer" => setup.c_peer = value().into(),
                "--python" => setup.python = value(),
                "--python-peer" => setup.python_peer = value().into(),
                "--out" => setup.out = value().into(),
                "--rounds" => setup.rounds = value().parse().expect("--rounds N"),
                "--no-callgrind" => setup.callgrind = false,
                other => panic!("unknown argument {other}"),
            }
        }
        setup
    }

    fn ours(&self, name: &str, args: &[&str]) -> Prog {
        let label = format!("{name} {}", args.join(" "));
        let mut argv = vec![self.bin_dir.join(name).display().to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        Prog {
            label: label.trim().to_owned(),
            argv,
        }
    }

    fn c(&self, args: &[&str]) -> Prog {
        let mut argv = vec![self.c_peer.display().to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        Prog {
            label: format!("glibc-atexit {}", args.join(" ")).trim().to_owned(),
            argv,
        }
    }

    fn python(&self, args: &[&str]) -> Prog {
        let mut argv = vec![self.python.clone(), self.python_peer.display().to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        Prog {
            label: format!("python-atexit {}", args.join(" "))
                .trim()
                .to_owned(),
            argv,
        }
    }

    fn has_statics10k(&self) -> bool {
        self.bin_dir.join("fx-statics10k").exists()
    }

    /// The variant with one ordering constraint in ten (same feature).
    fn has_statics10k_ordered(&self) -> bool {
        self.bin_dir.join("fx-statics10k-ordered").exists()
    }
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn command(prog: &Prog) -> Command {
    let mut command = Command::new(&prog.argv[0]);
    command
        .args(&prog.argv[1..])
        .env("PYTHONHASHSEED", "0")
        .env_remove("CLEANUP_REPORT")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    command
}

/// Runs `prog` once: its wall time (spawn to `waitpid`, ns) and the
/// `key value` lines it printed.
fn run_once(prog: &Prog) -> (u64, BTreeMap<String, u64>) {
    let began = Instant::now();
    let output = command(prog)
        .stdout(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", prog.label));
    let wall = began.elapsed().as_nanos() as u64;
    assert!(output.status.success(), "{} failed", prog.label);
    let printed = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(' ')?;
            Some((key.to_owned(), value.trim().parse().ok()?))
        })
        .collect();
    (wall, printed)
}

/// Samples per program and per printed key (`wall` is spawn to `waitpid`).
type Samples = BTreeMap<String, BTreeMap<String, Vec<u64>>>;

/// Runs every program `rounds` times, interleaved: round 1 runs each once,
/// then round 2, and so on, so drift hits them all alike.
fn interleaved(progs: &[Prog], rounds: usize) -> Samples {
    let mut samples = Samples::new();
    let mut order: Vec<usize> = (0..progs.len()).collect();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..rounds {
        // A new order each round, so no program always follows the same
        // one; and the same short program right before each measured one,
        // so what precedes a measurement never differs. (A fixed cycle
        // had the plain-Rust baseline always run right after the 4 ms
        // 10,000-statics program, which inflated it and showed savings
        // that cannot be.)
        shuffle(&mut order, &mut seed);
        for &index in &order {
            settle();
            let prog = &progs[index];
            let (wall, printed) = run_once(prog);
            let entry = samples.entry(prog.label.clone()).or_default();
            entry.entry("wall".to_owned()).or_default().push(wall);
            for (key, value) in printed {
                entry.entry(key).or_default().push(value);
            }
        }
    }
    samples
}

/// Fisher–Yates with xorshift64: a fixed sequence of orders from run to
/// run, different each round.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for last in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let pick = usize::try_from(*seed % (last as u64 + 1)).unwrap_or(0);
        order.swap(last, pick);
    }
}

/// The short program run, unmeasured, before every measured one.
fn settle() {
    let _ = Command::new("true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn median(values: &[u64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2] as f64,
        n => (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0,
    }
}

fn sample(samples: &Samples, label: &str, key: &str) -> Vec<u64> {
    samples
        .get(label)
        .and_then(|keys| keys.get(key))
        .cloned()
        .unwrap_or_default()
}

fn med(samples: &Samples, label: &str, key: &str) -> f64 {
    median(&sample(samples, label, key))
}

/// Median of the per-round differences `a - b` (ns) and its 95% sign-test
/// interval: if the interval holds 0, the runs cannot tell `a` from `b`.
fn paired(a: &[u64], b: &[u64]) -> (f64, f64, f64) {
    let mut diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| x as f64 - y as f64)
        .collect();
    diffs.sort_by(f64::total_cmp);
    let n = diffs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let half = 0.98 * (n as f64).sqrt();
    let low = ((n as f64 / 2.0 - half).floor().max(0.0)) as usize;
    let high = ((n as f64 / 2.0 + half).ceil() as usize).min(n - 1);
    let mid = if n % 2 == 1 {
        diffs[n / 2]
    } else {
        (diffs[n / 2 - 1] + diffs[n / 2]) / 2.0
    };
    (mid, diffs[low], diffs[high])
}

/// Output collected for results.md and stdout.
#[derive(Default)]
struct Doc {
    text: String,
}

impl Doc {
    fn line(&mut self, line: impl AsRef<str>) {
        println!("{}", line.as_ref());
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }
}

fn us(ns: f64) -> String {
    format!("{:.1} µs", ns / 1000.0)
}

fn per(ns: f64, n: usize) -> String {
    format!("{:.1}", ns / n as f64)
}

fn ratio(a: f64, b: f64) -> String {
    if b == 0.0 || !a.is_finite() || !b.is_finite() {
        "–".to_owned()
    } else {
        format!("{:.2}x", a / b)
    }
}

const SIZES: [usize; 3] = [1, 1_000, 100_000];

/// Register and run-at-exit wall times, per operation.
fn wall_register_and_run(setup: &Setup, doc: &mut Doc) {
    let mut progs = Vec::new();
    for n in SIZES {
        let n = n.to_string();
        progs.push(setup.ours("fx-ours", &["time", &n, "plain"]));
        progs.push(setup.ours("fx-ours", &["time", &n, "capture"]));
        progs.push(setup.c(&["time", &n]));
        progs.push(setup.ours("peer-libc-atexit", &["time", &n]));
        progs.push(setup.python(&["time", &n]));
        if n != "1" {
            progs.push(setup.ours("fx-ours", &["time2", &n, "plain"]));
            progs.push(setup.ours("fx-ours", &["time2", &n, "capture"]));
            progs.push(setup.c(&["time2", &n]));
            progs.push(setup.ours("peer-libc-atexit", &["time2", &n]));
        }
    }
    let samples = interleaved(&progs, setup.rounds);
    doc.line(format!(
        "\n### Wall time per operation (ns, median of {} interleaved runs)\n",
        setup.rounds
    ));
    doc.line("`reg` = the registration loop / N (N = 1 includes the first registration's one-time work); `reg 2 thr` = 2 threads registering N each at once, wall / 2N; `exit` = end of `main` to the last cleanup / N.\n");
    doc.line("| peer | N | reg | reg 2 thr | exit |");
    doc.line("|---|---:|---:|---:|---:|");
    for n in SIZES {
        let ns = n.to_string();
        let rows = [
            ("ours, plain closure", "fx-ours", "plain"),
            ("ours, capturing closure", "fx-ours", "capture"),
            ("glibc atexit (C)", "glibc-atexit", ""),
            ("libc::atexit from Rust", "peer-libc-atexit", ""),
            ("Python atexit", "python-atexit", ""),
        ];
        for (name, label, kind) in rows {
            let time = format!("{label} time {ns} {kind}").trim().to_owned();
            let time2 = format!("{label} time2 {ns} {kind}").trim().to_owned();
            let two = med(&samples, &time2, "reg_ns");
            doc.line(format!(
                "| {name} | {n} | {} | {} | {} |",
                per(med(&samples, &time, "reg_ns"), n),
                if two.is_nan() {
                    "–".to_owned()
                } else {
                    per(two, 2 * n)
                },
                per(med(&samples, &time, "exit_ns"), n),
            ));
        }
    }
    let mut statics = vec![
        setup.ours("fx-static1", &["time"]),
        setup.ours("peer-dtor", &["time"]),
    ];
    if setup.has_statics10k() {
        statics.push(setup.ours("fx-statics10k", &["first-use"]));
        statics.push(setup.ours("fx-statics10k", &["time"]));
    }
    if setup.has_statics10k_ordered() {
        statics.push(setup.ours("fx-statics10k-ordered", &["time"]));
    }
    let samples = interleaved(&statics, setup.rounds);
    doc.line("\n### Statics (wall, median)\n");
    doc.line("| what | time |");
    doc.line("|---|---:|");
    doc.line(format!(
        "| one `#[at_exit]`: end of `main` to the cleanup | {} |",
        us(med(&samples, "fx-static1 time", "exit_ns"))
    ));
    doc.line(format!(
        "| one `#[dtor]` (dtor crate): end of `main` to the dtor | {} |",
        us(med(&samples, "peer-dtor time", "exit_ns"))
    ));
    if setup.has_statics10k() {
        doc.line(format!(
            "| 10,000 `#[at_exit]`: first use (collect + order), `unregister(\"\")` | {} |",
            us(med(&samples, "fx-statics10k first-use", "collect_ns"))
        ));
        doc.line(format!(
            "| 10,000 `#[at_exit]`: the same call again | {} |",
            us(med(&samples, "fx-statics10k first-use", "second_ns"))
        ));
        doc.line(format!(
            "| 10,000 `#[at_exit]`: end of `main` to the last one (collect + order + run 10,000) | {} |",
            us(med(&samples, "fx-statics10k time", "exit_ns"))
        ));
    }
    if setup.has_statics10k_ordered() {
        doc.line(format!(
            "| 10,000 statics, one ordering constraint in ten: end of `main` to the last one | {} |",
            us(med(&samples, "fx-statics10k-ordered time", "exit_ns"))
        ));
    }
}

/// Whole-process start-to-exit wall time.
fn wall_floor(setup: &Setup, doc: &mut Doc) {
    let base = setup.ours("fx-plain", &["none"]);
    let mut progs = vec![
        base.clone(),
        setup.ours("fx-ours", &["none"]),
        setup.ours("fx-ours", &["run", "1"]),
        setup.ours("fx-static1", &["none"]),
        setup.ours("peer-dtor", &["none"]),
        setup.c(&["none"]),
        setup.c(&["run", "1"]),
        setup.python(&["none"]),
    ];
    if setup.has_statics10k() {
        progs.push(setup.ours("fx-statics10k", &["none"]));
    }
    let rounds = setup.rounds * 3;
    let samples = interleaved(&progs, rounds);
    let base_wall = sample(&samples, &base.label, "wall");
    doc.line(format!(
        "\n### Process floor: spawn to `waitpid` (wall, {rounds} interleaved rounds)\n"
    ));
    doc.line("Difference = median of per-round differences against `fx-plain none` (Rust, no runtime linked), with a 95% sign-test interval; an interval that holds 0 is a difference the runs cannot resolve.\n");
    doc.line("| program | median | difference vs plain Rust | 95% interval |");
    doc.line("|---|---:|---:|---|");
    let names = [
        ("fx-plain none", "Rust, no runtime"),
        ("fx-ours none", "Rust + runtime, zero cleanups"),
        (
            "fx-ours run 1",
            "Rust + runtime, one `register` (arms signals)",
        ),
        ("fx-static1 none", "Rust + runtime, one `#[at_exit]`"),
        ("peer-dtor none", "Rust + dtor, one `#[dtor]`"),
        ("fx-statics10k none", "Rust + runtime, 10,000 `#[at_exit]`"),
        ("glibc-atexit none", "C, empty"),
        ("glibc-atexit run 1", "C, one atexit handler"),
        ("python-atexit none", "Python 3, empty script"),
    ];
    for (label, name) in names {
        let wall = sample(&samples, label, "wall");
        if wall.is_empty() {
            continue;
        }
        let (mid, low, high) = paired(&wall, &base_wall);
        doc.line(format!(
            "| {name} | {} | {} | [{}, {}] |",
            us(median(&wall)),
            us(mid),
            us(low),
            us(high)
        ));
    }
}

/// `kill(SIGTERM)` to `waitpid`, per program, interleaved.
fn signal_latency(setup: &Setup, doc: &mut Doc) {
    let progs = [
        ("C, default disposition", setup.c(&["sigwait"])),
        (
            "Rust, no runtime (default disposition)",
            setup.ours("fx-plain", &["sigwait"]),
        ),
        (
            "runtime, zero cleanups (not armed)",
            setup.ours("fx-ours", &["sigwait", "0"]),
        ),
        (
            "runtime, armed, zero pending",
            setup.ours("fx-ours", &["sigwait-armed"]),
        ),
        (
            "runtime, one cleanup",
            setup.ours("fx-ours", &["sigwait-stamp"]),
        ),
        (
            "Rust, no runtime, one idle extra thread (default disposition)",
            setup.ours("fx-plain", &["sigwait-thread"]),
        ),
    ];
    let rounds = setup.rounds * 3;
    let mut samples: Vec<Vec<u64>> = vec![Vec::new(); progs.len()];
    // Where the time goes with one cleanup: kill to the cleanup starting
    // (handler, pipe, watcher thread, start of the run), and the cleanup to
    // `waitpid` (end of the run, report, re-raise, teardown).
    let mut to_cleanup = Vec::new();
    let mut after_cleanup = Vec::new();
    for round in 0..rounds {
        for k in 0..progs.len() {
            let i = (round + k) % progs.len();
            let (total, stamp) = kill_to_waitpid(&progs[i].1);
            samples[i].push(total.1 - total.0);
            if let Some(stamp) = stamp {
                to_cleanup.push(stamp.saturating_sub(total.0));
                after_cleanup.push(total.1.saturating_sub(stamp));
            }
        }
    }
    let base = &samples[1];
    doc.line(format!(
        "\n### SIGTERM to `waitpid` ({rounds} interleaved rounds)\n"
    ));
    doc.line("| program | median | ratio to Rust default | paired difference [95%] |");
    doc.line("|---|---:|---:|---|");
    for ((name, _), values) in progs.iter().zip(&samples) {
        let (mid, low, high) = paired(values, base);
        doc.line(format!(
            "| {name} | {} | {} | {} [{}, {}] |",
            us(median(values)),
            ratio(median(values), median(base)),
            us(mid),
            us(low),
            us(high)
        ));
    }
    doc.line(format!(
        "\nOne cleanup, split by a clock read in the cleanup: `kill` to the cleanup starting {}, the cleanup to `waitpid` {} (medians).",
        us(median(&to_cleanup)),
        us(median(&after_cleanup))
    ));
}

/// Signals a child that said `ready` and waits for it: the monotonic times
/// of the `kill` and of `waitpid` returning, and the `stamp` the child
/// printed (its cleanup's clock read), if any.
fn kill_to_waitpid(prog: &Prog) -> ((u64, u64), Option<u64>) {
    use std::os::unix::process::ExitStatusExt;
    let mut child = command(prog)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", prog.label));
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the fixture says ready");
    assert_eq!(line.trim(), "ready", "{}", prog.label);
    let began = now_ns();
    // SAFETY: signals our own child, which has not been waited for yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().expect("waitpid");
    let ended = now_ns();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{}", prog.label);
    line.clear();
    let _ = stdout.read_line(&mut line);
    let stamp = line
        .strip_prefix("stamp ")
        .and_then(|s| s.trim().parse().ok());
    ((began, ended), stamp)
}

/// Instructions of one run under callgrind (`toggle`: only inside the
/// functions matching that pattern).
fn instructions(setup: &Setup, prog: &Prog, toggle: Option<&str>) -> u64 {
    let file = setup
        .out
        .join(format!("callgrind.{}.out", prog.label.replace(' ', "_")));
    let mut command = Command::new("valgrind");
    command
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()));
    if let Some(pattern) = toggle {
        command.arg(format!("--toggle-collect={pattern}"));
    }
    let status = command
        .args(&prog.argv)
        .env("PYTHONHASHSEED", "0")
        .env_remove("CLEANUP_REPORT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("valgrind runs");
    assert!(status.success(), "callgrind {} failed", prog.label);
    read_total(&file)
}

fn read_total(file: &Path) -> u64 {
    let text = std::fs::read_to_string(file).expect("callgrind output");
    text.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no totals in {}", file.display()))
}

/// Per-operation instruction counts from mode differences.
fn callgrind_tables(setup: &Setup, doc: &mut Doc) {
    std::fs::create_dir_all(&setup.out).expect("output directory");
    type MakeProg<'a> = Box<dyn Fn(&str, &str) -> Prog + 'a>;
    let peers: Vec<(&str, MakeProg)> = vec![
        (
            "ours, plain closure",
            Box::new(|m, n| setup.ours("fx-ours", &[m, n, "plain"])),
        ),
        (
            "ours, capturing closure",
            Box::new(|m, n| setup.ours("fx-ours", &[m, n, "capture"])),
        ),
        ("glibc atexit (C)", Box::new(|m, n| setup.c(&[m, n]))),
        (
            "libc::atexit from Rust",
            Box::new(|m, n| setup.ours("peer-libc-atexit", &[m, n])),
        ),
        ("Python atexit", Box::new(|m, n| setup.python(&[m, n]))),
    ];
    // counts[peer][(mode, n)]
    let mut counts: Vec<BTreeMap<(String, usize), u64>> = Vec::new();
    for (name, make) in &peers {
        eprintln!("callgrind: {name}");
        let mut table = BTreeMap::new();
        for n in [0, 1, 1_000, 100_000] {
            for mode in ["loop", "reg", "run"] {
                let prog = make(mode, &n.to_string());
                table.insert((mode.to_owned(), n), instructions(setup, &prog, None));
            }
        }
        counts.push(table);
    }
    let get = |table: &BTreeMap<(String, usize), u64>, mode: &str, n: usize| {
        table[&(mode.to_owned(), n)] as f64
    };
    let register = |table: &BTreeMap<(String, usize), u64>, n: usize| {
        (get(table, "reg", n) - get(table, "loop", n)) / n as f64
    };
    let run = |table: &BTreeMap<(String, usize), u64>, n: usize| {
        ((get(table, "run", n) - get(table, "reg", n))
            - (get(table, "run", 0) - get(table, "reg", 0)))
            / n as f64
    };
    doc.line("\n### Instructions per operation (callgrind, exact)\n");
    doc.line("register = (`reg N` − `loop N`) / N; run = ((`run N` − `reg N`) − (`run 0` − `reg 0`)) / N: the exit path's fixed cost is taken out, what each cleanup adds is left. For N = 1 the register figure is the first registration, with its one-time work. Ratios are against glibc `atexit` (C).\n");
    doc.line("| peer | register N=1 | N=1,000 | N=100,000 | vs glibc (100,000) | run N=1 | N=1,000 | N=100,000 | vs glibc (100,000) |");
    doc.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let glibc = &counts[2];
    for ((name, _), table) in peers.iter().zip(&counts) {
        doc.line(format!(
            "| {name} | {:.0} | {:.1} | {:.1} | {} | {:.0} | {:.1} | {:.1} | {} |",
            register(table, 1),
            register(table, 1_000),
            register(table, 100_000),
            ratio(register(table, 100_000), register(glibc, 100_000)),
            run(table, 1),
            run(table, 1_000),
            run(table, 100_000),
            ratio(run(table, 100_000), run(glibc, 100_000)),
        ));
    }
    let ours = &counts[0];
    let python = &counts[4];
    doc.line(format!(
        "\nPython / ours, run per cleanup (N = 100,000): {}; (N = 1,000): {}.",
        ratio(run(python, 100_000), run(ours, 100_000)),
        ratio(run(python, 1_000), run(ours, 1_000)),
    ));
    doc.line(format!(
        "Fixed cost of our exit path with nothing registered (`run 0` − `reg 0`): {:.0} instructions; glibc's: {:.0}.",
        get(ours, "run", 0) - get(ours, "reg", 0),
        get(glibc, "run", 0) - get(glibc, "reg", 0),
    ));

    let floor = [
        ("Rust, no runtime", setup.ours("fx-plain", &["none"])),
        (
            "Rust + runtime, zero cleanups",
            setup.ours("fx-ours", &["none"]),
        ),
        (
            "Rust + runtime, one `register`",
            setup.ours("fx-ours", &["run", "1"]),
        ),
        (
            "Rust + runtime, one `#[at_exit]`",
            setup.ours("fx-static1", &["none"]),
        ),
        (
            "Rust + dtor, one `#[dtor]`",
            setup.ours("peer-dtor", &["none"]),
        ),
        ("C, empty", setup.c(&["none"])),
        ("Python 3, empty script", setup.python(&["none"])),
    ];
    doc.line("\n### Whole-process instructions (callgrind)\n");
    doc.line("| program | instructions | difference vs Rust without the runtime |");
    doc.line("|---|---:|---:|");
    let mut base = None;
    for (name, prog) in &floor {
        let total = instructions(setup, prog, None);
        let base = *base.get_or_insert(total);
        doc.line(format!(
            "| {name} | {total} | {:+} |",
            total as i64 - base as i64
        ));
    }
    if setup.has_statics10k() {
        let prog = setup.ours("fx-statics10k", &["first-use"]);
        let collect = instructions(setup, &prog, Some("*Entries*collect_statics*"));
        let whole = instructions(setup, &setup.ours("fx-statics10k", &["none"]), None);
        doc.line(format!(
            "| Rust + runtime, 10,000 `#[at_exit]` (start, collect, run all, exit) | {whole} | {:+} |",
            whole as i64 - base.unwrap_or(0) as i64
        ));
        doc.line(format!(
            "\nCollecting and ordering 10,000 statics (`Entries::collect_statics`, run by the first lock of the registry; inclusive): {collect} instructions."
        ));
        if setup.has_statics10k_ordered() {
            let ordered =
                instructions(setup, &setup.ours("fx-statics10k-ordered", &["none"]), None);
            let planned = instructions(
                setup,
                &setup.ours("fx-statics10k-ordered", &["none"]),
                Some("*Entries*put_planned_last*"),
            );
            doc.line(format!(
                "\nOrdering constraints, 10,000 statics with one constraint in ten (`fx-statics10k-ordered none`: 1,000 named `#[cleanup]`s and 1,000 `#[at_exit(after = ...)]`): {ordered} instructions for the whole process, {:+} against `fx-statics10k` ({:+.1} per cleanup, the 1,000 names' own cost included); the planned path at exit (`Entries::put_planned_last`, inclusive: one plan and the 10,000 steps' choice) {planned} instructions, {:.1} per cleanup.",
                ordered as i64 - whole as i64,
                (ordered as f64 - whole as f64) / 10_000.0,
                planned as f64 / 10_000.0,
            ));
        }
    }
}

fn main() {
    let setup = Setup::from_args();
    std::fs::create_dir_all(&setup.out).expect("output directory");
    let mut doc = Doc::default();
    doc.line("## Process-level results (benches/src/bin/driver.rs)");
    wall_register_and_run(&setup, &mut doc);
    wall_floor(&setup, &mut doc);
    signal_latency(&setup, &mut doc);
    if setup.callgrind {
        callgrind_tables(&setup, &mut doc);
    } else {
        doc.line("\n(callgrind skipped: no valgrind, or --no-callgrind)");
    }
    let mut text = String::new();
    let _ = write!(text, "{}", doc.text);
    let path = setup.out.join("results.md");
    std::fs::write(&path, text).expect("results.md");
    eprintln!("written: {}", path.display());
}
