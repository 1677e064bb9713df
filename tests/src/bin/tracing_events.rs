//! Fixture for `tests/tracing_events.rs`: feature `tracing`. A subscriber
//! layer prints every span and event of target `cleanup_runtime` as one
//! line on stdout:
//!
//! ```text
//! span cleanup_run trigger=exit status=0
//! event WARN in=cleanup_run name="failing" sequence=2 source=... status=error duration=... error=disk full
//! ```
//!
//! `tracing_events exit` registers an ok, a failing and a panicking cleanup
//! beside a static one and returns from `main`; `tracing_events wait` does
//! the same, prints `ready` and waits for a signal; `tracing_events stuck`
//! is `wait` with a subscriber whose writer is stuck: it blocks for good
//! once it has printed its first event.

use std::fmt::{Debug, Write as _};

use cleanup_runtime::at_exit;
use cleanup_tests::{ran, say};
use tracing::field::{Field, Visit};
use tracing::span::Attributes;
use tracing::{Event, Id, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

#[at_exit]
fn static_cleanup() {
    ran("static");
}

/// Writes the fields it visits as ` key=value`.
#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

/// Prints what the runtime emits; when `stuck`, blocks for good after the
/// first event, as a subscriber writing to a pipe nobody reads would.
struct Collect {
    stuck: bool,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Collect {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if attrs.metadata().target() == "cleanup_runtime" {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            say(format_args!("span {}{}", attrs.metadata().name(), fields.0));
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        if event.metadata().target() != "cleanup_runtime" {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let span = context
            .event_span(event)
            .map_or("none".to_owned(), |span| span.name().to_owned());
        say(format_args!(
            "event {} in={span}{}",
            event.metadata().level(),
            fields.0
        ));
        if self.stuck {
            loop {
                std::thread::park();
            }
        }
    }
}

fn main() {
    let scenario = std::env::args().nth(1);
    let stuck = scenario.as_deref() == Some("stuck");
    let subscriber = tracing_subscriber::registry().with(Collect { stuck });
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    cleanup_runtime::register_named("ok-cleanup", || ran("ok-cleanup"));
    cleanup_runtime::register_named("failing", || Err::<(), _>("disk full"));
    cleanup_runtime::register_named("panicking", || -> () { panic!("kaboom") });
    match scenario.as_deref() {
        Some("exit") => {}
        Some("wait" | "stuck") => {
            say("ready");
            loop {
                std::thread::park();
            }
        }
        other => panic!("unknown scenario {other:?}"),
    }
}
