//! A `cdylib` with named and unnamed cleanups, loaded by a C host.

use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = "plugin-named")]
fn plugin_named() {
    println!("ran plugin-named");
}

#[at_exit]
fn plugin_at_exit() {
    println!("ran plugin-at-exit");
}

/// What the host calls: links the dependency in, and says the plugin is
/// loaded.
#[unsafe(no_mangle)]
pub extern "C" fn plugin_loaded() -> i32 {
    let _ = named_dep::dep_named;
    println!("plugin: loaded");
    42
}
