//! A library crate that owns a "connection pool", for the end-to-end tests
//! of ordering constraints across crates (the `ordering` fixture).
//!
//! Its module path, `pool_lib`, sorts after the fixture's, `ordering`, so
//! its statics have the higher sequence numbers and LIFO alone would run
//! them first. The application's `before = "lib-pool"` and this crate's
//! `after = "app-metrics"` must turn that around.

use cleanup_runtime::{at_exit, cleanup};

/// Says `ran lib-pool`: the pool closes. Whatever writes through the pool
/// must have run before.
#[cleanup(name = "lib-pool")]
pub fn close_pool() {
    println!("ran lib-pool");
}

/// Says `ran lib-audit`: runs after the application's `app-metrics`, a
/// name this crate knows only as a string.
#[at_exit(after = "app-metrics")]
pub fn audit() {
    println!("ran lib-audit");
}

/// Something for the fixture to call so that this crate is linked.
pub fn link() -> &'static str {
    "pool-lib: linked"
}
