//! In-process cost of `cleanup_runtime::register`, per registration, for
//! N = 1, 1,000 and 100,000 registrations in a row: closures that capture
//! nothing and closures that capture a `u64`, from one thread and from two
//! threads at once. Each sample registers N into an empty registry and
//! `clear()`s it afterwards, outside the timed part.
//!
//! Not measured here: the first registration of a process (it arms the
//! signal handlers and starts the watcher thread once; see the driver's
//! N = 1 figures), and running the cleanups (`run_now` keeps every entry it
//! ran in the process's history for `report()`, so repeating it in a loop
//! grows memory without bound; the run at exit is measured per process by
//! the driver).

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [u64; 3] = [1, 1_000, 100_000];

fn register_plain(n: u64) {
    for _ in 0..n {
        cleanup_runtime::register(|| {});
    }
}

fn register_capture(n: u64) {
    for i in 0..n {
        let value = black_box(i);
        cleanup_runtime::register(move || {
            black_box(value);
        });
    }
}

/// Times `iters` rounds of `fill(n)`, clearing the registry after each.
fn timed(iters: u64, n: u64, fill: fn(u64)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let began = Instant::now();
        fill(n);
        total += began.elapsed();
        cleanup_runtime::clear();
    }
    total
}

/// Times `iters` rounds of two threads running `fill(n)` at once, from
/// their common start to both being done.
fn timed_two_threads(iters: u64, n: u64, fill: fn(u64)) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Arc::new(Barrier::new(3));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    fill(n);
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for thread in threads {
            thread.join().expect("registering thread");
        }
        total += began.elapsed();
        cleanup_runtime::clear();
    }
    total
}

/// `register` from one thread, per registration.
fn one_thread(c: &mut Criterion) {
    // Arms the signal handlers once, outside every measurement.
    cleanup_runtime::register(|| {});
    cleanup_runtime::clear();
    let mut group = c.benchmark_group("register");
    for n in SIZES {
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::new("plain", n), &n, |b, &n| {
            b.iter_custom(|iters| timed(iters, n, register_plain))
        });
        group.bench_with_input(BenchmarkId::new("capture", n), &n, |b, &n| {
            b.iter_custom(|iters| timed(iters, n, register_capture))
        });
    }
    group.finish();
}

/// `register` from two threads at once, N each: throughput is 2N per
/// sample, so the per-element figure compares directly with one thread.
fn two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("register_2_threads");
    for n in [1_000, 100_000] {
        group.throughput(Throughput::Elements(2 * n));
        group.bench_with_input(BenchmarkId::new("plain", n), &n, |b, &n| {
            b.iter_custom(|iters| timed_two_threads(iters, n, register_plain))
        });
        group.bench_with_input(BenchmarkId::new("capture", n), &n, |b, &n| {
            b.iter_custom(|iters| timed_two_threads(iters, n, register_capture))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = one_thread, two_threads
}
criterion_main!(benches);
