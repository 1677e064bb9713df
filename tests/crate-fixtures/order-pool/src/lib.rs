//! A library that owns a "pool" and publishes its cleanup's name as a
//! `const`, for the cross-crate order test (`tests/tests/order_crates.rs`).

use cleanup_runtime::cleanup;

/// The name of the pool's cleanup, for dependents' `after`/`before`.
pub const POOL: &str = "order-pool";

/// Says `ran order-pool`: the pool closes.
#[cleanup(name = "order-pool")]
fn close_pool() {
    println!("ran order-pool");
}

/// Something to call so that this crate is linked.
pub fn open() -> &'static str {
    "order-pool: open"
}
