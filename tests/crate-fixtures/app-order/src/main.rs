//! A program using two libraries with cleanups (`cache-layer` on top of
//! `order-pool`), for `tests/tests/order_crates.rs`. Its module path,
//! `app_order`, sorts before both libraries', so ordered by module path
//! alone its cleanups would be numbered first and run last, after the
//! pool had closed; the program's statics are numbered after the
//! libraries', so they run first. With `misspelt` it also registers a
//! cleanup ordered after a name nobody registers.

use cleanup_runtime::cleanup;

#[cleanup(name = "app-writer")]
fn flush_writer() {
    println!("ran app-writer");
}

#[cleanup(name = "app-audit")]
fn audit() {
    println!("ran app-audit");
}

fn main() {
    println!("{}", cache_layer::open());
    if std::env::args().nth(1).as_deref() == Some("misspelt") {
        cleanup_runtime::Cleanup::new(|| println!("ran app-late"))
            .after("order-pol")
            .register();
    }
}
