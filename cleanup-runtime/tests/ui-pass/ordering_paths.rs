//! `after` and `before` naming a `const` `&str` by path, as well as by
//! literal: written out, in lists mixed with literals, and through
//! `macro_rules!` fragments (`$p:path`, `$e:expr`, `$t:tt`); and
//! `timeout` on `#[at_exit]`.

use std::time::Duration;

use cleanup_runtime::__private::{StaticCleanup, inventory};
use cleanup_runtime::{at_exit, cleanup};

mod names {
    pub const HTTP: &str = "http-server";
    pub const POOL: &str = "db-pool";
}

const JOBS: &str = "jobs";

#[cleanup(name = "db-pool", after = names::HTTP)]
fn close_pool() {}

#[cleanup(name = "metrics", before = [crate::names::POOL, "log-sink", self::JOBS])]
fn metrics() {}

#[at_exit(after = [names::POOL, JOBS], timeout = "250ms")]
fn report_stats() {}

mod inner {
    #[cleanup_runtime::at_exit(before = super::JOBS)]
    fn inner_stats() {}
}

macro_rules! by_path {
    ($name:literal, $target:path) => {
        #[cleanup(name = $name, after = $target)]
        fn by_path() {}
    };
}

macro_rules! by_expr {
    ($name:literal, $target:expr) => {
        #[cleanup(name = $name, before = $target)]
        fn by_expr() {}
    };
}

macro_rules! by_tt {
    ($name:literal, $($target:tt)*) => {
        #[cleanup(name = $name, after = [$($target)*])]
        fn by_tt() {}
    };
}

by_path!("by-path", names::HTTP);
by_expr!("by-expr", crate::names::POOL);
by_tt!("by-tt", names::HTTP, "x");

fn find(name: &str) -> &'static StaticCleanup {
    inventory::iter::<StaticCleanup>
        .into_iter()
        .find(|cleanup| cleanup.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn main() {
    assert_eq!(find("db-pool").after, ["http-server"]);
    assert_eq!(find("metrics").before, ["db-pool", "log-sink", "jobs"]);
    let stats = find(concat!(module_path!(), "::report_stats"));
    assert_eq!(stats.after, ["db-pool", "jobs"]);
    assert_eq!(stats.timeout, Some(Duration::from_millis(250)));
    assert_eq!(find(concat!(module_path!(), "::inner::inner_stats")).before, ["jobs"]);
    assert_eq!(find("by-path").after, ["http-server"]);
    assert_eq!(find("by-expr").before, ["db-pool"]);
    assert_eq!(find("by-tt").after, ["http-server", "x"]);
    assert!(find("by-tt").in_program, "declared in the program's crate");
    let _ = cleanup_runtime::run_now();
}
