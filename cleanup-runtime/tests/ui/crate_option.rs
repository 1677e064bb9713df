// `crate = ...`: a path, given once.
#[cleanup_runtime::at_exit(crate = "cleanup_runtime")]
fn quoted() {}

#[cleanup_runtime::cleanup(name = "a", crate = ::cleanup_runtime, crate = ::cleanup_runtime)]
fn repeated() {}

#[cleanup_runtime::at_exit(crate = ::cleanup_runtime::<u8>)]
fn generic() {}

#[cleanup_runtime::at_exit(crate)]
fn no_value() {}

#[cleanup_runtime::at_exit(crate = ::no_such_runtime)]
fn unknown_path() {}

fn main() {}
