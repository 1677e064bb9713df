//! Fixture for `tests/handles.rs`: a named registration that replaces
//! another crate's cleanup of that name (`pool-lib`'s
//! `#[cleanup(name = "lib-pool")]`), and one of its own names replaced
//! twice. A fixture of its own: linking `pool-lib` adds its statics to
//! every run.
//!
//! Every cleanup says `ran NAME` when it runs.

use cleanup_tests::{ran, say};

fn main() {
    say(format_args!("linked {}", pool_lib::link()));
    cleanup_runtime::register_named("lib-pool", || ran("app-pool"));
    cleanup_runtime::register_named("mine", || ran("mine-1"));
    cleanup_runtime::register_named("mine", || ran("mine-2"));
}
