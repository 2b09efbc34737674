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
//! After the criterion groups, `decode_list` and bollard's parse are timed once more in turns
//! on the same body (ours, then bollard's, and again: 60 pairs of 1k, 20 of 10k, 6 of 50k),
//! so that both see the machine at the same moments: criterion times each row for 3 s on its
//! own, and on a shared machine the speed drifts between such windows by more than the
//! margins compared. The medians go to `$SWARM_BENCH_REPORT_DIR/parse-alternating.json`
//! (`cargo xtask bench` reads it); `SWARM_BENCH_ALTERNATING=0` leaves this out.
//!
//! Run: `cargo bench -p swarm-models --bench parse -- --warm-up-time 1 --measurement-time 3`
//! (add a filter such as `'parse/.*/10000|serialize'` to run part of it).

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use swarm_models::{Task, decode_list};
use swarm_testkit::history::{HistoryParams, history_body};
use swarm_testkit::timing::in_turns;

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

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let listing_only = std::env::args().any(|arg| arg == "--list" || arg == "--test");
    if !listing_only && std::env::var("SWARM_BENCH_ALTERNATING").map_or(true, |v| v != "0") {
        alternating();
    }
}

/// Pairs of (ours, bollard's) parses timed in turns, per size.
const ALTERNATING: [(usize, usize); 3] = [(1_000, 60), (10_000, 20), (50_000, 6)];

/// Times `decode_list` and bollard's `Vec<Task>` in turns on the same body (see the crate
/// docs above), prints the medians and writes them to
/// `$SWARM_BENCH_REPORT_DIR/parse-alternating.json` when that variable is set.
fn alternating() {
    let mut rows = Vec::new();
    for (n, pairs) in ALTERNATING {
        let body = history_body(HistoryParams::tasks(n)).unwrap();
        // Each timing includes dropping what was parsed, as criterion's rows do.
        let (ours, theirs) = in_turns(
            pairs,
            || assert_eq!(decode_list::<Task>(black_box(&body)).unwrap().len(), n),
            || {
                serde_json::from_slice::<Vec<bollard_stubs::models::Task>>(black_box(&body))
                    .unwrap();
            },
        );
        println!(
            "parse/alternating/{n}: {pairs} pairs, decode_list {:.2} ms, bollard {:.2} ms, throughput {:.2} x bollard's",
            ours / 1e6,
            theirs / 1e6,
            theirs / ours
        );
        rows.push(
            serde_json::json!({"tasks": n, "pairs": pairs, "ours_ns": ours, "bollard_ns": theirs}),
        );
    }
    if let Ok(dir) = std::env::var("SWARM_BENCH_REPORT_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("parse-alternating.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "rows": rows })).unwrap(),
        )
        .unwrap();
    }
}
