//! Declares a cleanup named "shared-name", as does the other library.

#[cleanup_runtime::cleanup(name = "shared-name")]
fn close() {}

/// Something to call, so the crate is linked.
pub fn touch() {}
