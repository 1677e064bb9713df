//! The annotated function: its tokens exactly as written, and a typed view
//! of them for checking and for spans.

use std::fmt::{self, Display};

use proc_macro2::{Span, TokenStream};
use syn::{Error, Item, ItemFn, Result};

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
    /// The same function, parsed; its nodes keep the original spans.
    pub(crate) item: ItemFn,
    pub(crate) attribute: Macro,
}

impl Function {
    pub(crate) fn parse(tokens: TokenStream, attribute: Macro) -> Result<Self> {
        match syn::parse2::<ItemFn>(tokens.clone()) {
            Ok(item) => Ok(Function {
                tokens,
                item,
                attribute,
            }),
            // Some other item (a struct, a `use`, a function without a
            // body, ...): say what is expected rather than where syn stopped.
            Err(_) if syn::parse2::<Item>(tokens.clone()).is_ok() => Err(Error::new(
                Span::call_site(),
                format!("{attribute} can only be used on a free function with a body"),
            )),
            // Something syn cannot read as an item: its own error says where.
            Err(error) => Err(error),
        }
    }
}
