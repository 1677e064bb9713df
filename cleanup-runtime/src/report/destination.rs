//! Where the report goes at exit: the `CLEANUP_REPORT` variable.
//!
//! | value | effect |
//! |---|---|
//! | unset | only failures, one line each, on stderr |
//! | `off` | nothing |
//! | `text` / `json` | the whole report on stderr |
//! | `text:PATH` / `json:PATH` | the whole report in PATH, written whole or not at all |
//!
//! The report is written by the exit handler, which is registered with the
//! process's first cleanup (run-time or declared): a process that never had
//! one writes no report at exit, whatever the variable says.
//!
//! Nothing here may panic: it runs inside the exit hook.

use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::base::environment::{self, Variable};
use crate::base::time_limited::{self, Bounded};
use crate::base::{diagnostics, system_calls};
use crate::report::Report;

/// The environment variable read at exit.
pub(crate) const VARIABLE: &str = Variable::Report.name();

/// The two forms a whole report can take: [`Report`]'s `Display` and
/// [`Report::to_json`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// The text form, for people.
    Text,
    /// The JSON form, one line, for programs.
    Json,
}

use ReportFormat as Format;

/// Where the report of the run at exit goes: what `CLEANUP_REPORT` says,
/// given by the program with [`set_report`](crate::set_report).
///
/// ```
/// use cleanup_runtime::{ReportDestination, ReportFormat};
///
/// let to_file = ReportDestination::File(ReportFormat::Json, "/var/log/app/cleanup.json".into());
/// # drop(to_file);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportDestination {
    /// Only failures, one line each, on stderr (the default;
    /// `CLEANUP_REPORT` unset).
    FailuresOnStderr,
    /// Nothing (`off`).
    Off,
    /// The whole report on stderr (`text`, `json`).
    Stderr(ReportFormat),
    /// The whole report in a file, written whole or not at all
    /// (`text:PATH`, `json:PATH`).
    File(ReportFormat, PathBuf),
}

pub(crate) use ReportDestination as Destination;

/// Set by [`set_report`](crate::set_report): used when `CLEANUP_REPORT`
/// is not set.
static PROGRAM_DESTINATION: Mutex<Option<Destination>> = Mutex::new(None);

/// The program's own choice, for when the variable says nothing.
pub(crate) fn set(destination: Destination) {
    *PROGRAM_DESTINATION
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(destination);
}

impl Destination {
    /// Reads `CLEANUP_REPORT`, which wins over the program's
    /// [`set_report`](crate::set_report) (as `CLEANUP_DEADLINE` over
    /// `set_deadline`), so an operator can ask for the whole report
    /// without a rebuild. A bad value is reported in one line and the
    /// program's choice (or the default) is used. In a privileged process
    /// the variable is not read (see `environment`).
    pub(crate) fn from_env() -> Destination {
        if let Some(value) = environment::read(Variable::Report) {
            match Destination::parse(&value) {
                Ok(destination) => return destination,
                Err(message) => diagnostics::warn(format_args!(
                    "{message}; reporting as the program says (by default, failures on stderr)"
                )),
            }
        }
        // `try_lock`: at exit, a thread left holding it must not hold the
        // report; it is held only to copy a value in or out.
        match PROGRAM_DESTINATION.try_lock() {
            Ok(program) => program.clone(),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().clone(),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
        .unwrap_or(Destination::FailuresOnStderr)
    }

    /// Parses one value of `CLEANUP_REPORT`.
    pub(crate) fn parse(value: &OsStr) -> Result<Destination, String> {
        let bytes = value.as_encoded_bytes();
        let (kind, path) = match bytes.iter().position(|&b| b == b':') {
            Some(colon) => (&bytes[..colon], Some(&bytes[colon + 1..])),
            None => (bytes, None),
        };
        let format = match kind {
            b"off" if path.is_none() => return Ok(Destination::Off),
            b"text" => Format::Text,
            b"json" => Format::Json,
            _ => {
                return Err(format!(
                    "{VARIABLE}={:?} is not one of off, text, json, text:PATH, json:PATH",
                    value
                ));
            }
        };
        match path {
            None => Ok(Destination::Stderr(format)),
            Some([]) => Err(format!(
                "{VARIABLE}={value:?} names no file after the colon"
            )),
            Some(path) => {
                let path = os_str_after_colon(value, bytes.len() - path.len());
                Ok(Destination::File(format, PathBuf::from(path)))
            }
        }
    }

    /// Writes `report` where this destination says. Once the final run has
    /// a deadline ([`diagnostics::writes_give_up_at`]: the deadline plus
    /// the report's grace), returns by then however the writing fares, so
    /// that the process can end: on stderr, what a pipe nobody reads has not taken by then is
    /// dropped (see [`diagnostics::write_stderr_until`]); a file, whose
    /// `write(2)`, `fsync` or `rename` a hung file system can hold with no
    /// way to bound them, is written on a thread of its own, which is then
    /// no longer waited for (the process ends, and the file is not renamed
    /// into place: still whole or nothing).
    pub(crate) fn write(&self, report: &Report) {
        let give_up_at = diagnostics::writes_give_up_at();
        match self {
            Destination::Off => {}
            Destination::FailuresOnStderr => {
                let lines = report.failure_lines();
                if !lines.is_empty() {
                    diagnostics::write_stderr_until(lines.as_bytes(), give_up_at);
                }
            }
            Destination::Stderr(format) => {
                diagnostics::write_stderr_until(render(*format, report).as_bytes(), give_up_at);
            }
            Destination::File(format, path) => {
                let bytes = render(*format, report).into_bytes();
                match give_up_at {
                    None => write_file(path, &bytes),
                    Some(give_up_at) => write_file_until(path, bytes, give_up_at),
                }
            }
        }
    }
}

/// [`write_file`] on a thread of its own, waited for until `give_up_at`;
/// here, unbounded, if no thread can be started.
fn write_file_until(path: &Path, bytes: Vec<u8>, give_up_at: Instant) {
    let bytes: Arc<[u8]> = bytes.into();
    let (for_thread, owned_path) = (Arc::clone(&bytes), path.to_path_buf());
    let written = time_limited::on_own_thread("cleanup-report", give_up_at, move || {
        write_file(&owned_path, &for_thread)
    });
    match written {
        Bounded::Done(()) => {}
        Bounded::NoThread => write_file(path, &bytes),
        Bounded::TimedOut => {
            // Only if stderr takes it at once: the time is up.
            diagnostics::write_stderr_until(
                b"cleanup: the report file was not written in time; ending without it\n",
                Some(Instant::now()),
            );
        }
    }
}

/// Writes the report file, or says on stderr why not.
fn write_file(path: &Path, bytes: &[u8]) {
    if let Err(error) = write_whole(path, bytes) {
        diagnostics::warn(format_args!(
            "could not write the report to {}: {error}",
            path.display()
        ));
    }
}

fn os_str_after_colon(value: &OsStr, start: usize) -> &OsStr {
    // On Unix an OsStr is plain bytes; elsewhere the value must be UTF-8 to
    // have matched `text:`/`json:` at all, so the lossless path is the &str.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(&value.as_bytes()[start..])
    }
    #[cfg(not(unix))]
    {
        OsStr::new(&value.to_str().unwrap_or_default()[start..])
    }
}

fn render(format: Format, report: &Report) -> String {
    match format {
        Format::Text => report.to_string(),
        Format::Json => {
            let mut json = report.to_json();
            json.push('\n');
            json
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`: a reader sees the old file or the whole new one, never half.
///
/// Written out rather than through `tempfile`: the report is in every
/// build, and `tempfile` would put its crates (6 of them, with rustix)
/// into a `default-features = false` build, which has none of them.
/// The temporary name is `.NAME.PID.N.tmp`, created exclusively (a name
/// taken is skipped), owner-only as `tempfile` makes it, and removed if the
/// write or the rename fails.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or(OsStr::new("report"));
    let (temporary, mut file) = create_beside(dir, name)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| system_calls::sync(&file))
        .and_then(|()| system_calls::rename(&temporary, path));
    if written.is_err() {
        let _ = system_calls::remove_file(&temporary);
    }
    written
}

/// Creates a new file `.NAME.PID.N.tmp` in `dir`, the first `N` free.
fn create_beside(dir: &Path, name: &OsStr) -> std::io::Result<(PathBuf, File)> {
    let pid = system_calls::own_id();
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut attempt = 0;
    loop {
        let mut file_name = OsString::from(".");
        file_name.push(name);
        file_name.push(format!(".{pid}.{attempt}.tmp"));
        let temporary = dir.join(file_name);
        match options.open(&temporary) {
            Ok(file) => return Ok((temporary, file)),
            Err(error) if error.kind() == ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        // A leftover of a process with our pid: its name is skipped.
        let taken = dir
            .path()
            .join(format!(".report.json.{}.0.tmp", std::process::id()));
        std::fs::write(&taken, "old temporary").unwrap();
        write_whole(&path, b"first").unwrap();
        write_whole(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [taken.file_name().unwrap(), OsStr::new("report.json")]
        );
        assert!(write_whole(&dir.path().join("missing/report.json"), b"x").is_err());
    }

    fn parse(value: &str) -> Result<Destination, String> {
        Destination::parse(OsStr::new(value))
    }

    #[test]
    fn parses_every_form_of_the_table() {
        assert_eq!(parse("off"), Ok(Destination::Off));
        assert_eq!(parse("text"), Ok(Destination::Stderr(Format::Text)));
        assert_eq!(parse("json"), Ok(Destination::Stderr(Format::Json)));
        assert_eq!(
            parse("json:/tmp/r.json"),
            Ok(Destination::File(Format::Json, "/tmp/r.json".into()))
        );
        assert_eq!(
            parse("text:a:b"),
            Ok(Destination::File(Format::Text, "a:b".into()))
        );
    }

    #[test]
    fn rejects_bad_values_with_the_value_in_the_message() {
        for bad in ["", "yaml", "off:x", "JSON", "json:", " text"] {
            let message = parse(bad).unwrap_err();
            assert!(message.contains("CLEANUP_REPORT"), "{message}");
            assert!(message.contains(&format!("{bad:?}")), "{message}");
        }
    }
}
