//! What the runtime does inside `fork`: its handlers run while the rest of
//! the process may be locked for the fork, so they allocate nothing.

mod common;

use common::Fixture;

const FORK_PREPARE: &str = env!("CARGO_BIN_EXE_fork_prepare");

fn lines_of<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .filter(|line| line.starts_with(prefix))
        .collect()
}

/// Issue 15, "likely": in a program with static cleanups whose first use
/// of the runtime was a `fork`, the prepare handler's first lock of the
/// registry collected the statics inside `fork` (a `Vec`, a sort, maybe a
/// warning on stderr). Under an allocator locked across `fork` by its own
/// handler, as jemalloc's is, that deadlocks; here it is counted. The
/// statics still run in the parent, and not in the child.
#[test]
fn a_fork_before_any_use_allocates_nothing_and_the_statics_stay_the_parents() {
    let run = Fixture::new(FORK_PREPARE, &["keep"]).run();
    run.assert_code(0);
    for side in ["child", "parent"] {
        assert_eq!(
            lines_of(&run.stdout, &format!("{side}: allocations inside fork ")),
            [format!("{side}: allocations inside fork 0")],
            "the runtime's fork handlers allocated\n{}",
            run.context()
        );
    }
    assert_eq!(
        lines_of(&run.stdout, "ran "),
        ["ran second static", "ran first static"],
        "the parent runs its statics once; the child none\n{}",
        run.context()
    );
}

/// The same program, but the child adopts its parent's cleanups after
/// registering one of its own: the statics, collected in the child only
/// now, still count as registered before `main` (run after the child's
/// own, in LIFO order), and the parent runs nothing.
#[test]
fn a_child_that_adopts_before_any_use_runs_the_statics_after_its_own() {
    let run = Fixture::new(FORK_PREPARE, &["adopt"]).run();
    run.assert_code(0);
    assert_eq!(
        lines_of(&run.stdout, "ran "),
        ["ran child's own", "ran second static", "ran first static"],
        "{}",
        run.context()
    );
}
