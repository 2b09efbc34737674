//! Parse and serialize throughput of `Vec<Task>` on large `GET /tasks` bodies, beside
//! bollard's `Task` (crate bollard-stubs) on the same bytes in the same process.
//!
//! The bodies are `swarm_testkit::history` bodies: tasks made from the recorded fixtures,
//! 10 services with 3 spec versions each, every ID different, nine-digit timestamps.
//!
//! Parse rows: `decode_list` (the production path: `swarm_models::decode_list::<Task>`, which
//! parses each distinct `Spec` / `Network` text once and keeps every task's text),
//! `from_slice` (`serde_json::from_slice::<Vec<Task>>`, the same types without either) and
//! `bollard` (`serde_json::from_slice::<Vec<bollard_stubs::models::Task>>`).
//!
//! Run: `cargo bench -p swarm-models --bench parse -- --warm-up-time 1 --measurement-time 3`
//! (add a filter such as `'parse/.*/10000|serialize'` to run part of it).

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use swarm_models::{Task, decode_list};
use swarm_testkit::history::{HistoryParams, history_body};

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    for n in [1_000, 10_000, 50_000] {
        let body = history_body(HistoryParams::tasks(n)).unwrap();
        // Sanity: both parse every task of the body.
        assert_eq!(serde_json::from_slice::<Vec<Task>>(&body).unwrap().len(), n);
        assert_eq!(
            serde_json::from_slice::<Vec<bollard_stubs::models::Task>>(&body)
                .unwrap()
                .len(),
            n
        );
        let listing = decode_list::<Task>(&body).unwrap();
        assert!(listing.is_complete() && listing.len() == n);
        group.throughput(Throughput::Bytes(body.len() as u64));
        // The production path: `decode_list` (fast split, shared subtrees, objects as sent).
        group.bench_with_input(BenchmarkId::new("decode_list", n), &body, |b, body| {
            b.iter(|| decode_list::<Task>(black_box(body)).unwrap())
        });
        // The same types through plain serde_json (no sharing, no text kept).
        group.bench_with_input(BenchmarkId::new("from_slice", n), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<Vec<Task>>(black_box(body)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("bollard", n), &body, |b, body| {
            b.iter(|| {
                serde_json::from_slice::<Vec<bollard_stubs::models::Task>>(black_box(body)).unwrap()
            })
        });
    }
    group.finish();
}

fn serialize(c: &mut Criterion) {
    let n = 10_000;
    let body = history_body(HistoryParams::tasks(n)).unwrap();
    let ours: Vec<Task> = serde_json::from_slice(&body).unwrap();
    let theirs: Vec<bollard_stubs::models::Task> = serde_json::from_slice(&body).unwrap();
    let mut group = c.benchmark_group("serialize");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_with_input(BenchmarkId::new("swarm-models", n), &ours, |b, tasks| {
        b.iter(|| serde_json::to_vec(black_box(tasks)).unwrap())
    });
    group.bench_with_input(BenchmarkId::new("bollard", n), &theirs, |b, tasks| {
        b.iter(|| serde_json::to_vec(black_box(tasks)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, parse, serialize);
criterion_main!(benches);
