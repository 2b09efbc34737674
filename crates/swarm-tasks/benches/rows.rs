//! What `service ps` does with a list once it has it, and what `--format json` / `inspect`
//! print, on `swarm_testkit::history` bodies (the parse and list benches read the same ones).
//!
//! - `rows/*/50000`: 50,000 tasks of 10 services on 20 nodes (3 spec versions each).
//!   `rows/build` is `TaskRow::new` for every task (names looked up, columns taken out);
//!   `rows/group_history` is docker's order and the history marks over those rows
//!   (`sort_rows` then `mark_history`); `rows/build_rows` is the whole of `build_rows` with
//!   default options (both, as `service ps` calls it).
//! - `output/*/10000`: the full-object JSON output of 10,000 tasks decoded with
//!   `swarm_models::decode_list` (so each keeps its text as sent), beside that decode:
//!   `output/decode_list` parses the body, `output/write_compact` writes one compact object
//!   per task (`--format json`), `output/write_pretty_array` one array indented by four spaces
//!   (`--format inspect`, `inspect`).
//!
//! Run: `cargo bench -p swarm-tasks --bench rows -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use swarm_tasks::PsOptions;
use swarm_tasks::models::{Node, Service, Task, decode_list, write_compact, write_pretty_array};
use swarm_tasks::rows::{NameIndex, TaskRow, build_rows, mark_history, sort_rows};
use swarm_testkit::history::{HistoryParams, history_body};

/// Services and nodes named for the IDs the tasks carry, so every name lookup finds one.
fn names_for(tasks: &[Task]) -> NameIndex {
    let service_ids: BTreeSet<&str> = tasks
        .iter()
        .filter_map(|t| t.service_id.as_deref())
        .collect();
    let node_ids: BTreeSet<&str> = tasks.iter().filter_map(|t| t.node_id.as_deref()).collect();
    let services: Vec<Service> = service_ids
        .iter()
        .enumerate()
        .map(|(idx, id)| {
            serde_json::from_value(json!({"ID": id, "Spec": {"Name": format!("app-{idx}")}}))
                .unwrap()
        })
        .collect();
    let nodes: Vec<Node> = node_ids
        .iter()
        .enumerate()
        .map(|(idx, id)| {
            serde_json::from_value(
                json!({"ID": id, "Description": {"Hostname": format!("node-{idx}")}}),
            )
            .unwrap()
        })
        .collect();
    NameIndex::new(&services, &nodes)
}

fn rows(c: &mut Criterion) {
    let n = 50_000;
    let body = history_body(HistoryParams::tasks(n)).unwrap();
    let tasks = decode_list::<Task>(&body).unwrap().into_items();
    assert_eq!(tasks.len(), n);
    let names = names_for(&tasks);
    // Sanity: every name resolves, and the history is grouped under each slot's newest.
    let sample = build_rows(tasks.clone(), &names, &PsOptions::default());
    assert!(
        sample
            .iter()
            .all(|row| row.service_name.starts_with("app-"))
    );
    assert!(sample.iter().any(|row| row.is_history));
    assert!(!sample[0].is_history);
    drop(sample);
    let built: Vec<TaskRow> = tasks
        .iter()
        .cloned()
        .map(|task| TaskRow::new(task, &names))
        .collect();

    let mut group = c.benchmark_group("rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::new("build", n), &tasks, |b, tasks| {
        b.iter_batched(
            || tasks.clone(),
            |tasks| {
                tasks
                    .into_iter()
                    .map(|task| TaskRow::new(task, &names))
                    .collect::<Vec<_>>()
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_with_input(BenchmarkId::new("group_history", n), &built, |b, built| {
        b.iter_batched(
            || built.clone(),
            |mut rows| {
                sort_rows(&mut rows);
                mark_history(&mut rows);
                rows
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_with_input(BenchmarkId::new("build_rows", n), &tasks, |b, tasks| {
        b.iter_batched(
            || tasks.clone(),
            |tasks| build_rows(tasks, &names, &PsOptions::default()),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn output(c: &mut Criterion) {
    let n = 10_000;
    let body = history_body(HistoryParams::tasks(n)).unwrap();
    let tasks = decode_list::<Task>(&body).unwrap().into_items();
    assert!(tasks.iter().all(|task| task.as_sent().is_some()));
    // Sanity: both outputs hold every task as sent (the body is compact, so the compact
    // lines joined with commas are the body).
    let mut lines = Vec::new();
    for task in &tasks {
        write_compact(task, &mut lines).unwrap();
        lines.push(b',');
    }
    lines.pop();
    assert_eq!(&lines[..], &body[1..body.len() - 1]);
    let mut pretty = Vec::new();
    write_pretty_array(&tasks, b"    ", &mut pretty).unwrap();
    let reread: serde_json::Value = serde_json::from_slice(&pretty).unwrap();
    assert_eq!(
        reread,
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()
    );

    let mut group = c.benchmark_group("output");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_with_input(BenchmarkId::new("decode_list", n), &body, |b, body| {
        b.iter(|| decode_list::<Task>(black_box(body)).unwrap())
    });
    group.bench_with_input(BenchmarkId::new("write_compact", n), &tasks, |b, tasks| {
        b.iter(|| {
            // One object per line into one buffer, as `--format json` writes them.
            let mut out = Vec::new();
            for task in black_box(tasks) {
                write_compact(task, &mut out).unwrap();
                out.push(b'\n');
            }
            out
        })
    });
    group.bench_with_input(
        BenchmarkId::new("write_pretty_array", n),
        &tasks,
        |b, tasks| {
            b.iter(|| {
                let mut out = Vec::new();
                write_pretty_array(black_box(tasks), b"    ", &mut out).unwrap();
                out
            })
        },
    );
    group.finish();
}

criterion_group!(benches, rows, output);
criterion_main!(benches);
