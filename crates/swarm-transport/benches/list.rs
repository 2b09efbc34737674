//! Listing end to end: `HttpTransport::list_tasks` over a unix socket from the fake engine
//! running in another process, beside the parse of the same body alone
//! (`swarm_models::decode_list` on the bytes) in the same run, for 1k, 10k and 50k tasks.
//!
//! The bodies are `swarm_testkit::history` bodies (the ones the parse bench reads). The
//! server is this bench binary started again with `SWARM_BENCH_SERVE` set: it serves the
//! history swarm with `FakeEngine::spawn_unix` until its stdin closes, so the listing
//! process holds nothing of the server's.
//!
//! One more row lists the 10k tasks from a server that sends them at 100 MiB/s
//! (`Fault::Bandwidth`), as a remote daemon would: the list decodes while the body arrives.
//!
//! After the criterion groups, the list and the parse alone are timed once more, one after
//! the other in turns (a list, then a parse of the same body, and again: 300 pairs of 1k, 60
//! of 10k, 12 of 50k), so that both see the same machine at the same moments and the parse
//! reads a body that is not left hot in the cache by the runs before it, as the list's is
//! not. Criterion times each row for 3 s on its own, and on this shared 2-core machine the
//! speed of the whole machine drifts between two such windows by more than the 30 % the
//! target allows. The medians go to `$SWARM_BENCH_REPORT_DIR/list-alternating.json`.
//!
//! Then one more child process measures the listing's peak memory:
//! its `VmHWM` (from /proc/self/status) before and after one list of 50k tasks, against the
//! body size. Printed, and written to `$SWARM_BENCH_REPORT_DIR/list-memory.json` when that
//! variable is set (`cargo xtask bench` reads both files); `SWARM_BENCH_MEMORY=0` leaves out
//! both measurements.
//!
//! Run: `cargo bench -p swarm-transport --bench list -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs)] // criterion's macros generate undocumented public functions
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: bad fixtures should stop it

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use swarm_models::{Runtime, Task, TaskFilter};
use swarm_testkit::history::{HistoryParams, fixture_tasks, history_body, history_tasks};
use swarm_testkit::timing::in_turns;
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, FaultRule};
use swarm_transport::{HttpTransport, Transport};

/// Set in the server child: the socket path to serve on.
const SERVE: &str = "SWARM_BENCH_SERVE";
/// Set in both children: how many tasks the history holds.
const TASKS: &str = "SWARM_BENCH_TASKS";
/// Set in the peak-memory child: the host to list from.
const PEAK: &str = "SWARM_BENCH_PEAK";
/// Where the peak-memory figures go as JSON, when set.
const REPORT_DIR: &str = "SWARM_BENCH_REPORT_DIR";

/// The sizes listed.
const SIZES: [usize; 3] = [1_000, 10_000, 50_000];
/// Set in the server child: the bytes per second at which it sends task lists, if paced.
const BANDWIDTH: &str = "SWARM_BENCH_BANDWIDTH";
/// The link of the paced list (100 MiB/s: a remote daemon over a fast network or ssh).
const PACED_RATE: u64 = 100 * 1024 * 1024;
/// The size of the paced list.
const PACED_TASKS: usize = 10_000;
/// The size of the peak-memory measurement.
const PEAK_TASKS: usize = 50_000;

fn main() {
    if let Ok(socket) = std::env::var(SERVE) {
        serve(Path::new(&socket), tasks_from_env());
        return;
    }
    if let Ok(host) = std::env::var(PEAK) {
        peak_child(&host, tasks_from_env());
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    if memory_wanted() {
        alternating();
        peak_memory();
    }
}

fn tasks_from_env() -> usize {
    std::env::var(TASKS).unwrap().parse().unwrap()
}

/// Whether to run the alternating timings and the peak-memory child: not for `--list` or
/// `--test` runs, nor with `SWARM_BENCH_MEMORY=0`.
fn memory_wanted() -> bool {
    let listing_only = std::env::args().any(|arg| arg == "--list" || arg == "--test");
    !listing_only && std::env::var("SWARM_BENCH_MEMORY").map_or(true, |value| value != "0")
}

/// The server child: the history swarm on a unix socket until stdin closes.
fn serve(socket: &Path, tasks: usize) {
    let mut swarm = FakeSwarm::empty();
    *swarm.tasks_mut() = history_tasks(&fixture_tasks().unwrap(), HistoryParams::tasks(tasks));
    let engine = FakeEngine::spawn_unix(swarm, socket).unwrap();
    if let Ok(rate) = std::env::var(BANDWIDTH) {
        let rate = rate.parse().unwrap();
        engine.add_fault(FaultRule::new(Fault::Bandwidth(rate)).path("/tasks"));
    }
    println!("ready {}", engine.host());
    std::io::stdout().flush().unwrap();
    // The parent holds our stdin; when it exits or drops it, we stop.
    let mut sink = String::new();
    while std::io::stdin()
        .read_line(&mut sink)
        .is_ok_and(|read| read > 0)
    {}
    drop(engine);
}

/// A server child and where it listens; killed on drop.
struct Server {
    child: Child,
    host: String,
    dir: PathBuf,
}

impl Server {
    fn start(tasks: usize) -> Self {
        Self::start_paced(tasks, None)
    }

    /// A server whose task lists go out at `rate` bytes per second, when given.
    fn start_paced(tasks: usize, rate: Option<u64>) -> Self {
        let dir = std::env::temp_dir().join(format!("list-bench-{}-{tasks}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("docker.sock");
        let _ = std::fs::remove_file(&socket);
        let mut command = Command::new(std::env::current_exe().unwrap());
        if let Some(rate) = rate {
            command.env(BANDWIDTH, rate.to_string());
        }
        let mut child = command
            .env(SERVE, &socket)
            .env(TASKS, tasks.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let host = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the server child said {line:?}"))
            .to_owned();
        Self { child, host, dir }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn list(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("list");
    group.sample_size(10);
    for n in SIZES {
        let body = history_body(HistoryParams::tasks(n)).unwrap();
        let server = Server::start(n);
        let docker = HttpTransport::builder().host(&server.host).build().unwrap();
        // Sanity: the transport lists every task, and the body alone decodes to the same.
        let listed = runtime
            .block_on(docker.list_tasks(&every_runtime()))
            .unwrap();
        assert!(
            listed.is_complete() && listed.len() == n,
            "{n} tasks asked, {} listed, failures {:?}",
            listed.len(),
            listed.failures.first()
        );
        let parsed = swarm_models::decode_list::<Task>(&body).unwrap();
        assert_eq!(parsed.items, listed.items, "the server sends the same body");
        drop((listed, parsed));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("http-unix", n), &docker, |b, docker| {
            b.iter(|| {
                runtime
                    .block_on(docker.list_tasks(&every_runtime()))
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("decode_list", n), &body, |b, body| {
            b.iter(|| swarm_models::decode_list::<Task>(black_box(body)).unwrap())
        });
        drop(server);
    }
    // Over a slower link the body's arrival takes longer than its parse: the list parses
    // while it arrives (`ListDecoder`), so it should end soon after the last byte.
    let server = Server::start_paced(PACED_TASKS, Some(PACED_RATE));
    let docker = HttpTransport::builder().host(&server.host).build().unwrap();
    group.bench_with_input(
        BenchmarkId::new("http-unix-paced-100MiBps", PACED_TASKS),
        &docker,
        |b, docker| {
            b.iter(|| {
                runtime
                    .block_on(docker.list_tasks(&every_runtime()))
                    .unwrap()
            })
        },
    );
    drop(server);
    group.finish();
    if let Ok(dir) = std::env::var(REPORT_DIR) {
        let body_bytes = history_body(HistoryParams::tasks(PACED_TASKS))
            .unwrap()
            .len();
        let report = serde_json::json!({
            "tasks": PACED_TASKS,
            "body_bytes": body_bytes,
            "bytes_per_second": PACED_RATE,
        });
        std::fs::write(Path::new(&dir).join("list-paced.json"), report.to_string()).unwrap();
    }
}

criterion_group!(benches, list);

/// A filter that keeps every task: without a `runtime` filter the daemon (and the fake
/// engine) list container tasks only, and one service of the history bodies is a
/// network-attachment task. With all three runtimes the answer is the whole body.
fn every_runtime() -> TaskFilter {
    TaskFilter::new()
        .runtime(Runtime::Container)
        .runtime(Runtime::Plugin)
        .runtime(Runtime::Attachment)
}

/// The peak-memory child: VmHWM before and after one list, as one JSON line on stdout.
fn peak_child(host: &str, tasks: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let docker = HttpTransport::builder().host(host).build().unwrap();
    // The version negotiation (and its connection) belongs to the baseline.
    runtime.block_on(docker.api_version()).unwrap();
    let before = vm_hwm_kib();
    let listed = runtime
        .block_on(docker.list_tasks(&every_runtime()))
        .unwrap();
    let after = vm_hwm_kib();
    assert_eq!(listed.len(), tasks);
    println!("{{\"baseline_kib\":{before},\"peak_kib\":{after}}}");
    drop(listed);
}

/// This process's peak resident set (`VmHWM`), in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Pairs of (list, parse) timed in turns, per size.
const ALTERNATING: [(usize, usize); 3] = [(1_000, 300), (10_000, 60), (50_000, 12)];

/// Times the list and the parse alone in turns (see the crate docs above) and reports the
/// medians of each.
fn alternating() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    for (n, pairs) in ALTERNATING {
        let body = history_body(HistoryParams::tasks(n)).unwrap();
        let server = Server::start(n);
        let docker = HttpTransport::builder().host(&server.host).build().unwrap();
        // The version negotiation and the first (unkept) answer are not timed.
        runtime
            .block_on(docker.list_tasks(&every_runtime()))
            .unwrap();
        // Each timing includes dropping the tasks, as criterion's rows do.
        let (list, parse) = in_turns(
            pairs,
            || {
                let listed = runtime
                    .block_on(docker.list_tasks(&every_runtime()))
                    .unwrap();
                assert_eq!(listed.len(), n);
            },
            || {
                swarm_models::decode_list::<Task>(black_box(&body)).unwrap();
            },
        );
        drop(server);
        println!(
            "list/alternating/{n}: {pairs} pairs, list {:.2} ms, parse {:.2} ms, {:.2} x",
            list / 1e6,
            parse / 1e6,
            list / parse
        );
        rows.push(
            serde_json::json!({"tasks": n, "pairs": pairs, "list_ns": list, "parse_ns": parse}),
        );
    }
    if let Ok(dir) = std::env::var(REPORT_DIR) {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            Path::new(&dir).join("list-alternating.json"),
            serde_json::to_vec_pretty(&serde_json::json!({ "rows": rows })).unwrap(),
        )
        .unwrap();
    }
}

/// Runs the peak-memory child against a server of [`PEAK_TASKS`] tasks and reports.
fn peak_memory() {
    let body_bytes = history_body(HistoryParams::tasks(PEAK_TASKS))
        .unwrap()
        .len() as u64;
    let server = Server::start(PEAK_TASKS);
    let output = Command::new(std::env::current_exe().unwrap())
        .env(PEAK, &server.host)
        .env(TASKS, PEAK_TASKS.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    drop(server);
    assert!(
        output.status.success(),
        "the peak-memory child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let figures: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let baseline = figures["baseline_kib"].as_u64().unwrap() * 1024;
    let peak = figures["peak_kib"].as_u64().unwrap() * 1024;
    let above = peak.saturating_sub(baseline);
    let ratio = above as f64 / body_bytes as f64;
    println!(
        "list/memory/{PEAK_TASKS}: body {body_bytes} bytes; VmHWM {baseline} bytes before, {peak} after: {above} above baseline = {ratio:.2} x the body"
    );
    if let Ok(dir) = std::env::var(REPORT_DIR) {
        let report = serde_json::json!({
            "tasks": PEAK_TASKS,
            "body_bytes": body_bytes,
            "baseline_bytes": baseline,
            "peak_bytes": peak,
            "above_baseline_bytes": above,
            "ratio_to_body": ratio,
        });
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            Path::new(&dir).join("list-memory.json"),
            serde_json::to_vec_pretty(&report).unwrap(),
        )
        .unwrap();
    }
}
