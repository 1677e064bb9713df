//! A public, documented function keeps its docs, visibility and other
//! attributes, and the generated code passes strict lints.

#![deny(warnings, missing_docs, unused, nonstandard_style, rust_2018_idioms)]
#![deny(unreachable_pub, missing_debug_implementations, unused_qualifications)]

/// A module, to have a path.
pub mod metrics {
    /// Flushes the metrics.
    ///
    /// Runs at exit too.
    #[cleanup_runtime::at_exit]
    #[inline]
    pub fn flush() {}

    /// Closes the database.
    #[cleanup_runtime::cleanup(name = "metrics-db", timeout = "1s")]
    #[must_use = "the error says why it failed"]
    pub(crate) fn close_db() -> std::io::Result<()> {
        Ok(())
    }
}

#[cleanup_runtime::at_exit]
const fn const_cleanup() {}

#[cleanup_runtime::at_exit]
fn r#match() {}

#[cleanup_runtime::at_exit]
#[cfg(any())]
fn compiled_out() {
    this_does_not_exist();
}

#[cleanup_runtime::at_exit]
#[cfg(all())]
fn compiled_in() {}

#[cleanup_runtime::at_exit]
#[allow(non_snake_case)]
fn Shouting() {}

fn main() {
    metrics::flush();
    metrics::close_db().unwrap();
    const_cleanup();
    r#match();
    compiled_in();
    Shouting();
}
