//! The last step of every run: the global `log` logger is flushed after
//! the registry is empty (see [`crate::logging`] for what users see).

/// Flushes the global `log` logger: the last step of every run, after the
/// registry is empty. Does nothing without feature `log`.
pub(crate) fn flush_after_cleanups() {
    #[cfg(feature = "log")]
    {
        let flushed = std::panic::catch_unwind(|| log::logger().flush());
        if flushed.is_err() {
            crate::base::diagnostics::warn(format_args!("the log logger panicked while flushing"));
        }
    }
}
