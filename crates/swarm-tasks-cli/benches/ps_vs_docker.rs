//! Side by side: `swarm-tasks service ps SVC` against `docker service ps SVC`, on the same fake
//! engine, with the same swarm (1,000 tasks of one service over 100 nodes), once over loopback
//! TCP and once over a unix socket.
//!
//! This is a benchmark, not a test: it prints numbers and never fails on them.
//! It runs both commands RUNS times (default 10), each as a fresh process the way a user runs
//! them, and prints the median and fastest wall time and the requests the fake engine recorded
//! per run (docker resolves names with one request per node; swarm-tasks with one list).
//! It also checks once that both print the same table.
//!
//! ```sh
//! cargo bench -p swarm-tasks-cli --bench ps_vs_docker            # 10 runs each
//! cargo bench -p swarm-tasks-cli --bench ps_vs_docker -- --runs 30
//! ```
//!
//! Without a `docker` binary on PATH only swarm-tasks is timed, and the output says so.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a clear failure

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

const SERVICE: &str = "svc-0000";

fn main() {
    let runs = runs_from_args();
    let params = GenerateParams {
        services: 1,
        nodes: 100,
        replicas_per_service: 200,
        history_per_slot: 4,
        seed: 4,
    };
    let swarm = FakeSwarm::generate(params);
    println!(
        "{} tasks of service {SERVICE} over {} nodes; {runs} runs of each command per endpoint",
        params.n_tasks(),
        params.nodes
    );
    let docker_available = Command::new("docker")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !docker_available {
        println!("!! no `docker` binary on PATH: timing swarm-tasks only");
    }

    let socket_dir = std::env::temp_dir().join(format!("ps_vs_docker-{}", std::process::id()));
    std::fs::create_dir_all(&socket_dir).unwrap();
    let engines = [
        FakeEngine::start_blocking(swarm.clone()),
        FakeEngine::spawn_unix(swarm, &socket_dir.join("docker.sock")).unwrap(),
    ];
    for engine in &engines {
        compare(engine, runs, docker_available);
    }
    drop(engines);
    let _ = std::fs::remove_dir_all(&socket_dir);
}

/// Times both commands against one engine and prints a table.
fn compare(engine: &FakeEngine, runs: usize, docker_available: bool) {
    let host = engine.host();
    println!();
    println!("== fake engine at {host}");
    let mut tools = vec![Tool {
        name: "swarm-tasks",
        program: env!("CARGO_BIN_EXE_swarm-tasks").to_owned(),
        args: vec![
            "-H".into(),
            host.clone(),
            "--transport".into(),
            "http".into(),
        ],
    }];
    if docker_available {
        // The CLI transport: the same requests through `docker -H HOST system dial-stdio`.
        tools.push(Tool {
            name: "swarm-tasks (cli)",
            program: env!("CARGO_BIN_EXE_swarm-tasks").to_owned(),
            args: vec![
                "-H".into(),
                host.clone(),
                "--transport".into(),
                "cli".into(),
            ],
        });
    }
    if docker_available {
        tools.push(Tool {
            name: "docker",
            program: "docker".to_owned(),
            args: vec!["-H".into(), host.clone()],
        });
    }
    let outputs: Vec<Output> = tools.iter().map(Tool::run).collect();
    for (tool, output) in tools.iter().zip(&outputs) {
        assert!(
            output.status.success(),
            "{} failed: {}",
            tool.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    if let [ours, over_cli, docker] = &outputs[..] {
        compare_tables(&ours.stdout, &docker.stdout);
        compare_tables(&over_cli.stdout, &docker.stdout);
    }
    println!(
        "{:<18} {:>10} {:>10} {:>10}   requests per run",
        "command", "median", "fastest", "slowest"
    );
    for tool in &tools {
        let mut times = Vec::with_capacity(runs);
        let mut requests = BTreeMap::new();
        for _ in 0..runs {
            engine.reset_requests();
            let started = Instant::now();
            let output = tool.run();
            times.push(started.elapsed());
            assert!(output.status.success(), "{} failed", tool.name);
            requests = by_path(engine);
        }
        times.sort();
        let total: usize = requests.values().sum();
        let breakdown: Vec<String> = requests
            .iter()
            .map(|(path, count)| format!("{path} x{count}"))
            .collect();
        println!(
            "{:<18} {:>10} {:>10} {:>10}   {total} ({})",
            tool.name,
            millis(times[times.len() / 2]),
            millis(times[0]),
            millis(times[times.len() - 1]),
            breakdown.join(", ")
        );
    }
}

struct Tool {
    name: &'static str,
    program: String,
    args: Vec<String>,
}

impl Tool {
    fn run(&self) -> Output {
        Command::new(&self.program)
            // An empty docker config: a user's `tasksFormat` must not change docker's table.
            .env(
                "DOCKER_CONFIG",
                std::env::temp_dir().join("ps_vs_docker-empty-config"),
            )
            .args(&self.args)
            .args(["service", "ps", SERVICE])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.program))
    }
}

/// Requests of the last run, grouped by path (node inspects folded into `/nodes/{id}`).
fn by_path(engine: &FakeEngine) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in engine.requests() {
        let path = match request.path.split('/').nth(1) {
            Some(kind @ ("nodes" | "services" | "tasks"))
                if request.path.matches('/').count() > 1 =>
            {
                format!("/{kind}/{{id}}")
            }
            _ => request.path.clone(),
        };
        *counts.entry(path).or_insert(0) += 1;
    }
    counts
}

/// Both tables should be identical; ages can differ only if a run straddled a unit boundary.
fn compare_tables(ours: &[u8], docker: &[u8]) {
    let ours = String::from_utf8_lossy(ours);
    let docker = String::from_utf8_lossy(docker);
    let n_lines = docker.lines().count();
    match ours.lines().zip(docker.lines()).position(|(a, b)| a != b) {
        None if ours.lines().count() == n_lines => println!("tables: identical ({n_lines} lines)"),
        None => println!(
            "tables: same prefix, but {} lines vs docker's {n_lines}",
            ours.lines().count()
        ),
        Some(line_idx) => {
            println!("tables: first difference at line {}", line_idx + 1);
            println!(
                "  swarm-tasks: {:?}",
                ours.lines().nth(line_idx).unwrap_or_default()
            );
            println!(
                "  docker:      {:?}",
                docker.lines().nth(line_idx).unwrap_or_default()
            );
        }
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// `--runs N`; everything else (`--bench` from cargo) is ignored.
fn runs_from_args() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == "--runs")
        .and_then(|idx| args.get(idx + 1))
        .and_then(|value| value.parse().ok())
        .filter(|runs| *runs > 0)
        .unwrap_or(10)
}
