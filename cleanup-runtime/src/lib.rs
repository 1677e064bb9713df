//! Run cleanups exactly once when the process ends, however it ends.
//! (Crate docs are written in full below; this is the skeleton.)

mod outcome;
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use cleanup_macros::{at_exit, cleanup};
pub use outcome::CleanupResult;
