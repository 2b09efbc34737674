//! Logs decoding throughput: one recorded multiplexed stream served by the fake engine, read
//! through `HttpTransport::logs` beside bollard's `Docker::task_logs` (whose frame decoder is
//! private, so it is read through its API) from the same server in the same process.
//!
//! The stream is the recorded real task log `fixtures/logs/task_mux_ts.bin` (8-byte-header
//! frames with the daemon's timestamps) repeated until it is tens of MB, each repetition sent
//! as one HTTP chunk. Both clients ask for the same task with `timestamps=1` over loopback TCP.
//!
//! Run: `cargo bench -p swarm-transport --bench logs -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::hint::black_box;

use bollard::{ClientVersion, Docker};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;
use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm};
use swarm_transport::{HttpTransport, LogOptions, LogTarget, Transport};

const RECORDED_TASK: &[u8] = include_bytes!("../fixtures/logs/task_mux_ts.bin");

/// How many times the recording is repeated (about 32 MB in all).
const REPEATS: usize = 800;

/// The payload bytes of every frame of a multiplexed stream (what a frame decoder delivers).
fn payload_bytes(mut stream: &[u8]) -> usize {
    let mut total = 0;
    while !stream.is_empty() {
        let size = u32::from_be_bytes(stream[4..8].try_into().unwrap()) as usize;
        total += size;
        stream = &stream[8 + size..];
    }
    total
}

/// Reads the whole stream through our transport: the lines and their bytes.
async fn ours(docker: &HttpTransport, task: &str) -> (usize, usize) {
    let options = LogOptions::new().timestamps(true);
    let mut stream = docker
        .logs(&LogTarget::Task(task.to_owned()), &options)
        .await
        .unwrap();
    let (mut lines, mut bytes) = (0, 0);
    while let Some(line) = stream.next().await {
        let line = line.unwrap();
        lines += 1;
        bytes += black_box(&line.line).len();
    }
    (lines, bytes)
}

/// Reads the whole stream through bollard: its items and their bytes (timestamps included,
/// bollard leaves them in the bytes).
async fn bollard(docker: &Docker, task: &str) -> (usize, usize) {
    let options = bollard::query_parameters::LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .timestamps(true)
        .build();
    let mut stream = docker.task_logs(task, Some(options));
    let (mut items, mut bytes) = (0, 0);
    while let Some(output) = stream.next().await {
        let output = output.unwrap();
        items += 1;
        bytes += black_box(output.into_bytes()).len();
    }
    (items, bytes)
}

fn logs(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The engine serves from its own thread, so both clients meet the same server.
    let engine = FakeEngine::spawn_tcp(FakeSwarm::sample()).unwrap();
    let task = engine.swarm().tasks()[0]["ID"].as_str().unwrap().to_owned();
    let logs = (0..REPEATS).fold(FakeLogs::new(), |logs, _| logs.bytes(RECORDED_TASK));
    engine.set_logs(&task, logs);
    let stream_len = (RECORDED_TASK.len() * REPEATS) as u64;

    let ours_client = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    // The fake engine speaks API 1.41 (Docker 20.10), like the daemon the recording is from.
    let version = ClientVersion {
        major_version: 1,
        minor_version: 41,
    };
    let bollard_client = Docker::connect_with_http(&engine.host(), 120, &version).unwrap();

    // Sanity: both read the whole stream. Our lines hold the text after the timestamp;
    // bollard's items hold every payload byte.
    let (one_rep_lines, _) = {
        let single = FakeEngine::spawn_tcp(FakeSwarm::sample()).unwrap();
        single.set_logs(&task, FakeLogs::new().bytes(RECORDED_TASK));
        let client = HttpTransport::builder()
            .host(single.host())
            .build()
            .unwrap();
        runtime.block_on(ours(&client, &task))
    };
    let (lines, _) = runtime.block_on(ours(&ours_client, &task));
    assert_eq!(lines, one_rep_lines * REPEATS);
    let (_, bytes) = runtime.block_on(bollard(&bollard_client, &task));
    assert_eq!(bytes, payload_bytes(RECORDED_TASK) * REPEATS);
    println!(
        "stream: {stream_len} bytes, {lines} lines ({one_rep_lines} per recording x {REPEATS})"
    );

    let mut group = c.benchmark_group("logs");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(stream_len));
    group.bench_function(BenchmarkId::new("swarm-transport", stream_len), |b| {
        b.iter(|| runtime.block_on(ours(&ours_client, &task)))
    });
    group.bench_function(BenchmarkId::new("bollard", stream_len), |b| {
        b.iter(|| runtime.block_on(bollard(&bollard_client, &task)))
    });
    group.finish();
}

criterion_group!(benches, logs);
criterion_main!(benches);
