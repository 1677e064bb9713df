//! Run cleanups exactly once when the process ends, however it ends.
//!
//! Say once, anywhere in any crate of the program, "run this when the
//! process ends" — and it runs when `main` returns, when
//! `std::process::exit` is called from any thread, or when a panic unwinds
//! out of `main`: once, last registered first, each failure isolated and
//! reported. `Drop` guards cannot promise that (`process::exit` skips
//! them), `#[dtor]` gives no order and no error isolation, and
//! `libc::atexit` takes no closures and reports nothing.
//!
//! # Declare cleanups on functions
//!
//! ```standalone_crate
//! use cleanup_runtime::{at_exit, cleanup};
//!
//! #[at_exit] // named after its path: "my_app::flush_metrics" in a crate my_app
//! fn flush_metrics() {
//!     println!("metrics flushed");
//! }
//!
//! #[cleanup(name = "close-db")] // named: can be replaced or unregistered by name
//! fn close_db() -> Result<(), std::io::Error> {
//!     Ok(())
//! }
//!
//! fn main() {
//!     flush_metrics(); // still an ordinary function
//! } // both run here, close-db first (declared later)
//! ```
//!
//! The attributes go on free functions with no parameters, not `async`
//! (unless feature `tokio` is on: async cleanups), not generic, returning `()` or `Result<(), E>` with `E: Display`; anything
//! else is a compile error pointing at the offending token. On a method or
//! an associated function rustc itself answers first, "cannot find value
//! `name` in this scope": an attribute sees only the function it is on,
//! not the `impl` around it, so it cannot say more. Declare a free
//! function that calls the associated one. They work in
//! library crates too: a library's cleanups run in every program that links
//! it, with no set-up call, and in `cdylib`s and `dylib`s (a Python
//! extension, a plugin): their cleanups run when the host process exits.
//! In a `staticlib`, link the archive whole or its cleanups may be left
//! out: a C linker takes from an archive only the object files whose
//! symbols the program uses, and a cleanup sits in its own module's
//! object. `cc main.c -Wl,--whole-archive libyours.a
//! -Wl,--no-whole-archive` followed by the libraries `rustc --print
//! native-static-libs` lists (Apple ld: `-Wl,-force_load,libyours.a`;
//! MSVC: `/WHOLEARCHIVE:yours.lib`). In a `proc-macro` crate, whose code
//! runs inside the compiler, either attribute is a compile error. Every
//! edition is served, 2015 included (`async fn` needs 2018 or later). An
//! option may come through a `macro_rules!` fragment (`$n:literal`,
//! `$x:expr`, `$p:path`, `$t:tt`): it means what the tokens written out
//! mean.
//! Two `#[cleanup]`s with the same name fail to build: to assemble or to
//! link within one crate, to link across crates, with an error that names
//! the cleanup and where it was declared. The error comes from the
//! assembler or the linker, the only tools that see both declarations,
//! so it reads as theirs: `symbol 'cleanup-runtime: duplicate cleanup
//! name "close-db"' is already defined`, with `declared at file:line`.
//!
//! **Doctests.** Since edition 2024 rustdoc builds a crate's doctests into
//! one binary, so every doctest process links — and at its exit runs —
//! the `#[at_exit]` and `#[cleanup]` functions of all the others. Mark a
//! doctest that declares cleanups ```` ```standalone_crate ```` to give it
//! a binary of its own, as the examples on this page do.
//!
//! # Register at run time
//!
//! ```
//! let handle = cleanup_runtime::register(|| println!("bye"));
//! cleanup_runtime::register_named("flush-cache", || println!("cache flushed"));
//! cleanup_runtime::register_named("flush-cache", || println!("replaced, same place"));
//! assert!(cleanup_runtime::unregister("flush-cache"));
//! assert!(handle.unregister());
//!
//! cleanup_runtime::register(|| Err::<(), _>("disk full"));
//! let report = cleanup_runtime::run_now(); // run everything now, LIFO
//! assert_eq!(report.failures().count(), 1);
//! ```
//!
//! A closure that uses `?` must name its error type, which Rust cannot
//! infer from `?` alone: end it with `Ok::<(), E>(())`. One that only
//! panics must say it returns `()`, since `|| panic!()` returns `!`:
//!
//! ```
//! cleanup_runtime::register(|| {
//!     let directory = std::env::current_dir()?;
//!     println!("ended in {}", directory.display());
//!     Ok::<(), std::io::Error>(())
//! });
//! cleanup_runtime::register(|| -> () { panic!("caught, reported, the rest go on") });
//! # let report = cleanup_runtime::run_now();
//! # assert_eq!(report.failures().count(), 1);
//! ```
//!
//! [`exit`] runs the cleanups and ends the process with a status; from
//! inside a cleanup it lets the remaining cleanups run first.
//!
//! # Order
//!
//! One sequence per process, run highest number first (LIFO). Static
//! cleanups count as registered before `main`: the libraries' first, then
//! the program's own, each by module path, then file, line and column — so
//! within one module in source order, and the same from build to build
//! (`inventory`'s own order is not). The program's own are those of the
//! crate cargo builds as the executable (a binary or example,
//! `CARGO_BIN_NAME`) or test harness (`cfg(test)`); numbered last, they run
//! first, so a program's cleanups run before those of the libraries they
//! use, the reverse of set-up, as C++ and Python tear down. Between two
//! libraries the module paths decide: the order is fixed but says nothing
//! of which uses which, so a library that needs another's cleanup name it
//! (below). Outside cargo every crate counts as a library. The position
//! is that of the function's name where it is written: for cleanups that a
//! `macro_rules!` declares, in the macro's body (or at the call, for a name
//! passed in), so they keep the order the macro has them in. Run-time
//! registrations get the next numbers. A named replacement keeps the number
//! of the entry it replaces. A cleanup registered while cleanups run gets
//! the next number, so it runs next.
//!
//! ## Ordering constraints: `after` and `before`
//!
//! Between libraries, sequence numbers are an accident of module paths.
//! Where the order matters, say so by name, as systemd units do with `After=` and
//! `Before=`: `after = "name"` (or a list, `after = ["a", "b"]`) and
//! `before = ...` on `#[cleanup]` and `#[at_exit]`, or [`Cleanup::after`]
//! and [`Cleanup::before`] at run time. A name is a string literal or a
//! path to a `const` of type `&str`, which a library can publish so that
//! its dependents do not repeat (or misspell) it: `before = db::POOL`,
//! `after = [crate::names::HTTP, "jobs"]`. A library that owns a pool:
//!
//! ```text
//! // crate `db`
//! pub const POOL: &str = "db-pool";
//! #[cleanup(name = "db-pool")]
//! fn close_pool() { /* ... */ }
//! ```
//!
//! and the application whose cleanup writes through it:
//!
//! ```standalone_crate
//! # mod db { pub const POOL: &str = "db-pool"; #[cleanup_runtime::cleanup(name = "db-pool")] pub fn close_pool() { println!("pool closed"); } }
//! use cleanup_runtime::cleanup;
//!
//! // Runs before the pool closes, whatever the module paths say.
//! #[cleanup(name = "flush-orders", before = db::POOL)]
//! fn flush_orders() {
//!     println!("orders flushed");
//! }
//!
//! fn main() {
//!     // Run-time ones too, registered with their constraints in one step.
//!     cleanup_runtime::Cleanup::new(|| println!("cache dropped"))
//!         .name("cache")
//!         .after("db-pool")
//!         .before("log-sink") // no "log-sink" anywhere: ignored, and a warning
//!         .register();
//!     let report = cleanup_runtime::run_now(); // what exit would do
//!     let names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
//!     assert_eq!(names, ["flush-orders", "db-pool", "cache"]);
//! }
//! ```
//!
//! The rule: the run takes, among the pending cleanups whose `after`
//! targets have all run (or are not pending), the one with the highest
//! sequence number; `before = "x"` on A is `after = "A"` on x. So:
//!
//! - With no constraint it is LIFO, as above, at no measurable cost.
//! - Constraints name names (`#[cleanup(name = ...)]`, [`register_named`]);
//!   an unnamed cleanup can constrain itself but not be named. A name that
//!   is not pending is ignored: one already run or unregistered, silently;
//!   one no cleanup of the process ever had (a misspelling, or an optional
//!   part the program did not set up) with one line on stderr and an entry
//!   in the report's [`warnings`](Report::warnings), when the run plans. A
//!   named replacement is what others wait for; its own run-time
//!   constraints leave with the replaced entry.
//! - They hold on every path: exit, signals, [`run_now`], the deadline's
//!   `skipped` list, and for cleanups registered while the run goes on;
//!   [`report`]`().pending()` lists the planned order.
//! - A cycle (A after B, B after A) never hangs or panics: it gets one line
//!   on stderr naming its members and an entry in the report's
//!   [`warnings`](Report::warnings), and its members run in LIFO order
//!   among themselves (their constraints to others still hold).
//! - In the attributes, a value that is neither a string literal nor a
//!   path, a path to anything but a `&str` `const`, an empty name, and a
//!   cleanup ordered against its own name are compile errors.
//!
//! # When cleanups run
//!
//! Exactly once per process, on the first of these:
//!
//! | the process ends by | cleanups | the process then ends with |
//! |---|---|---|
//! | `main` returning | run | `main`'s status |
//! | `std::process::exit(n)`, any thread | run | `n` |
//! | [`exit(n)`](exit), any thread | run | `n` |
//! | a panic unwinding out of `main` | run | 101 |
//! | several threads calling `exit` at once | run once | the first caller's status |
//! | `SIGINT`, `SIGTERM`, `SIGHUP` (feature `signals`, default) | run, on a normal thread | death by the same signal (as PID 1: status `128 + signal`) |
//! | the first such signal while cleanups already run (`main` returned, `exit`, a panic) | the run finishes (bounded by the deadline), report written | death by that signal |
//! | a second such signal while cleanups run | the run is cut short | death by that signal, at once |
//! | such a signal once the program listens ([`shutdown`]) | not yet: the program is woken and has the grace period (10 s) to end on its own; then on its path | the program's status; after the grace or a second signal, death by the signal |
//! | a signal the program handles itself | not on the signal; when the program ends the process | whatever the program does |
//! | a signal ignored by the parent (`nohup`) | not on the signal: it stays ignored | — |
//! | a panic in a `panic = "abort"` build | run, from the panic hook | `SIGABRT`, as before |
//! | the deadline passing (`CLEANUP_DEADLINE`, [`set_deadline`]) | the running one `timeout`, the rest `skipped` | the status (or signal) it was ending with, once the report is written (2 s at most) |
//! | `SIGKILL`, `abort()`, `_exit`, power loss | **never** | — |
//!
//! ## Signals
//!
//! Our handler is installed only where the default action is in place, and
//! only once there is something to clean up (the first run-time
//! registration, or before `main` when the program has `#[at_exit]` or
//! `#[cleanup]` functions); it only wakes a watcher thread, which runs the
//! cleanups, writes the report, restores the default action and raises the
//! signal again (with nothing left to clean up, the handler takes the
//! default action itself, at once) — so shells and supervisors see the true cause. The crate
//! never changes what a signal does to a program except to run the
//! cleanups first: a signal the program (or any crate) handles itself —
//! with `signal-hook`, `tokio::signal`, `ctrlc` or `sigaction`, before or
//! after us — belongs to the program, and ours stands aside for it, even
//! when the program's handler chains to ours. Leave signals alone entirely
//! with `CLEANUP_SIGNALS=off`, [`leave_signals_alone`], or
//! `default-features = false`.
//!
//! The thread that acts on signals is the runtime's own, and keeps the
//! per-thread rules of the thread that created it. A program that
//! sandboxes itself (a seccomp filter without `TSYNC`, Landlock, dropped
//! capabilities, `no_new_privs`, `unshare(CLONE_NEWUSER)`) does it inside
//! [`signals::pause`]: the thread is gone meanwhile, and the one started
//! when the guard drops is inside the new rules. Without that, after a
//! signal the runtime compares its thread with the main thread and, where
//! its own is outside the program's rules, runs no cleanup there (it says
//! so on stderr and in the report): a cleanup is never a way around the
//! sandbox. [`signals`] lists every thread the runtime starts, and when.
//!
//! A server, worker or daemon that must drain first listens for shutdown
//! ([`shutdown::wait`], or [`shutdown::requested`] in `tokio::select!`):
//! the signal then wakes it instead of running the cleanups under it; it
//! drains and returns, and the cleanups run after, with its status. See
//! [`shutdown`].
//!
//! ## Deadlines and timeouts
//!
//! A hung cleanup cannot hold a shutdown hostage. `CLEANUP_DEADLINE=300ms`
//! (or [`set_deadline`]) bounds the whole final run; past it the report is
//! still written and the process ends. Nothing a cleanup or another thread
//! holds can stop that: the runtime never takes std's stdout or stderr
//! locks at exit (it writes with `write(2)` on fd 2), and the report gets
//! at most 2 s after the deadline — a stderr pipe nobody reads or a hung
//! file system then ends the process without the rest of it.
//! `#[cleanup(name = "...", timeout = "2s")]` (or [`Cleanup::timeout`])
//! abandons one slow cleanup and goes on with the rest; such a cleanup runs
//! on a thread of its own.
//!
//! ## `fork`
//!
//! A cleanup runs only in the process that registered it: a forked child
//! does not run (or report) its parent's cleanups — it must not remove the
//! parent's pid file — while the cleanups it registers itself run as usual.
//! A daemon that goes on in the child takes its parent's cleanups over with
//! [`adopt_after_fork`].
//!
//! # Faults
//!
//! - A cleanup that panics or returns `Err`: the message goes to stderr and
//!   into the report, the others run, the exit status is unchanged.
//! - A cleanup that calls [`exit(code)`](exit): the remaining cleanups still
//!   run, then the process ends with `code`.
//! - A cleanup that calls `std::process::exit` during the run at exit: no
//!   hang and no abort, nothing runs twice, the remaining cleanups still
//!   run, and the process ends with the status it was already ending with —
//!   std drops the nested call's code before anyone can see it. Use
//!   [`exit`] inside a cleanup to change the status.
//! - A cleanup that calls `libc::exit(code)` directly: as with [`exit`].
//! - A cleanup registered while cleanups run: runs before the process ends.
//!   The run always ends: a registration from another thread than the
//!   run's is run in it, and that thread is parked for good (as std parks a
//!   second caller of `exit`), so threads that never stop registering add
//!   one cleanup each and cannot hold the exit. See
//!   [`register`](register#while-the-process-ends).
//! - A cleanup registered after the run at exit is over (by an `atexit`
//!   handler installed before the runtime's, or a thread racing the end):
//!   never lost silently — it runs at once on the registering thread, with
//!   a line on stderr.
//! - Several threads ending the process at once: each cleanup runs once,
//!   and the process does not end until the run is done.
//! - A program started with fd 0, 1 or 2 closed (`cmd >&- 2>&-`): the
//!   runtime never takes them for itself, and no byte written where it
//!   listens for signals is taken for one.
//! - A process started with elevated privileges (set-user-ID,
//!   set-group-ID, file capabilities: `AT_SECURE`, as glibc's
//!   `secure_getenv`): no `CLEANUP_*` variable is read, since whoever
//!   started it controls its environment; one line on stderr says so if
//!   one was set. The API ([`set_deadline`], [`leave_signals_alone`]) still
//!   works.
//!
//! # The report
//!
//! Every run produces a [`Report`]: each cleanup's name, sequence number,
//! source `file:line`, [`EntryStatus`], error text and duration, in run order.
//! [`run_now`] returns it; [`report`] shows what ran and what is pending. At
//! exit, the `CLEANUP_REPORT` environment variable chooses where it goes:
//!
//! | value | effect |
//! |---|---|
//! | unset | only failures, one line each, on stderr |
//! | `off` | nothing |
//! | `text` / `json` | the whole report on stderr |
//! | `text:PATH` / `json:PATH` | the whole report in PATH, written whole or not at all |
//!
//! A value not in the table gets one line on stderr and the default. Writing
//! the report never panics, even with stderr closed or the disk full. A
//! process that never had a cleanup (nothing registered, no `#[at_exit]`
//! or `#[cleanup]` linked in) and never listened for shutdown writes none:
//! the runtime sets nothing up until the first cleanup or the first
//! listen, so that linking it costs a program that uses none nothing at
//! start-up or exit. A program that listens writes one on every path,
//! even with no cleanup: its `shutdown_signal` and how it ended are what a
//! service's operator looks for.
//!
//! The JSON form is one object: `{"trigger": "exit"|"signal"|"panic"|"manual",
//! "status": int|null, "signal": int|null, "shutdown_signal": int|null, "warnings": [str],
//! "entries": [{"name", "sequence",
//! "source", "status": "ok"|"error"|"panic"|"timeout"|"skipped", "error",
//! "duration_ns"}], "pending": [{"name", "sequence", "source"}]}`.
//! `trigger` is `"panic"` for a panic out of `main` when the runtime saw it
//! (its panic hook is installed at the first use of the API; a program that
//! only declares static cleanups, or replaces the panic hook afterwards,
//! reports `"exit"` with status 101). `shutdown_signal` is the first
//! handled `SIGINT`, `SIGTERM` or `SIGHUP` that arrived, whether or not the
//! program listened for it ([`shutdown`]), also when the program then ended
//! on its own (`"trigger": "exit"`, its own status).
//!
//! A closure passed to [`register`] is named after the function it was
//! written in: `closure in app::main` (also when written inside another
//! closure, or in `#[tokio::main] async fn main`, whose body the macro
//! wraps in an async block), its `file:line` beside it.
//!
//! ## `tracing` events (feature `tracing`)
//!
//! Services read their logs, not stderr: with feature `tracing`, each
//! cleanup's outcome is also a `tracing` event of target `cleanup_runtime`
//! (message `cleanup ok` at DEBUG, `cleanup failed` at WARN; fields `name`,
//! `sequence`, `source`, `status`, `duration`, `error`), inside an INFO
//! span `cleanup_run` for the run (fields `trigger`, `status`, `signal`).
//! Each event is emitted as soon as its cleanup has ended, outside the
//! registry lock; without the feature, none of this is compiled in.
//!
//! The edge: an event emitted after the subscriber's own guard has been
//! dropped (a `tracing_appender` `WorkerGuard` kept with [`drop_at_exit`],
//! whose cleanup flushes and stops the writer) may be lost — its own event
//! and those of every cleanup after it. Make the guard's cleanup the last
//! to run. Registered before any other run-time cleanup — `drop_at_exit(guard)`,
//! or `register_named("log-guard", move || drop(guard))`, at the top of
//! `main` — it runs after all of them; static cleanups (`#[at_exit]`,
//! `#[cleanup]`) run after every run-time one, so give those whose events
//! matter `before = "log-guard"` (an [ordering
//! constraint](crate#ordering-constraints-after-and-before)). Events
//! are also not emitted for the cleanups a passed deadline cut short or
//! skipped: the report has them, and a subscriber must not be able to hold
//! the process past its deadline.
//!
#![cfg_attr(feature = "tokio", doc = include_str!("../docs/ASYNC.md"))]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Helpers
//!
//! Ready-made cleanups for what `Drop` alone leaves behind on
//! `std::process::exit` and on signals. Each is built on [`register`] /
//! [`register_named`], so it runs in LIFO order with every other cleanup,
//! on every path in the table above, within the deadline, only in the
//! process that made it (not in a forked child), and is in the report.
//!
//! | helper | what it keeps its promise about |
//! |---|---|
//! | [`temp::dir`], [`temp::file`], [`temp::track`] | temp paths removed (owner-only permissions; never following a symlink out of the tree) |
//! | [`pidfile::PidFile`] | a pid file locked for the process's life, refused to a second instance, removed only while it holds our pid |
//! | [`drop_at_exit`] | any `Send + 'static` value dropped: `BufWriter`s flushed, logging guards drained |
//! | [`ResourceGuard`] | a resource released exactly once: on `release()`, on drop, or at exit |
//! | [`logging`] | with feature `log`, the global logger flushed as the very last cleanup |
//!
//! ```
//! use std::io::{BufWriter, Write};
//!
//! let workspace = cleanup_runtime::temp::dir()?;
//! let pid_file = cleanup_runtime::pidfile::PidFile::create(workspace.join("tool.pid"))?;
//! let file = std::fs::File::create(workspace.join("tool.log"))?;
//! let log = cleanup_runtime::drop_at_exit(BufWriter::new(file));
//! log.with(|out| writeln!(out, "started as {}", pid_file.pid()));
//! // However the process ends now, the log is flushed, then the pid file
//! // and the workspace are removed.
//! # let report = cleanup_runtime::run_now();
//! # assert_eq!(report.failures().count(), 0);
//! # assert!(!workspace.exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Testing
//!
//! The registry is process-wide, and `cargo test` runs tests as threads
//! of one process: [`run_now`] and [`clear`] act on every test's
//! cleanups and on the `#[at_exit]`/`#[cleanup]` functions of every crate
//! linked in, and [`report`]`().pending()` lists them all. A unit test
//! checks the one registration it made through its [`Handle`]:
//! [`Handle::run`] runs that cleanup now, once, as the exit would, and
//! returns its [`EntryReport`]; [`Handle::is_pending`] says whether it is
//! still waiting. Nothing else is touched, under `cargo test`'s threads as
//! under `cargo nextest`'s process per test.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("testing-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let owned = dir.clone();
//! let cleanup = cleanup_runtime::register(move || std::fs::remove_dir_all(&owned));
//!
//! let entry = cleanup.run().expect("pending");
//! assert!(!entry.status().is_failure());
//! assert!(!dir.exists());
//! assert!(!cleanup.is_pending(), "it will not run again at exit");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! What happens at exit (order, status, signals, the report) is tested in
//! a process of its own: a binary the test spawns
//! (`env!("CARGO_BIN_EXE_<name>")`) and whose output, status and report
//! (`CLEANUP_REPORT=json:PATH`) it checks. README.md, "Testing", has the
//! details.
//!
//! # Features
//!
//! | feature | default | what it adds | crates it adds |
//! |---|---|---|---|
//! | `signals` | yes | SIGINT, SIGTERM, SIGHUP (Windows: console events) run the cleanups | none |
//! | `temp` | yes | [`temp`] | `rustix` (Unix) |
//! | `pidfile` | yes | [`pidfile`] (Unix) | `rustix` (the same as `temp`) |
//! | `serde` | no | `serde::Serialize` (serde 1) on [`Report`] and its parts, as in [`Report::to_json`] | `serde_core` |
//! | `log` | no | [`logging`]: the `log` 0.4 logger flushed last | `log` |
//! | `tokio` | no | async cleanups on a tokio 1 runtime of the crate's own | `tokio` |
//! | `tracing` | no | each cleanup's outcome as a `tracing` 0.1 event | `tracing` |
//! | `systemd` | yes | systemd's stop protocol under `Type=notify` (Linux): `STOPPING=1`, `EXTEND_TIMEOUT_USEC`, `STATUS=`; nothing when `NOTIFY_SOCKET` is unset (see [`shutdown`]) | `sd-notify` (Linux) |
//!
//! With `default-features = false` the attributes, run-time registration,
//! the exit path, the report (its JSON form included: the crate writes it
//! itself), [`ResourceGuard`] and [`drop_at_exit`] are all there, and a
//! build compiles five crates besides your own: this one, its attributes
//! (`cleanup-macros`, which depends on nothing), `inventory`, `libc` and
//! `errno`; the default features add `rustix` (with `bitflags` and
//! `linux-raw-sys`) and, on Linux, `sd-notify`. Add back only the
//! features you use.
//!
//! ## Stability
//!
//! A feature that names a dependency makes that dependency's major part
//! of this crate's API, and it stays fixed within a major release of this
//! crate: serde 1 (`serde`), log 0.4 (`log`), tokio 1 (`tokio`: the
//! futures `register_async` takes, the runtime its cleanups may use),
//! tracing 0.1 (`tracing`: the events a subscriber receives). A new major
//! of one of them would come as a feature of its own (`tokio2`) or with a
//! new major of this crate.
//!
//! What other programs read is stable within a major release: the JSON
//! report's keys and what they mean, the names of the statuses and
//! triggers (`ok`, `error`, `panic`, `timeout`, `skipped`; `exit`,
//! `signal`, `panic`, `manual`), and the `tracing` events' target, names
//! and fields. Keys, statuses and fields may be added: read them as the
//! Rust enums are declared, `#[non_exhaustive]`. The text report, the
//! warnings' wording and the lines on stderr are for people and may change
//! in any release; a program matches on [`Warning`], not on its text.
//!
//! ## One runtime per process
//!
//! A process has one runtime: one registry, one exit hook, one set of
//! signal handlers. Two copies of this crate in one program (a library on
//! 0.x beside an application on 1.x) would each install their hooks, and
//! on Unix the second copy's signal handlers would stand aside for the
//! first's, so its cleanups would never run on a signal. The crate
//! declares `links = "cleanup_runtime"` (with an empty build script), and
//! cargo refuses such a build when it resolves dependencies, naming both
//! copies: move every crate to one major. A last release of an old major
//! may depend on the new one and re-export it (the "semver trick") if it
//! leaves `links` out. A `cdylib` built on its own, with its own copy,
//! and loaded into a program that has one too is beyond cargo's sight:
//! two runtimes then share the process.
//!
//! # Hazards
//!
//! Cleanups run at the edge of the process's life: inside the C library's
//! `exit`, on a signal watcher thread, or in a panic hook.
//!
#![doc = include_str!("../docs/HAZARDS.md")]
//!
//! # Platforms
//!
//! Tested on Linux with glibc, whose `on_exit` tells the runtime the exit
//! status. On musl, Android, macOS, iOS and the BSDs the runtime uses
//! `atexit`, which does not: the report's [`exit_status`](Report::exit_status) is
//! `None` there. Building with `RUSTFLAGS="--cfg cleanup_runtime_portable"`
//! makes Linux take that path (and the other Unixes' thread, privilege and
//! pipe code); it is a testing aid, which CI runs the end-to-end suite
//! under, not a feature to ship.
//!
//! On Windows the exit hook is the C runtime's `atexit` and the signals
//! are console control events (Ctrl-C, Ctrl-Break, the console closing,
//! system shutdown). There `std::process::exit` is `ExitProcess`, which
//! skips `atexit` handlers: the cleanups do not run after it, so call
//! [`exit`] instead. `pidfile` and `adopt_after_fork` are Unix-only.
//! PORTABILITY.md in the repository has the per-target details, and how
//! each target was checked.

// Folders by layer; lowest first: base, report, registry, run, signals,
// process, helpers. A folder imports only folders before it in that order
// (ARCHITECTURE.md); the one way up is the `SET_UP` table below.
#[macro_use]
mod cfg;
mod base;
mod helpers;
mod process;
mod registry;
mod report;
mod run;
pub mod shutdown;
pub mod signals;

// At the root, not in a layer's folder: compiler messages about a
// cleanup's return type quote these files' paths (the trybuild `.stderr`
// files under `tests/ui/`). `outcome` is a leaf any layer may use;
// `__private` (below) is the macros' entry point and may use any layer.
mod outcome;

pub use helpers::logging;
#[cfg(all(unix, feature = "pidfile"))]
#[cfg_attr(docsrs, doc(cfg(all(unix, feature = "pidfile"))))]
pub use helpers::pidfile;
#[cfg(feature = "temp")]
#[cfg_attr(docsrs, doc(cfg(feature = "temp")))]
pub use helpers::temp;

/// The calls from the lower layers up into `process/`, wired here (see
/// [`base::set_up`]).
pub(crate) const SET_UP: base::set_up::SetUp = base::set_up::SetUp {
    activate: process::activate,
    watch_panics: process::panic_hook::install_once,
};

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(doctest)]
mod readme;

/// Declares a cleanup on a function: it runs once when the process ends,
/// in the sequence described in the [crate docs](crate#order).
///
/// Options: `after = "name"` / `after = ["a", "b"]` and `before = ...`,
/// to run after or before the named cleanups
/// ([ordering constraints](crate#ordering-constraints-after-and-before));
/// for a name or a timeout, use [`#[cleanup]`](macro@cleanup).
///
/// `crate = ::path` (on both attributes) says where this crate is when it
/// is not `::cleanup_runtime`: renamed in Cargo.toml (`exitclean = {
/// package = "cleanup-runtime", ... }` → `crate = ::exitclean`), or
/// re-exported by another crate (`pub use cleanup_runtime as rt;` in
/// `framework` → `#[framework::rt::at_exit(crate = ::framework::rt)]`).
/// The generated code names only `<path>::__private`.
///
/// ```standalone_crate
/// use cleanup_runtime as rt;
///
/// #[rt::at_exit(crate = ::cleanup_runtime)]
/// fn flush() {}
///
/// fn main() {
///     assert_eq!(rt::run_now().entries()[0].name(), "rust_out::flush");
/// }
/// ```
///
/// ```standalone_crate
/// use cleanup_runtime::at_exit;
///
/// #[at_exit]
/// fn flush_metrics() {
///     println!("metrics flushed");
/// }
///
/// fn main() {
///     let report = cleanup_runtime::run_now(); // what exit would do
///     assert_eq!(report.entries()[0].name(), "rust_out::flush_metrics");
/// }
/// ```
#[doc(inline)]
pub use cleanup_macros::at_exit;

/// Declares a named cleanup on a function; the name can be replaced with
/// [`register_named`] or removed with [`unregister`].
///
/// Options: `name = "..."` (required), `timeout = "2s"`, and
/// `after = ...` / `before = ...` with a name or a list of names
/// ([ordering constraints](crate#ordering-constraints-after-and-before)),
/// and `crate = ::path` where this crate is renamed or re-exported (see
/// [`#[at_exit]`](macro@at_exit)).
///
/// ```standalone_crate
/// use cleanup_runtime::cleanup;
///
/// #[cleanup(name = "close-db")]
/// fn close_db() -> Result<(), std::io::Error> {
///     Ok(())
/// }
///
/// #[cleanup(name = "drain", timeout = "2s")]
/// fn drain() {}
///
/// #[cleanup(name = "metrics", before = ["close-db", "drain"])]
/// fn metrics() {}
///
/// fn main() {
///     assert!(cleanup_runtime::unregister("drain"));
///     let report = cleanup_runtime::run_now();
///     let names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
///     assert_eq!(names, ["metrics", "close-db"]);
/// }
/// ```
#[doc(inline)]
pub use cleanup_macros::cleanup;
pub use helpers::drop_at_exit::{Kept, drop_at_exit};
pub use helpers::guard::ResourceGuard;
pub use outcome::CleanupResult;
pub use registry::builder::Cleanup;
pub use registry::registration::{Handle, clear, register, register_named, unregister};
pub use report::{
    EntryReport, EntryStatus, ParseNameError, PendingEntry, Report, ReportDestination,
    ReportFormat, Side, Trigger, Warning,
};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use run::async_registration::register_async;

/// Runs every pending cleanup now, last registered first, and returns what
/// happened. Each one runs once and is removed; cleanups registered
/// afterwards run at exit as usual.
///
/// Called while the process ends (from a cleanup at exit, or from another
/// thread meanwhile), it runs the cleanups still pending, and what it ran
/// is also in the report at exit, just before the cleanup that was running
/// when it returned (for a cleanup that calls `run_now`, that is the caller:
/// the nested ones ended first). It is then not in [`report`]'s history of
/// manual runs, so nothing is listed twice.
///
/// ```
/// cleanup_runtime::register(|| println!("flushed"));
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.trigger(), cleanup_runtime::Trigger::Manual);
/// assert_eq!(report.entries().len(), 1);
/// assert!(cleanup_runtime::run_now().entries().is_empty(), "nothing runs twice");
/// ```
///
/// **The application's call.** It runs every crate's cleanups, the
/// `#[at_exit]` and `#[cleanup]` functions of the libraries linked in
/// included: a library that calls it closes what other crates still use.
/// A library (and a test, see the crate docs, "Testing") runs what it
/// registered itself with [`Handle::run`].
pub fn run_now() -> Report {
    process::panic_hook::install_once();
    run::runner::run_now()
}

/// What ran so far in this process (through [`run_now`], or at exit when
/// asked from a cleanup) and what is still pending, in the order it would
/// run.
///
/// Of the cleanups [`run_now`] ran, only the most recent 1,000 are kept
/// (oldest first), so a service that calls `run_now` again and again does
/// not grow; each call's own report is whole. At exit, everything the
/// final run did so far follows them.
///
/// ```
/// cleanup_runtime::register_named("close-db", || {});
/// let report = cleanup_runtime::report();
/// assert_eq!(report.pending()[0].name(), "close-db");
/// assert!(report.entries().is_empty());
/// # cleanup_runtime::clear();
///
/// for i in 0..1_500 {
///     cleanup_runtime::register_named(&format!("request-{i}"), || {});
///     cleanup_runtime::run_now();
/// }
/// let history = cleanup_runtime::report();
/// assert_eq!(history.entries().len(), 1_000);
/// assert_eq!(history.entries().last().unwrap().name(), "request-1499");
/// ```
#[must_use = "`report()` only looks; to run the pending cleanups, call `run_now()`"]
pub fn report() -> Report {
    process::panic_hook::install_once();
    run::runner::snapshot()
}

/// Bounds the whole run of cleanups at exit to `deadline` (`None`: no
/// bound, the default).
///
/// When the deadline passes, the report is still written — the cleanup
/// that was running is marked `timeout`, those not started `skipped` — and
/// the process ends at once (`_exit`) with the status it was ending with.
/// The report has at most 2 s for that (a stderr pipe nobody reads, a hung
/// file system): set the deadline at least that far below a supervisor's
/// kill timeout.
/// The `CLEANUP_DEADLINE` environment variable (`300ms`, `5s`, `1m 30s`,
/// or `off`), when set, overrides this, so an operator can tighten or lift
/// the bound without a rebuild; a malformed value gets one line on stderr
/// and is ignored.
///
/// ```
/// use std::time::Duration;
///
/// // systemd's default stop timeout is 90 s: leave room for the report.
/// cleanup_runtime::set_deadline(Some(Duration::from_secs(80)));
/// ```
///
/// **The application's call.** There is one run at exit per process, for
/// every crate's cleanups: a library that sets a deadline sets it for the
/// program. A library bounds its own cleanup with
/// [`Cleanup::timeout`] or `#[cleanup(timeout = "...")]`.
pub fn set_deadline(deadline: Option<std::time::Duration>) {
    run::deadline::set(deadline);
}

/// The deadline the run of cleanups at exit would have if the process
/// ended now: `CLEANUP_DEADLINE` when it is set and valid, else what
/// [`set_deadline`] set (`None`: no bound).
///
/// ```
/// use std::time::Duration;
///
/// cleanup_runtime::set_deadline(Some(Duration::from_secs(80)));
/// # if std::env::var_os("CLEANUP_DEADLINE").is_none() {
/// assert_eq!(cleanup_runtime::deadline(), Some(Duration::from_secs(80)));
/// # }
/// ```
#[must_use]
pub fn deadline() -> Option<std::time::Duration> {
    run::deadline::current()
}

/// Chooses where the report of the run at exit goes, as the
/// `CLEANUP_REPORT` variable does (crate docs, "The report"). The
/// variable, when set, wins, so an operator can still ask for the whole
/// report (or none) without a rebuild; a malformed value gets one line on
/// stderr and this choice is used.
///
/// The application's call, like [`set_deadline`]: there is one report per
/// process, so a library should leave it to the program.
///
/// ```
/// use cleanup_runtime::{ReportDestination, ReportFormat};
///
/// let path = std::env::temp_dir().join("app-cleanup-report.json");
/// cleanup_runtime::set_report(ReportDestination::File(ReportFormat::Json, path));
/// ```
pub fn set_report(destination: ReportDestination) {
    report::destination::set(destination);
}

/// Stops handling SIGINT, SIGTERM and SIGHUP for the rest of the process:
/// where our handler is installed, the default action is restored, and it
/// is never installed again. The cleanups then run only when the program
/// ends the process itself.
///
/// For a program that wants the signals for itself from the start, prefer
/// installing its own handler (ours stands aside for any signal the program
/// handles) or `CLEANUP_SIGNALS=off`.
///
/// ```
/// cleanup_runtime::leave_signals_alone();
/// ```
///
/// **The application's call.** It changes what a signal does to the
/// whole process, every crate's cleanups included; a library leaves
/// signals to the program.
pub fn leave_signals_alone() {
    signals::leave_alone();
}

/// In a forked child, takes over the cleanups its parent had registered
/// (Unix only: Windows has no `fork`)
/// (the statics included), so they run when this process ends — for a
/// daemon that forks, lets the parent exit, and goes on in the child.
/// Returns whether there was anything to take over.
///
/// Without this call a forked child never runs its parent's cleanups: they
/// belong to the process that registered them, and a child that exits must
/// not remove its parent's pid file or temp dirs. Cleanups the child
/// registers itself run in the child as usual. The parent should then
/// leave without running its own copy, for example with `libc::_exit`.
///
/// ```no_run
/// // SAFETY (of the example): fork in a single-threaded program.
/// match unsafe { libc::fork() } {
///     0 => {
///         cleanup_runtime::adopt_after_fork();
///         // ... the daemon's life; its cleanups run when it ends
///     }
///     _ => unsafe { libc::_exit(0) }, // the parent leaves, running nothing
/// }
/// ```
#[cfg(unix)]
pub fn adopt_after_fork() -> bool {
    process::fork::adopt()
}

/// Runs the cleanups, then ends the process with `code`.
///
/// From any thread this is `std::process::exit(code)`, whose exit handler
/// runs the cleanups. On Windows it is the C runtime's `exit(code)`:
/// `std::process::exit` is `ExitProcess` there, which skips the C
/// runtime's `atexit` handlers and so the cleanups (PORTABILITY.md,
/// "Windows"). From inside a cleanup that runs at exit (one with a
/// timeout too, on its own thread), that cleanup ends there, the remaining
/// cleanups run, and then the process ends with `code` — unless a signal
/// started the run or arrived before it: the process then still dies by
/// that signal.
///
/// ```no_run
/// cleanup_runtime::register(|| println!("runs before the process ends"));
/// cleanup_runtime::exit(3);
/// ```
pub fn exit(code: i32) -> ! {
    use process::final_run;
    if base::ending::is_final_runner() {
        final_run::continue_after_exit_call(Some(code));
        final_run::end_process(code);
    }
    base::ending::note_exit_status(code);
    #[cfg(windows)]
    {
        // std flushes its stdout only on its own way out; the C runtime's
        // `exit` does not know it. Not waiting on another thread that
        // holds stdout, as std's own exit does not.
        base::diagnostics::flush_stdout_if_free();
        // SAFETY: the C runtime's `exit` runs its `atexit` handlers (ours
        // runs the cleanups) and ends the process; it may be called from
        // any thread.
        unsafe { libc::exit(code) }
    }
    #[cfg(not(windows))]
    std::process::exit(code)
}
