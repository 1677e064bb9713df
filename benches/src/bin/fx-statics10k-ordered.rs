//! `fx-statics10k` with one ordering constraint in ten: every tenth static
//! is a named `#[cleanup]`, and 1,000 `#[at_exit(after = ...)]` each wait
//! for one of those, against LIFO (build.rs). The run takes the planned
//! path instead of popping the last entry: this measures what constraints
//! cost. Modes: see `statics10k_main.rs` (`none`, `first-use`, `time`).

mod generated {
    include!(concat!(env!("OUT_DIR"), "/statics10k_ordered.rs"));
}

include!("../statics10k_main.rs");
