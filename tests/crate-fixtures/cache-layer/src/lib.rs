//! A library built on `order-pool` whose cleanup writes through the pool:
//! it names the pool's cleanup by the `const` that crate publishes. Its
//! module path, `cache_layer`, sorts before `order_pool`, so without the
//! constraint the pool (numbered after it) would close first.

use cleanup_runtime::cleanup;

/// Says `ran cache-layer`: flushes through the pool, before it closes.
#[cleanup(name = "cache-layer", before = order_pool::POOL)]
fn flush_cache() {
    println!("ran cache-layer");
}

/// Something to call so that this crate (and the pool) is linked.
pub fn open() -> &'static str {
    order_pool::open()
}
