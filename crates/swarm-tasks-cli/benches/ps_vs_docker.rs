//! Side by side: `swarm-tasks service ps SVC...` against `docker service ps SVC...`, on the
//! same fake engine, with the same swarm (1,000 tasks over 100 nodes, of one service or of
//! `--services N`, all of them listed), once over loopback TCP and once over a unix socket.
//!
//! This is a benchmark, not a test: it prints numbers and never fails on them.
//! It runs both commands RUNS times (default 10), each as a fresh process the way a user runs
//! them, and prints the median and fastest wall time, the median peak RSS of the command
//! (`/usr/bin/time -f %M`, when installed: the wall time then includes starting `time`, for
//! every command alike) and the requests the fake engine recorded per run (docker resolves
//! names with one request per node; swarm-tasks with one list).
//! It also checks once that both print the same table. With `SWARM_BENCH_REPORT_DIR` set, the
//! figures also go to `$SWARM_BENCH_REPORT_DIR/ps_vs_docker.json` (`cargo xtask bench`).
//!
//! ```sh
//! cargo bench -p swarm-tasks-cli --bench ps_vs_docker            # 10 runs each
//! cargo bench -p swarm-tasks-cli --bench ps_vs_docker -- --runs 30 --services 10
//! ```
//!
//! Without a `docker` binary on PATH only swarm-tasks is timed, and the output says so.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a clear failure

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

/// Where `/usr/bin/time` is expected (GNU time, for `-f %M`).
const TIME: &str = "/usr/bin/time";

fn main() {
    let runs = number_from_args("--runs", 10);
    // 1,000 tasks whatever the number of services: 200 slots of 5 tasks in all.
    let n_services = number_from_args("--services", 1).min(200);
    let params = GenerateParams {
        services: n_services,
        nodes: 100,
        replicas_per_service: 200 / n_services,
        history_per_slot: 4,
        seed: 4,
    };
    let swarm = FakeSwarm::generate(params);
    let services: Vec<String> = (0..n_services).map(|idx| format!("svc-{idx:04}")).collect();
    println!(
        "{} tasks of {} service(s) ({}) over {} nodes; {runs} runs of each command per endpoint",
        params.n_tasks(),
        n_services,
        services.join(" "),
        params.nodes
    );
    let time_available = Path::new(TIME).is_file();
    if !time_available {
        println!("!! no {TIME}: peak RSS not measured (apt-get install time)");
    }
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
    let rss_file = time_available.then(|| socket_dir.join("rss"));
    let mut report = Vec::new();
    for engine in &engines {
        report.push(compare(
            engine,
            runs,
            docker_available,
            &services,
            rss_file.as_deref(),
        ));
    }
    drop(engines);
    let _ = std::fs::remove_dir_all(&socket_dir);
    if let Ok(dir) = std::env::var("SWARM_BENCH_REPORT_DIR") {
        let report = json!({
            "tasks": params.n_tasks(),
            "services": n_services,
            "nodes": params.nodes,
            "runs": runs,
            "endpoints": report,
        });
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            Path::new(&dir).join("ps_vs_docker.json"),
            serde_json::to_vec_pretty(&report).unwrap(),
        )
        .unwrap();
    }
}

/// Times both commands against one engine, prints a table and returns its figures.
fn compare(
    engine: &FakeEngine,
    runs: usize,
    docker_available: bool,
    services: &[String],
    rss_file: Option<&Path>,
) -> Value {
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
        services: services.to_vec(),
        rss_file: rss_file.map(Path::to_path_buf),
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
            services: services.to_vec(),
            rss_file: rss_file.map(Path::to_path_buf),
        });
    }
    if docker_available {
        tools.push(Tool {
            name: "docker",
            program: "docker".to_owned(),
            args: vec!["-H".into(), host.clone()],
            services: services.to_vec(),
            rss_file: rss_file.map(Path::to_path_buf),
        });
    }
    let outputs: Vec<Output> = tools.iter().map(|tool| tool.run().0).collect();
    for (tool, output) in tools.iter().zip(&outputs) {
        assert!(
            output.status.success(),
            "{} failed: {}",
            tool.name,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut tables = "not compared".to_owned();
    if let [ours, over_cli, docker] = &outputs[..] {
        tables = compare_tables(&ours.stdout, &docker.stdout);
        compare_tables(&over_cli.stdout, &docker.stdout);
    }
    println!(
        "{:<18} {:>10} {:>10} {:>10} {:>10}   requests per run",
        "command", "median", "fastest", "slowest", "peak RSS"
    );
    let mut figures = Vec::new();
    for tool in &tools {
        let mut times = Vec::with_capacity(runs);
        let mut rss_kib = Vec::with_capacity(runs);
        let mut requests = BTreeMap::new();
        for _ in 0..runs {
            engine.reset_requests();
            let started = Instant::now();
            let (output, rss) = tool.run();
            times.push(started.elapsed());
            assert!(output.status.success(), "{} failed", tool.name);
            rss_kib.extend(rss);
            requests = by_path(engine);
        }
        times.sort();
        rss_kib.sort();
        let rss_median = rss_kib.get(rss_kib.len() / 2).copied();
        let total: usize = requests.values().sum();
        let breakdown: Vec<String> = requests
            .iter()
            .map(|(path, count)| format!("{path} x{count}"))
            .collect();
        println!(
            "{:<18} {:>10} {:>10} {:>10} {:>10}   {total} ({})",
            tool.name,
            millis(times[times.len() / 2]),
            millis(times[0]),
            millis(times[times.len() - 1]),
            rss_median.map_or_else(
                || "-".to_owned(),
                |kib| format!("{:.1} MiB", kib as f64 / 1024.0)
            ),
            breakdown.join(", ")
        );
        figures.push(json!({
            "command": tool.name,
            "argv": tool.argv(),
            "median_ms": ms(times[times.len() / 2]),
            "fastest_ms": ms(times[0]),
            "slowest_ms": ms(times[times.len() - 1]),
            "peak_rss_kib_median": rss_median,
            "peak_rss_kib_max": rss_kib.last(),
            "requests_per_run": total,
            "requests": requests,
        }));
    }
    json!({ "host": host, "tables": tables, "commands": figures })
}

struct Tool {
    name: &'static str,
    program: String,
    args: Vec<String>,
    /// The services listed.
    services: Vec<String>,
    /// Where `/usr/bin/time` writes the peak RSS; `None` to run the command alone.
    rss_file: Option<PathBuf>,
}

impl Tool {
    /// The command line, as shown in the report (the program by its file name).
    fn argv(&self) -> Vec<String> {
        let program = Path::new(&self.program).file_name().map_or_else(
            || self.program.clone(),
            |name| name.to_string_lossy().into_owned(),
        );
        let mut argv = vec![program];
        argv.extend(self.args.iter().cloned());
        argv.extend(["service".to_owned(), "ps".to_owned()]);
        argv.extend(self.services.iter().cloned());
        argv
    }

    /// Runs the command once: its output, and its peak RSS in KiB when measured.
    fn run(&self) -> (Output, Option<u64>) {
        let mut command = match &self.rss_file {
            Some(rss_file) => {
                let mut command = Command::new(TIME);
                command
                    .args(["-f", "%M", "-o"])
                    .arg(rss_file)
                    .arg(&self.program);
                command
            }
            None => Command::new(&self.program),
        };
        let output = command
            // An empty docker config: a user's `tasksFormat` must not change docker's table.
            .env(
                "DOCKER_CONFIG",
                std::env::temp_dir().join("ps_vs_docker-empty-config"),
            )
            .args(&self.args)
            .args(["service", "ps"])
            .args(&self.services)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.program));
        let rss = self.rss_file.as_ref().and_then(|file| {
            std::fs::read_to_string(file)
                .ok()?
                .lines()
                .last()?
                .trim()
                .parse()
                .ok()
        });
        (output, rss)
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
/// Prints the verdict and returns its first line.
fn compare_tables(ours: &[u8], docker: &[u8]) -> String {
    let ours = String::from_utf8_lossy(ours);
    let docker = String::from_utf8_lossy(docker);
    let n_lines = docker.lines().count();
    let verdict = match ours.lines().zip(docker.lines()).position(|(a, b)| a != b) {
        None if ours.lines().count() == n_lines => format!("identical ({n_lines} lines)"),
        None => format!(
            "same prefix, but {} lines vs docker's {n_lines}",
            ours.lines().count()
        ),
        Some(line_idx) => {
            let verdict = format!("first difference at line {}", line_idx + 1);
            println!("tables: {verdict}");
            println!(
                "  swarm-tasks: {:?}",
                ours.lines().nth(line_idx).unwrap_or_default()
            );
            println!(
                "  docker:      {:?}",
                docker.lines().nth(line_idx).unwrap_or_default()
            );
            return verdict;
        }
    };
    println!("tables: {verdict}");
    verdict
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", ms(duration))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// `--runs N` or `--services N` (at least 1), else `default`; everything else (`--bench`
/// from cargo) is ignored.
fn number_from_args(flag: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == flag)
        .and_then(|idx| args.get(idx + 1))
        .and_then(|value| value.parse().ok())
        .filter(|value| *value > 0)
        .unwrap_or(default)
}
