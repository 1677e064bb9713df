//! A framework that re-exports its building blocks: its users reach the
//! runtime as `framework::rt` and depend on no `cleanup-runtime` of their own.

pub use cleanup_runtime as rt;
