//! Examples of `cleanup-runtime`; run them with `cargo run --example NAME`
//! from the repository root. This library is empty: it only gives the
//! examples a package to live in.
