//! Static cleanups (`#[at_exit]`, `#[cleanup]`) and run-time ones; `main`
//! returns. Expected order: d, c (run-time, last registered first), then
//! static-b, static-a (statics count as registered before `main`, in
//! source order).

use cleanup_runtime::{at_exit, cleanup};
use cleanup_wine_tests::{register_ran, say};

#[at_exit]
fn static_a() {
    say("ran static-a");
}

#[cleanup(name = "static-b")]
fn static_b() -> Result<(), String> {
    say("ran static-b");
    Ok(())
}

fn main() {
    register_ran("c");
    register_ran("d");
    say("main returns");
}
