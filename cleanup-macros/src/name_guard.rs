//! The symbol that makes two cleanups with one name fail to build.
//!
//! Each named cleanup defines a global symbol made from its name,
//! `cleanup-runtime: duplicate cleanup name "NAME"`, and its descriptor
//! holds a reference to it, so the symbol is linked whenever the cleanup is.
//! Two cleanups with one name define it twice: within one crate the
//! assembler rejects it, across crates the linker ("duplicate symbol" /
//! "multiple definition"), naming both objects.
//!
//! On ELF targets the symbol is defined with `global_asm!`, hidden, in a
//! section of its own named after where the name is written:
//!
//! - rustc does not know about it, so it does not put it in the version
//!   script it writes for a `cdylib` or `dylib` (a symbol with spaces and
//!   quotes there breaks the link: rust-lld "; expected, but got :", GNU ld
//!   "syntax error in VERSION script");
//! - `.hidden` keeps a `cdylib` from exporting it;
//! - the section name carries `file:line:column`, so the linker's message
//!   names both declarations even without debug information; within one
//!   crate the assembler's message quotes the second definition's line,
//!   which says where it was declared.
//!
//! Elsewhere (Mach-O, PE, wasm) it is a zero-sized static under
//! `export_name`, as before.

use crate::args::CleanupArgs;
use crate::template::Template;
use crate::tokens::{Literal, Span, TokenStream, location};

/// The object formats where the guard is defined in assembly: ELF.
const ELF: Template = Template::new(
    "elf",
    r#"any(
        target_os = "linux",
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "fuchsia",
        target_os = "haiku",
        target_os = "hurd",
        target_os = "illumos",
        target_os = "netbsd",
        target_os = "nto",
        target_os = "openbsd",
        target_os = "redox",
        target_os = "solaris",
    )"#,
);

/// Spanned on the macro, not on the user's code, so that `unsafe_code`
/// (which flags `global_asm!` and `export_name`) sees it as the macro's
/// doing: a crate with `#![forbid(unsafe_code)]` can still declare named
/// cleanups. A module of its own: `global_asm!` is an item macro, not a
/// statement, and the registration is in a block.
///
/// On x86 the AT&T syntax is asked for, as clippy's
/// `inline_asm_x86_intel_syntax` wants: the directives read the same in
/// both, and other architectures take no syntax option.
const DEFINITION: Template = Template::new(
    "definition",
    "#[cfg($elf)]
    mod __cleanup_name_guard {
        #[cfg(any(target_arch = \"x86\", target_arch = \"x86_64\"))]
        ::core::arch::global_asm!($template, options(att_syntax));
        #[cfg(not(any(target_arch = \"x86\", target_arch = \"x86_64\")))]
        ::core::arch::global_asm!($template);
    }",
);

/// Its own block, so the static's name cannot shadow anything. On ELF the
/// symbol is declared (`global_asm!` defines it); elsewhere the static is
/// the definition, under `export_name`.
const REFERENCE: Template = Template::new(
    "reference",
    "::core::option::Option::Some({
        #[cfg($elf)]
        $declaration
        #[cfg(not($elf))]
        $export_name
        static __CLEANUP_NAME_GUARD: [u8; 0] = [];
        &__CLEANUP_NAME_GUARD
    })",
);
const DECLARATION: Template = Template::new(
    "declaration",
    "unsafe extern \"C\" {
        #[link_name = $symbol]
        safe static __CLEANUP_NAME_GUARD: [u8; 0];
    }",
);
const EXPORT_NAME: Template = Template::new("export_name", "#[unsafe(export_name = $symbol)]");

pub(crate) struct NameGuard {
    /// `cleanup-runtime: duplicate cleanup name "NAME"`, the name written
    /// as a Rust string literal (`{:?}`) so that distinct names give
    /// distinct symbols.
    symbol: String,
    /// Where the name is written, for the section name.
    location: String,
    /// The same with the file's name alone, for the line an assembler
    /// error quotes: rustc shortens a long quoted line, so a deep checkout
    /// path would cut the location off (and make the message depend on
    /// where the crate is built).
    short_location: String,
    /// The name's span: rustc reports a duplicate there.
    span: Span,
}

impl NameGuard {
    pub(crate) fn new(args: &CleanupArgs) -> Self {
        let span = args.name.span;
        let location = location(span);
        let file = location.file;
        let file_name = std::path::Path::new(&file)
            .file_name()
            .map_or(file.clone(), |name| name.to_string_lossy().into_owned());
        NameGuard {
            symbol: format!(
                "cleanup-runtime: duplicate cleanup name {:?}",
                args.name.value
            ),
            location: format!("{file}:{}:{}", location.line, location.column),
            short_location: format!("{file_name}:{}:{}", location.line, location.column),
            span,
        }
    }

    /// The definition, an item for the registration block (ELF only).
    ///
    /// The directives are generic GNU assembler ones that LLVM's assembler
    /// reads on every ELF architecture; quoted names may hold any character
    /// but `"` and `\`, which are escaped.
    pub(crate) fn definition(&self) -> TokenStream {
        let symbol = quoted(&self.symbol);
        let section = quoted(&format!(
            ".rodata.cleanup-runtime name guard, declared at {}",
            self.location
        ));
        let template = [
            format!(".pushsection {section},\"a\""),
            format!(".globl {symbol}"),
            format!(".hidden {symbol}"),
            // An assembler error on a second definition within one crate
            // quotes this line: the comment says where that one is.
            format!("{symbol}: /* declared at {} */", self.short_location),
            ".popsection".to_owned(),
        ]
        .join("\n")
        // `global_asm!` reads `{` and `}` as operands.
        .replace('{', "{{")
        .replace('}', "}}");
        let template = spanned_string(&template, self.span);
        DEFINITION.fill(&[("elf", &ELF.fill(&[])), ("template", &template)])
    }

    /// `Some(&GUARD)`, an expression for the descriptor.
    pub(crate) fn reference(&self) -> TokenStream {
        let symbol = spanned_string(&self.symbol, self.span);
        // The `export_name` static is spanned on the name, where rustc
        // reports a duplicate within one crate: located there, but with the
        // attribute's hygiene and edition (in a 2015 crate, `::core` on the
        // user's own tokens would name the crate root). The `cfg`s' lists,
        // the `extern` block and the `export_name` attribute stay at the
        // attribute.
        let span = Span::call_site().located_at(self.span);
        REFERENCE.fill_at(
            span,
            &[
                ("elf", &ELF.fill(&[])),
                ("declaration", &DECLARATION.fill(&[("symbol", &symbol)])),
                ("export_name", &EXPORT_NAME.fill(&[("symbol", &symbol)])),
            ],
        )
    }
}

/// `text` as a string literal at `span`.
pub(crate) fn spanned_string(text: &str, span: Span) -> Literal {
    let mut literal = Literal::string(text);
    literal.set_span(span);
    literal
}

/// `text` as a quoted assembler name.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
