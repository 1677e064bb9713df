//! Reporting several mistakes at once.

use syn::{Error, Result};

/// All the errors as one, or `None` if there are none.
pub(crate) fn combine(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
    errors.into_iter().reduce(|mut all, error| {
        all.combine(error);
        all
    })
}

/// Both values, or the errors of both: a bad option and a bad signature are
/// reported together.
pub(crate) fn both<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(combine(a.err().into_iter().chain(b.err())).expect("one of them failed")),
    }
}
