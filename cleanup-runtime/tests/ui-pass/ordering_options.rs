//! `after` and `before`, one name or a list, on both attributes: what the
//! descriptors carry.

use cleanup_runtime::__private::{StaticCleanup, inventory};
use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = "db-pool", after = "http-server")]
fn close_pool() {}

#[cleanup(name = "flush-orders", before = ["db-pool", "log-sink"], timeout = "1s")]
fn flush_orders() {}

#[cleanup(after = ["a", "b"], name = "both", before = "c",)]
fn both() {}

#[at_exit(after = "db-pool")]
fn report_stats() {}

#[at_exit]
fn plain() {}

fn find(name: &str) -> &'static StaticCleanup {
    inventory::iter::<StaticCleanup>
        .into_iter()
        .find(|cleanup| cleanup.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn main() {
    let pool = find("db-pool");
    assert_eq!((pool.after, pool.before), (&["http-server"][..], &[][..]));
    let orders = find("flush-orders");
    assert_eq!(orders.after, &[] as &[&str]);
    assert_eq!(orders.before, ["db-pool", "log-sink"]);
    let both = find("both");
    assert_eq!((both.after, both.before), (&["a", "b"][..], &["c"][..]));
    let stats = find(concat!(module_path!(), "::report_stats"));
    assert!(!stats.named);
    assert_eq!(stats.after, ["db-pool"]);
    let plain = find(concat!(module_path!(), "::plain"));
    assert!(plain.after.is_empty() && plain.before.is_empty());
    let _ = cleanup_runtime::run_now();
}
