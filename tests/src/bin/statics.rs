//! Fixture with static cleanups, for the tests of their order and of the
//! run-time API applied to them. Runs the scenario named by `argv[1]`.
//!
//! The statics are laid out so that every wrong order is visible:
//! `mod beta` comes before `mod alpha` in the source, and the root module's
//! statics come last, with names in reverse alphabetical order. The
//! contract's order — module path, then source position — numbers them
//! `root_zz` 0, `root_mm` 1, `static-named` 2, `root_aa` 3, `alpha_first` 4,
//! `alpha_second` 5, `beta_first` 6, `beta_second` 7; run-time
//! registrations come after, and everything runs highest number first.
//!
//! | scenario | what it does |
//! |---|---|
//! | `plain` | registers rt-1, rt-2 at run time; returns |
//! | `direct` | calls `alpha_second` and `static_named` directly; returns |
//! | `replace-static` | registers rt-after, then replaces `static-named` at run time |
//! | `unregister-static` | unregisters `static-named` by name (twice) |
//! | `clear` | registers rt-before-clear, calls `clear()`, registers rt-after-clear |

use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::{ran, register_ran, say};

mod beta {
    use cleanup_runtime::at_exit;
    use cleanup_tests::ran;

    #[at_exit]
    fn beta_first() {
        ran("beta_first");
    }

    #[at_exit]
    fn beta_second() {
        ran("beta_second");
    }
}

mod alpha {
    use cleanup_runtime::at_exit;
    use cleanup_tests::ran;

    #[at_exit]
    fn alpha_first() {
        ran("alpha_first");
    }

    #[at_exit]
    pub fn alpha_second() {
        ran("alpha_second");
    }
}

#[at_exit]
fn root_zz() {
    ran("root_zz");
}

#[at_exit]
fn root_mm() {
    ran("root_mm");
}

#[cleanup(name = "static-named")]
fn static_named() -> Result<(), std::fmt::Error> {
    ran("static-named");
    Ok(())
}

#[at_exit]
fn root_aa() {
    ran("root_aa");
}

fn main() {
    let scenario = std::env::args().nth(1).expect("usage: statics SCENARIO");
    match scenario.as_str() {
        "plain" => {
            register_ran("rt-1");
            register_ran("rt-2");
        }
        "direct" => {
            alpha::alpha_second();
            static_named().expect("static_named called directly");
        }
        "replace-static" => {
            register_ran("rt-after");
            let replacement =
                cleanup_runtime::register_named("static-named", || ran("static-named-replacement"));
            say(format_args!(
                "replacement sequence {}",
                replacement.sequence()
            ));
        }
        "unregister-static" => {
            let first = cleanup_runtime::unregister("static-named");
            say(format_args!("unregister static-named: {first}"));
            let again = cleanup_runtime::unregister("static-named");
            say(format_args!("unregister static-named again: {again}"));
        }
        "clear" => {
            register_ran("rt-before-clear");
            cleanup_runtime::clear();
            register_ran("rt-after-clear");
        }
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}
