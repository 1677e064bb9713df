//! A `proc-macro` crate with a cleanup: its code runs inside rustc, so the
//! attribute must refuse it with one error.

use proc_macro::TokenStream;

/// Would run inside rustc when it exits.
#[cleanup_runtime::at_exit]
fn inside_the_compiler() {
    println!("ran inside_the_compiler");
}

/// A macro, so that the crate is a real one.
#[proc_macro]
pub fn nothing(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
