//! Reads the annotated function's signature from its tokens: what the
//! checks look at and the expansion names, each part with its tokens as
//! written (so errors point at them).
//!
//! The grammar read: outer attributes, a visibility (`pub`, `pub(crate)`,
//! `pub(in path)`, or a `$v:vis` fragment), the qualifiers `const`,
//! `async`, `unsafe` and `extern "ABI"`, `fn`, the name, generics, the
//! parameters, `-> Type`, a `where` clause and the body. Anything else
//! (another item, a function without a body) is not read, and the caller
//! says what the attribute can be used on. The tokens have been through
//! rustc's parser already, so only what tells one item from another is
//! looked at, not every rule of the language.

use crate::attribute::Attribute;
use crate::cursor::{Cursor, is_punct, ungroup};
use crate::tokens::{Delimiter, Ident, Literal, TokenStream, TokenTree, ident_is};

/// What the checks and the expansion need of the function.
pub(crate) struct Signature {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) asyncness: Option<Ident>,
    pub(crate) unsafety: Option<Ident>,
    pub(crate) abi: Option<Abi>,
    pub(crate) ident: Ident,
    pub(crate) generics: Option<Generics>,
    pub(crate) receiver: Option<TokenStream>,
    /// The parameters other than `self` and `...`, each with its attributes.
    pub(crate) params: Vec<TokenStream>,
    /// `...` or `args: ...`.
    pub(crate) variadic: Option<TokenStream>,
    /// The return type after `->`, if written.
    pub(crate) output: Option<TokenStream>,
    /// `where` and its predicates.
    pub(crate) where_clause: Option<TokenStream>,
}

/// `extern` or `extern "ABI"`.
pub(crate) struct Abi {
    pub(crate) tokens: TokenStream,
    pub(crate) name: Option<Literal>,
}

/// `<...>` after the name.
pub(crate) struct Generics {
    /// From `<` to `>`.
    pub(crate) tokens: TokenStream,
    /// Each parameter's tokens, attributes included.
    pub(crate) params: Vec<TokenStream>,
}

impl Generics {
    /// Every parameter is a lifetime (`'a`, `'b: 'a`).
    pub(crate) fn lifetimes_only(&self) -> bool {
        self.params.iter().all(|param| {
            let mut cursor = Cursor::new(param.clone());
            while Attribute::read(&mut cursor).is_some() {}
            cursor.peek_punct('\'').is_some()
        })
    }
}

/// The signature of `tokens` if they are a function with a body.
pub(crate) fn read(tokens: TokenStream) -> Option<Signature> {
    // `#[at_exit] $item` with `$item:item` arrives as an invisible group.
    let mut cursor = Cursor::new(ungroup(tokens));
    let mut attrs = Vec::new();
    while let Some(attr) = Attribute::read(&mut cursor) {
        attrs.push(attr);
    }
    skip_visibility(&mut cursor);
    let (mut asyncness, mut unsafety, mut abi) = (None, None, None);
    loop {
        if cursor.eat_ident("const").is_some() {
        } else if let Some(word) = cursor.eat_ident("async") {
            asyncness = Some(word);
        } else if let Some(word) = cursor.eat_ident("unsafe") {
            unsafety = Some(word);
        } else if cursor.peek_ident("extern") {
            let start = cursor.position();
            cursor.next();
            let name = match cursor.peek() {
                Some(TokenTree::Literal(literal)) => Some(literal.clone()),
                _ => None,
            };
            if name.is_some() {
                cursor.next();
            }
            abi = Some(Abi {
                tokens: cursor.since(start),
                name,
            });
        } else {
            break;
        }
    }
    cursor.eat_ident("fn")?;
    let ident = match cursor.next()? {
        TokenTree::Ident(ident) => ident,
        _ => return None,
    };
    let generics = match cursor.peek_punct('<') {
        Some(_) => {
            let tokens = cursor.take_angle_brackets()?;
            let inner: TokenStream = {
                let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
                trees[1..trees.len() - 1].iter().cloned().collect()
            };
            Some(Generics {
                tokens,
                params: split_commas(inner),
            })
        }
        None => None,
    };
    let inputs = cursor.eat_group(Delimiter::Parenthesis)?;
    let output = if cursor.peek_arrow() {
        cursor.next();
        cursor.next();
        let output = cursor.take_until(|token| is_ident(token, "where") || is_body(token));
        if output.is_empty() {
            return None;
        }
        Some(output)
    } else {
        None
    };
    let where_clause = if cursor.peek_ident("where") {
        Some(cursor.take_until(is_body))
    } else {
        None
    };
    cursor.eat_group(Delimiter::Brace)?;
    if !cursor.is_empty() {
        return None;
    }
    let mut signature = Signature {
        attrs,
        asyncness,
        unsafety,
        abi,
        ident,
        generics,
        receiver: None,
        params: Vec::new(),
        variadic: None,
        output,
        where_clause,
    };
    for param in split_commas(inputs.stream()) {
        if is_variadic(&param) {
            signature.variadic = Some(param);
        } else if is_receiver(&param) {
            signature.receiver = Some(param);
        } else {
            signature.params.push(param);
        }
    }
    Some(signature)
}

/// `pub`, `pub(crate)`, `pub(self)`, `pub(super)`, `pub(in path)`, or a
/// `$v:vis` fragment (an invisible group, empty for no visibility).
fn skip_visibility(cursor: &mut Cursor) {
    if cursor.eat_ident("pub").is_some() {
        cursor.eat_group(Delimiter::Parenthesis);
        return;
    }
    if let Some(TokenTree::Group(group)) = cursor.peek()
        && group.delimiter() == Delimiter::None
    {
        let inside = Cursor::new(group.stream());
        if inside.is_empty() || inside.peek_ident("pub") {
            cursor.next();
        }
    }
}

/// The comma-separated parts of `tokens` (commas inside `<...>` do not
/// count); a trailing comma makes no empty part.
fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut cursor = Cursor::new(tokens);
    let mut parts = Vec::new();
    while !cursor.is_empty() {
        parts.push(cursor.take_until(|token| is_punct(Some(token), ',')));
        cursor.eat_punct(',');
    }
    parts
}

/// `self`, `mut self`, `&self`, `&mut self`, `&'a self`, `&'a mut self`,
/// `self: Type`, `mut self: Type`, after any attributes.
fn is_receiver(param: &TokenStream) -> bool {
    let mut cursor = Cursor::new(param.clone());
    while Attribute::read(&mut cursor).is_some() {}
    let reference = cursor.eat_punct('&').is_some();
    if reference && cursor.eat_punct('\'').is_some() {
        cursor.next();
    }
    cursor.eat_ident("mut");
    if cursor.eat_ident("self").is_none() {
        return false;
    }
    cursor.is_empty() || (!reference && cursor.peek_punct(':').is_some() && !cursor.peek_path_sep())
}

/// `...` or `pattern: ...`, the last parameter of a variadic `extern "C"`
/// function.
fn is_variadic(param: &TokenStream) -> bool {
    let tokens: Vec<TokenTree> = param.clone().into_iter().collect();
    let dots = tokens.len() >= 3
        && tokens[tokens.len() - 3..]
            .iter()
            .all(|token| is_punct(Some(token), '.'));
    dots && (tokens.len() == 3 || is_punct(tokens.get(tokens.len() - 4), ':'))
}

fn is_ident(token: &TokenTree, word: &str) -> bool {
    matches!(token, TokenTree::Ident(ident) if ident_is(ident, word))
}

/// The function's body: a brace group outside any `<...>`.
fn is_body(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Signature, read};
    use crate::tokens::{Delimiter, Group, TokenStream, TokenTree};

    fn signature(tokens: TokenStream) -> Signature {
        read(tokens.clone()).unwrap_or_else(|| panic!("not read: {tokens}"))
    }

    fn text(tokens: Option<&TokenStream>) -> String {
        tokens.map(ToString::to_string).unwrap_or_default()
    }

    #[test]
    fn a_plain_function() {
        let sig = signature(quote!(
            fn flush() {}
        ));
        assert_eq!(sig.ident, "flush");
        assert!(sig.attrs.is_empty() && sig.params.is_empty() && sig.output.is_none());
        assert!(sig.asyncness.is_none() && sig.unsafety.is_none() && sig.abi.is_none());
        assert!(sig.generics.is_none() && sig.where_clause.is_none());
    }

    #[test]
    fn attributes_visibility_and_qualifiers() {
        let sig = signature(quote! {
            #[cfg(unix)]
            #[::core::prelude::v1::test]
            pub(in crate::x) const async unsafe extern "C" fn r#flush() {}
        });
        assert_eq!(sig.ident, "r#flush");
        assert!(sig.attrs[0].is("cfg"));
        assert_eq!(sig.attrs[1].path(), ["core", "prelude", "v1", "test"]);
        assert!(!sig.attrs[1].is("test"));
        assert!(sig.asyncness.is_some() && sig.unsafety.is_some());
        let abi = sig.abi.expect("an ABI");
        assert_eq!(abi.tokens.to_string(), "extern \"C\"");
        for visibility in [quote!(pub), quote!(pub(crate)), quote!(pub(super))] {
            assert!(
                read(quote!(#visibility fn f() {})).is_some(),
                "{visibility}"
            );
        }
        // `$v:vis` fragments, empty or not.
        for vis in [quote!(), quote!(pub(crate))] {
            let group = TokenTree::Group(Group::new(Delimiter::None, vis));
            assert!(read(quote!(#group fn f() {})).is_some());
        }
        // From text: rustfmt writes `extern "C"` into a `quote!`.
        let bare: TokenStream = "extern fn f() {}".parse().expect("tokens");
        assert!(signature(bare).abi.expect("an ABI").name.is_none());
    }

    #[test]
    fn generics_bounds_with_arrows_and_where_clauses() {
        let sig = signature(quote! {
            fn run<F: Fn() -> T, T: Into<Vec<u8>>>(f: F) -> Result<(), Box<dyn Fn() -> u8>>
            where
                T: Default,
            {
                f();
            }
        });
        let generics = sig.generics.expect("generics");
        assert_eq!(generics.params.len(), 2);
        assert!(!generics.lifetimes_only());
        assert_eq!(
            text(sig.output.as_ref()),
            "Result < () , Box < dyn Fn () -> u8 >>"
        );
        assert_eq!(text(sig.where_clause.as_ref()), "where T : Default ,");
        assert_eq!(sig.params.len(), 1);
        let lifetimes = signature(quote!(
            fn f<'a, 'b: 'a>() {}
        ));
        assert!(lifetimes.generics.expect("lifetimes").lifetimes_only());
    }

    #[test]
    fn a_const_generic_block_in_the_return_type_is_not_the_body() {
        let sig = signature(quote!(
            fn f() -> Array<{ 3 }> {
                make()
            }
        ));
        assert_eq!(text(sig.output.as_ref()), "Array < { 3 } >");
    }

    #[test]
    fn receivers_parameters_and_variadics() {
        for receiver in [
            quote!(self),
            quote!(mut self),
            quote!(&self),
            quote!(&mut self),
            quote!(&'a self),
            quote!(&'a mut self),
            quote!(self: Box<Self>),
            quote!(#[cfg(x)] mut self: Box<Self>),
        ] {
            let sig = signature(quote!(fn close(#receiver, n: u8) {}));
            assert_eq!(text(sig.receiver.as_ref()), receiver.to_string());
            assert_eq!(sig.params.len(), 1, "{receiver}");
        }
        let sig = signature(quote!(
            fn f(map: HashMap<K, V>, self_: u8) {}
        ));
        assert!(sig.receiver.is_none());
        assert_eq!(sig.params.len(), 2);
        let sig = signature(quote!(
            unsafe extern "C" fn f(n: i32, args: ...) {}
        ));
        assert_eq!(text(sig.variadic.as_ref()), "args : ...");
        assert_eq!(sig.params.len(), 1);
        let sig = signature(quote!(
            unsafe extern "C" fn f(n: i32, ...) {}
        ));
        assert_eq!(text(sig.variadic.as_ref()), "...");
    }

    #[test]
    fn never_and_fragment_return_types() {
        let sig = signature(quote!(
            fn stop() -> ! {
                loop {}
            }
        ));
        assert_eq!(text(sig.output.as_ref()), "!");
        let ty = TokenTree::Group(Group::new(Delimiter::None, quote!(Result<(), E>)));
        let sig = signature(quote!(fn f() -> #ty { Ok(()) }));
        assert_eq!(sig.output.expect("a type").into_iter().count(), 1);
    }

    #[test]
    fn what_is_not_a_function_with_a_body_is_not_read() {
        for item in [
            quote!(
                struct Flush;
            ),
            quote!(
                use std::fs;
            ),
            quote!(
                fn close();
            ),
            quote!(
                fn close() -> u8;
            ),
            quote!(
                const X: u8 = 1;
            ),
            quote!(
                extern crate core;
            ),
            quote!(impl X { fn f() {} }),
            quote!(
                fn f() {}
                fn g() {}
            ),
        ] {
            assert!(read(item.clone()).is_none(), "{item}");
        }
    }

    #[test]
    fn an_item_fragment_is_read_inside_its_group() {
        let item = TokenTree::Group(Group::new(
            Delimiter::None,
            quote!(
                fn f() {}
            ),
        ));
        assert_eq!(signature(item.into()).ident, "f");
    }
}
