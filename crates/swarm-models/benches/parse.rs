//! Parse throughput: how fast `serde_json::from_slice::<Vec<Task>>` reads a large `GET /tasks`
//! body, the work every list and every monitoring poll repeats.
//!
//! The body is 10,000 tasks cycled from the recorded fixtures (real engine output and
//! python-on-whales' data), each with its own ID, so it has the shape and size of real
//! daemon output. A `serde_json::Value` parse of the same bytes is the baseline.
//!
//! Run: `cargo bench -p swarm-models --bench parse -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::fs;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use swarm_models::Task;

const N_TASKS: usize = 10_000;

/// Every recorded task fixture, as JSON objects.
fn fixture_tasks() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut tasks = Vec::new();
    for source in ["engine", "python-on-whales"] {
        let dir = root.join(source).join("tasks");
        let mut paths: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            tasks.push(serde_json::from_slice(&fs::read(&path).unwrap()).unwrap());
        }
    }
    assert!(!tasks.is_empty(), "no task fixtures found");
    tasks
}

/// A `GET /tasks` body of `n` tasks cycled from the fixtures, each with a unique ID.
fn tasks_body(n: usize) -> Vec<u8> {
    let fixtures = fixture_tasks();
    let tasks: Vec<Value> = (0..n)
        .map(|idx| {
            let mut task = fixtures[idx % fixtures.len()].clone();
            task["ID"] = Value::String(format!("{idx:0>25}"));
            task
        })
        .collect();
    serde_json::to_vec(&tasks).unwrap()
}

fn parse(c: &mut Criterion) {
    let body = tasks_body(N_TASKS);
    // Sanity: the body parses into the number of tasks it was built from.
    assert_eq!(
        serde_json::from_slice::<Vec<Task>>(&body).unwrap().len(),
        N_TASKS
    );

    let mut group = c.benchmark_group("parse_10k_tasks");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(20);
    group.bench_function("Vec<Task>", |b| {
        b.iter(|| serde_json::from_slice::<Vec<Task>>(black_box(&body)).unwrap())
    });
    group.bench_function("Value (baseline)", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
