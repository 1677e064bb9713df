//! A Rust `dylib` with a named cleanup: it must link.

/// Closes the plugin at exit.
#[cleanup_runtime::cleanup(name = "rust-plugin-named")]
pub fn rust_plugin_named() {
    println!("ran rust-plugin-named");
}

/// Links the dependency in.
pub fn touch() {
    let _ = named_dep::dep_named;
}
