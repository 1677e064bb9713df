//! Windows has no `fork`: a process never inherits another's cleanups, so
//! there is nothing to set aside or adopt.

/// Nothing to register.
pub(crate) fn install() {}

/// Never: no process here is a forked child.
pub(crate) fn is_child_without_cleanups() -> bool {
    false
}
