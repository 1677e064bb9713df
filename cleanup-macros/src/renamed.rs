//! A hint for the commonest reason `::cleanup_runtime` cannot be found:
//! the dependency is renamed in Cargo.toml and `crate = ...` is missing.
//!
//! Without it rustc says only that the crate `cleanup_runtime` is unknown
//! and suggests `cargo add`, which would add a second copy. The compiler's
//! own command line (the macro runs inside rustc) says under which name the
//! runtime was handed in: `--extern NAME=.../libcleanup_runtime-*.rlib`.
//! Where the command line says nothing of it (another build tool, an IDE
//! expanding the macro elsewhere), nothing is said and the expansion is as
//! before.

use crate::ast::Macro;
use crate::error::Error;
use crate::tokens::Span;

/// An error naming `crate = ::NAME` when the compiler was given the runtime
/// under one other name `NAME` and not as `cleanup_runtime`.
pub(crate) fn check(attribute: Macro) -> Option<Error> {
    let name = renamed_runtime(std::env::args())?;
    let short = match attribute {
        Macro::AtExit => "at_exit",
        Macro::Cleanup => "cleanup",
    };
    Some(Error::new(
        Span::call_site(),
        format!(
            "cleanup-runtime is a dependency named `{name}` in this crate's Cargo.toml, \
             and the code {attribute} generates names `::cleanup_runtime`: add \
             `crate = ::{name}`, as in `#[{name}::{short}(crate = ::{name})]`"
        ),
    ))
}

/// The one name other than `cleanup_runtime` under which `args` (rustc's
/// command line) hand in the runtime crate, if there is exactly one and not
/// `cleanup_runtime` too.
fn renamed_runtime(args: impl Iterator<Item = String>) -> Option<String> {
    let mut args = args;
    let mut renamed = Vec::new();
    while let Some(arg) = args.next() {
        let value = if arg == "--extern" {
            args.next()
        } else {
            arg.strip_prefix("--extern=").map(str::to_owned)
        };
        let Some(value) = value else { continue };
        // `[options:]name[=path]`, options such as `priv` or `noprelude`.
        let (name, path) = value.split_once('=').unwrap_or((&value, ""));
        let name = name.rsplit(':').next().unwrap_or(name);
        if name == "cleanup_runtime" {
            return None;
        }
        let file = std::path::Path::new(path)
            .file_name()
            .map(|file| file.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_runtime = file
            .strip_prefix("libcleanup_runtime")
            .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('.'));
        if is_runtime && !renamed.contains(&name.to_owned()) {
            renamed.push(name.to_owned());
        }
    }
    match <[String; 1]>::try_from(renamed) {
        Ok([name]) => Some(name),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::renamed_runtime;

    fn renamed(args: &[&str]) -> Option<String> {
        renamed_runtime(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn the_runtime_under_another_name_is_found() {
        let args = [
            "rustc",
            "--extern",
            "anyhow=/t/deps/libanyhow-1.rlib",
            "--extern",
            "exitclean=/t/deps/libcleanup_runtime-0a1b.rmeta",
        ];
        assert_eq!(renamed(&args).as_deref(), Some("exitclean"));
        assert_eq!(
            renamed(&["rustc", "--extern=priv:rt=/t/libcleanup_runtime-2.rlib"]).as_deref(),
            Some("rt")
        );
    }

    #[test]
    fn nothing_is_said_when_the_name_is_the_usual_one_or_unclear() {
        let usual = [
            "rustc",
            "--extern",
            "cleanup_runtime=/t/libcleanup_runtime-1.rlib",
        ];
        assert_eq!(renamed(&usual), None);
        let both = [
            "rustc",
            "--extern",
            "rt=/t/libcleanup_runtime-1.rlib",
            "--extern",
            "cleanup_runtime=/t/libcleanup_runtime-1.rlib",
        ];
        assert_eq!(renamed(&both), None);
        let two = [
            "rustc",
            "--extern",
            "a=/t/libcleanup_runtime-1.rlib",
            "--extern",
            "b=/t/libcleanup_runtime-2.rlib",
        ];
        assert_eq!(renamed(&two), None);
        assert_eq!(renamed(&["rust-analyzer-proc-macro-srv"]), None);
        let lookalike = ["rustc", "--extern", "x=/t/libcleanup_runtime_extra-1.rlib"];
        assert_eq!(renamed(&lookalike), None);
    }
}
