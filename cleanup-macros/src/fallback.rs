//! What is emitted when the attribute or the function is rejected.

use crate::error::Error;
use crate::tokens::TokenStream;

/// The item exactly as written, followed by the error.
///
/// Keeping the item means one mistake in the attribute does not turn every
/// call of the function into a second, misleading "cannot find function"
/// error, and the IDE still sees the function.
pub(crate) fn expand(input: TokenStream, error: &Error) -> TokenStream {
    let mut tokens = input;
    tokens.extend(error.to_compile_error());
    tokens
}
