//! A library with a named cleanup: it reaches a static library through a
//! dependency.

/// Prints `ran dep-named` at exit.
#[cleanup_runtime::cleanup(name = "dep-named")]
pub fn dep_named() {
    println!("ran dep-named");
}
