//! The annotated function: its tokens exactly as written, and a typed view
//! of them for checking and for spans.

use std::fmt::{self, Display};

use crate::tokens::{Span, TokenStream};

use crate::error::{Error, Result};
use crate::function::{self, Signature};

/// Which attribute is being expanded; error messages name it.
#[derive(Clone, Copy)]
pub(crate) enum Macro {
    AtExit,
    Cleanup,
}

impl Display for Macro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Macro::AtExit => "`#[at_exit]`",
            Macro::Cleanup => "`#[cleanup]`",
        })
    }
}

/// The function the attribute is on.
pub(crate) struct Function {
    /// The tokens as written, emitted unchanged whatever happens.
    pub(crate) tokens: TokenStream,
    /// What was read of them; each part keeps the original spans.
    pub(crate) sig: Signature,
    pub(crate) attribute: Macro,
}

impl Function {
    /// Reads `tokens`; some other item (a struct, a `use`, a function
    /// without a body, ...) is an error that says what is expected.
    pub(crate) fn parse(tokens: TokenStream, attribute: Macro) -> Result<Self> {
        match function::read(tokens.clone()) {
            Some(sig) => Ok(Function {
                tokens,
                sig,
                attribute,
            }),
            None => Err(Error::new(
                Span::call_site(),
                format!("{attribute} can only be used on a free function with a body"),
            )),
        }
    }
}
