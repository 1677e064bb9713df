//! What the attributes register: name, kind, position, timeout and guard.

use std::time::Duration;

use cleanup_runtime::__private::{StaticCleanup, inventory};
use cleanup_runtime::{at_exit, cleanup};

#[at_exit]
fn flush_metrics() {}

mod db {
    use std::sync::atomic::{AtomicBool, Ordering};

    pub static FAIL: AtomicBool = AtomicBool::new(false);

    #[cleanup_runtime::cleanup(name = "close-db", timeout = "1m 30.5s")]
    pub fn close() -> Result<(), String> {
        if FAIL.load(Ordering::Relaxed) {
            return Err("already closed".to_owned());
        }
        Ok(())
    }
}

#[rustfmt::skip]
#[cleanup(name = "drain")]
#[allow(dead_code)]
    fn   drain() {}

fn find(name: &str) -> &'static StaticCleanup {
    inventory::iter::<StaticCleanup>
        .into_iter()
        .find(|cleanup| cleanup.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn main() {
    let flush = find(concat!(module_path!(), "::flush_metrics"));
    assert!(!flush.named);
    assert_eq!(flush.module_path, module_path!());
    assert!(flush.file.ends_with("descriptors.rs"), "{}", flush.file);
    assert_eq!((flush.line, flush.column), (9, 4));
    assert_eq!(flush.timeout, None);
    assert!(flush.name_guard.is_none());
    assert_eq!((flush.run)(), Ok(()));

    let close = find("close-db");
    assert!(close.named);
    assert_eq!(close.module_path, concat!(module_path!(), "::db"));
    assert_eq!((close.line, close.column), (17, 12));
    assert_eq!(close.timeout, Some(Duration::from_millis(90_500)));
    assert!(close.name_guard.is_some());
    db::FAIL.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!((close.run)(), Err("already closed".to_owned()));
    db::FAIL.store(false, std::sync::atomic::Ordering::Relaxed);

    let drain = find("drain");
    assert_eq!((drain.line, drain.column), (28, 10));
    assert_eq!(drain.timeout, None);

    assert!(
        !inventory::iter::<StaticCleanup>
            .into_iter()
            .any(|c| c.name == "nope")
    );
    let _ = db::close();
}
