//! Why this crate has a build script: `links = "cleanup_runtime"` in its
//! manifest, which cargo accepts only from a package with one.
//!
//! The key makes cargo refuse, at resolution time and with a message that
//! names both packages, a build graph holding two copies of the runtime
//! (say, a library on 0.x and the application on 1.x). Two copies in one
//! process would each keep a registry, install an exit hook and the signal
//! handlers; on Unix the second copy's handlers stand aside for the
//! first's, so its cleanups would never run on a signal. Nothing links to
//! a native library: the script does nothing.
//!
//! Its one line tells cargo that only a change to this file reruns it, so
//! editing the crate's sources never does.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}
