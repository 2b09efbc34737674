//! Remote swarms (issue 16): what `swarm-tasks` costs through the CLI transport, against the
//! HTTP transport and against `docker`, measured as a user runs the commands (a fresh process
//! per run, wall time from start to exit).
//!
//! 1. Fake swarm: 10,000 tasks over 101 nodes (`GenerateParams::tasks_10k_101_nodes`, 40
//!    services of 250 tasks), every round trip delayed 2 ms, served on a unix socket.
//!    `service ps svc-0000` and `ls` with `--transport http`, with `--transport cli` (the
//!    Engine API over `docker system dial-stdio`) and with `--transport cli` and a docker
//!    binary without dial-stdio (the command fallback); `docker service ps` beside them.
//! 2. The same swarm through a private sshd on loopback (`swarm_tasks_e2e::ssh`, whose
//!    sessions get `DOCKER_HOST` = the fake engine's socket): `swarm-tasks -H
//!    ssh://root@127.0.0.1:PORT service ps` against `docker -H ssh://... service ps`.
//! 3. With `--real-engine`: the same through the sshd to this machine's Docker Engine (which
//!    must be a swarm manager), on a 2-replica service the benchmark creates and removes.
//!
//! Every command runs RUNS times (default 10; the command fallback's `ls`, about a minute a
//! run, `--slow-runs` times, default 3); the tables give the median, fastest and slowest
//! wall time, the daemon requests the fake engine recorded per run, the `docker` processes
//! started per run and, through the sshd, the ssh connections per run. `docker` and `ssh` are
//! counted by wrappers first on the child's `PATH` that log a line and run the real program
//! (`swarm_tasks_e2e::ssh::write_docker_wrapper`); through the sshd, each connection also runs
//! one `docker system dial-stdio` on the far side, which the local count leaves out.
//! Before timing, it checks once that the transports print the same output.
//!
//! This is a benchmark, not a test: it prints numbers and never fails on them.
//!
//! ```sh
//! cargo bench -p swarm-tasks-cli --bench remote                         # 1 and 2, 10 runs
//! cargo bench -p swarm-tasks-cli --bench remote -- --real-engine        # and 3
//! cargo bench -p swarm-tasks-cli --bench remote -- --runs 3 --skip-fake # 2 (and 3) only
//! cargo bench -p swarm-tasks-cli --bench remote -- --slow-runs 10       # default 3
//! cargo bench -p swarm-tasks-cli --bench remote -- --serve  # only serve the fake swarm
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a clear failure

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use swarm_tasks_e2e::ssh::{Sshd, count_calls, ssh_tools, write_docker_wrapper};
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, GenerateParams};

const BIN: &str = env!("CARGO_BIN_EXE_swarm-tasks");
const SERVICE: &str = "svc-0000";
const LATENCY: Duration = Duration::from_millis(2);

fn main() {
    let settings = Settings::from_args();
    let Some(tools) = ssh_tools() else {
        println!("!! needs docker, sshd, ssh and ssh-keygen");
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let docker_config = scratch.path().join("docker-config");
    std::fs::create_dir_all(&docker_config).unwrap();
    let bench = Bench {
        runs: settings.runs,
        slow_runs: settings.slow_runs,
        docker_config,
    };
    println!(
        "{} runs of each command ({} of the command fallback's ls); the machine is shared, so compare rows of one run",
        settings.runs, settings.slow_runs
    );

    let params = GenerateParams::tasks_10k_101_nodes();
    let engine = FakeEngine::spawn_unix(
        FakeSwarm::generate(params),
        &scratch.path().join("fake.sock"),
    )
    .unwrap();
    engine.set_fault(Fault::Latency(LATENCY));
    let fake = Some(&engine);
    let host = engine.host();
    if settings.serve {
        // For profiling one command by hand against the same swarm.
        println!("serving the fake swarm at {host} until stdin closes");
        let mut sink = String::new();
        while std::io::stdin()
            .read_line(&mut sink)
            .is_ok_and(|read| read > 0)
        {}
        return;
    }
    println!(
        "\nfake swarm: {} tasks over {} nodes, {} per service, {LATENCY:?} per round trip, at {host}",
        params.n_tasks(),
        params.nodes,
        params.n_tasks() / params.services
    );

    if !settings.skip_fake {
        let with_dial = scratch.path().join("bin-dial-stdio");
        let without_dial = scratch.path().join("bin-commands");
        for (dir, dial_stdio) in [(&with_dial, true), (&without_dial, false)] {
            std::fs::create_dir_all(dir).unwrap();
            write_docker_wrapper(dir, &tools.docker, &dir.join("calls.log"), dial_stdio);
        }
        let swarm_tasks = |name: &'static str, transport: &str, bin: &Path, command: &[&str]| {
            Tool::swarm_tasks(name, &["-H", &host, "--transport", transport], bin, command)
        };
        for command in [&["service", "ps", SERVICE][..], &["ls"][..]] {
            let mut fallback = swarm_tasks("cli (commands)", "cli", &without_dial, command);
            if command[0] == "ls" {
                fallback = fallback.slow();
            }
            let mut tools = vec![
                swarm_tasks("http", "http", &with_dial, command),
                swarm_tasks("cli (dial-stdio)", "cli", &with_dial, command),
                fallback,
            ];
            if command[0] == "service" {
                tools.push(Tool::docker("docker", &with_dial, &["-H", &host], command));
            }
            bench.compare(
                &format!("1. fake swarm: {}", command.join(" ")),
                fake,
                &tools,
            );
        }
    }

    let over_ssh = Sshd::start(&tools, &host);
    let ssh_host = over_ssh.host();
    let bin = over_ssh.bin_dir(true);
    for command in [&["service", "ps", SERVICE][..], &["ls"][..]] {
        let mut tools = vec![
            Tool::swarm_tasks("swarm-tasks", &["-H", &ssh_host], &bin, command)
                .logging_to(over_ssh.calls()),
        ];
        if command[0] == "service" {
            tools.push(
                Tool::docker("docker", &bin, &["-H", &ssh_host], command)
                    .logging_to(over_ssh.calls()),
            );
        }
        bench.compare(
            &format!("2. through sshd to the fake swarm: {}", command.join(" ")),
            fake,
            &tools,
        );
    }
    drop(over_ssh);
    drop(engine);

    if settings.real_engine {
        real_engine(&bench, &tools);
    }
}

/// Section 3: the real engine through the sshd, on a 2-replica service made for the run.
fn real_engine(bench: &Bench, tools: &swarm_tasks_e2e::ssh::SshTools) {
    use swarm_testkit::real_engine::{build_test_image, docker, ensure_swarm};
    ensure_swarm().unwrap();
    let image = build_test_image().unwrap();
    let name = format!("{}remote", swarm_tasks_e2e::unique_prefix());
    docker([
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--replicas",
        "2",
        &image,
        "sleep",
        "3600",
    ])
    .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        swarm_tasks_e2e::wait_for(
            "2 running tasks",
            Duration::from_secs(60),
            Duration::from_millis(200),
            || {
                let states = docker([
                    "service",
                    "ps",
                    "--filter",
                    "desired-state=running",
                    "--format",
                    "{{.CurrentState}}",
                    &name,
                ])
                .map_err(|err| format!("{err:?}"))?;
                let running = states
                    .lines()
                    .filter(|line| line.starts_with("Running"))
                    .count();
                Ok((running == 2).then_some(()))
            },
        )
        .unwrap();
        // CURRENT STATE reads "Running less than a second ago", then "Running 1 second ago"
        // ... "Running 10 seconds ago": each change of its width moves the whole table, so the
        // outputs compared below would differ by when each command ran. From 11 s to a
        // minute the width holds.
        std::thread::sleep(Duration::from_secs(11));
        let over_ssh = Sshd::start(tools, "unix:///var/run/docker.sock");
        let ssh_host = over_ssh.host();
        let bin = over_ssh.bin_dir(true);
        let command = ["service", "ps", name.as_str()];
        let tools = [
            Tool::swarm_tasks("swarm-tasks", &["-H", &ssh_host], &bin, &command)
                .logging_to(over_ssh.calls()),
            Tool::docker("docker", &bin, &["-H", &ssh_host], &command).logging_to(over_ssh.calls()),
        ];
        bench.compare(
            "3. through sshd to the real engine: service ps (2 replicas)",
            None,
            &tools,
        );
    }));
    let _ = docker(["service", "rm", &name]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

struct Settings {
    runs: usize,
    slow_runs: usize,
    real_engine: bool,
    skip_fake: bool,
    /// Only serve the fake swarm (printing its host) until stdin closes, for profiling.
    serve: bool,
}

impl Settings {
    /// `--runs N`, `--slow-runs N`, `--real-engine`, `--skip-fake`; everything else
    /// (`--bench`) is ignored.
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let number = |flag: &str, default: usize| {
            args.iter()
                .position(|arg| arg == flag)
                .and_then(|idx| args.get(idx + 1))
                .and_then(|value| value.parse().ok())
                .filter(|runs| *runs > 0)
                .unwrap_or(default)
        };
        Self {
            runs: number("--runs", 10),
            slow_runs: number("--slow-runs", 3),
            real_engine: args.iter().any(|arg| arg == "--real-engine"),
            skip_fake: args.iter().any(|arg| arg == "--skip-fake"),
            serve: args.iter().any(|arg| arg == "--serve"),
        }
    }
}

/// One command line to time: a program, its arguments, the wrapper directory first on its
/// `PATH` and the log its wrappers write (one line per `docker` or `ssh` run).
struct Tool {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    bin: PathBuf,
    log: PathBuf,
    /// Timed `--slow-runs` times instead of `--runs` (the command fallback's `ls`).
    slow: bool,
}

impl Tool {
    fn swarm_tasks(name: &'static str, global: &[&str], bin: &Path, command: &[&str]) -> Self {
        Self {
            name,
            program: PathBuf::from(BIN),
            args: global
                .iter()
                .chain(command)
                .map(|arg| (*arg).to_owned())
                .collect(),
            bin: bin.to_owned(),
            log: bin.join("calls.log"),
            slow: false,
        }
    }

    fn docker(name: &'static str, bin: &Path, global: &[&str], command: &[&str]) -> Self {
        Self {
            program: bin.join("docker"),
            ..Self::swarm_tasks(name, global, bin, command)
        }
    }

    /// The same, counted in another log (the sshd's).
    fn logging_to(self, log: PathBuf) -> Self {
        Self { log, ..self }
    }

    fn slow(self) -> Self {
        Self { slow: true, ..self }
    }

    fn log(&self) -> PathBuf {
        self.log.clone()
    }

    fn run(&self, docker_config: &Path) -> Output {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new(&self.program)
            .args(&self.args)
            .env("PATH", path)
            // An empty docker config: no user contexts, and a user's `tasksFormat` must not
            // change docker's table.
            .env("DOCKER_CONFIG", docker_config)
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.program.display()))
    }
}

struct Bench {
    runs: usize,
    slow_runs: usize,
    docker_config: PathBuf,
}

/// What one run cost.
struct Run {
    wall: Duration,
    requests: usize,
    docker: usize,
    ssh: usize,
}

impl Bench {
    /// Times each tool RUNS times and prints one markdown table.
    fn compare(&self, title: &str, engine: Option<&FakeEngine>, tools: &[Tool]) {
        println!("\n### {title}\n");
        self.check_outputs(tools);
        println!(
            "| command | runs | median | fastest | slowest | daemon requests | docker processes | ssh connections |"
        );
        println!("|---|---|---|---|---|---|---|---|");
        let mut medians = Vec::new();
        let mut breakdowns = Vec::new();
        for tool in tools {
            let n_runs = if tool.slow { self.slow_runs } else { self.runs };
            let mut runs = Vec::with_capacity(n_runs);
            let mut breakdown = BTreeMap::new();
            for _ in 0..n_runs {
                if let Some(engine) = engine {
                    engine.reset_requests();
                }
                let _ = std::fs::remove_file(tool.log());
                let started = Instant::now();
                let output = tool.run(&self.docker_config);
                let wall = started.elapsed();
                assert!(
                    output.status.success(),
                    "{} failed: {}",
                    tool.name,
                    String::from_utf8_lossy(&output.stderr)
                );
                let requests = engine.map_or(0, FakeEngine::request_count);
                if let Some(engine) = engine {
                    breakdown = by_path(engine);
                }
                runs.push(Run {
                    wall,
                    requests,
                    docker: count_calls(&tool.log(), "docker"),
                    ssh: count_calls(&tool.log(), "ssh"),
                });
            }
            runs.sort_by_key(|run| run.wall);
            let median = runs[runs.len() / 2].wall;
            medians.push((tool.name, median));
            let requests = if engine.is_some() {
                spread(runs.iter().map(|run| run.requests))
            } else {
                String::from("(real engine)")
            };
            println!(
                "| {} | {n_runs} | {} | {} | {} | {} | {} | {} |",
                tool.name,
                millis(median),
                millis(runs[0].wall),
                millis(runs[runs.len() - 1].wall),
                requests,
                spread(runs.iter().map(|run| run.docker)),
                spread(runs.iter().map(|run| run.ssh)),
            );
            breakdowns.push((tool.name, breakdown));
        }
        println!();
        if let Some((base_name, base)) = medians.first() {
            for (name, median) in &medians[1..] {
                println!(
                    "- {name} / {base_name}: {:.2}x",
                    median.as_secs_f64() / base.as_secs_f64()
                );
            }
        }
        for (name, breakdown) in breakdowns {
            if breakdown.is_empty() {
                continue;
            }
            let parts: Vec<String> = breakdown
                .iter()
                .map(|(path, count)| format!("{path} x{count}"))
                .collect();
            println!("- {name}, requests of the last run: {}", parts.join(", "));
        }
    }

    /// The tools print the same thing (docker's ages can differ if a run straddled a unit).
    fn check_outputs(&self, tools: &[Tool]) {
        let outputs: Vec<(&str, String)> = tools
            .iter()
            .map(|tool| {
                let output = tool.run(&self.docker_config);
                assert!(
                    output.status.success(),
                    "{} failed: {}",
                    tool.name,
                    String::from_utf8_lossy(&output.stderr)
                );
                (
                    tool.name,
                    String::from_utf8_lossy(&output.stdout).into_owned(),
                )
            })
            .collect();
        let (first_name, first) = &outputs[0];
        for (name, text) in &outputs[1..] {
            let verdict = if text == first {
                String::from("identical")
            } else if without_ages(text) == without_ages(first) {
                // Run a moment apart, the two can read "Running 11 seconds ago" and "Running
                // 12 seconds ago"; the e2e suite compares tables with docker exactly.
                String::from("identical but for the ages in CURRENT STATE")
            } else {
                match text
                    .lines()
                    .zip(first.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                {
                    Some((idx, (theirs, ours))) => format!(
                        "DIFFERENT from line {}:\n  {first_name}: {ours}\n  {name}: {theirs}\n",
                        idx + 1
                    ),
                    None => String::from("DIFFERENT at the end"),
                }
            };
            println!(
                "output of {name} vs {first_name}: {verdict} ({} lines)",
                text.lines().count()
            );
        }
        println!();
    }
}

/// `n`, or `min-max` when the runs differ.
fn spread(values: impl Iterator<Item = usize>) -> String {
    let values: Vec<usize> = values.collect();
    let min = values.iter().min().copied().unwrap_or(0);
    let max = values.iter().max().copied().unwrap_or(0);
    if min == max {
        min.to_string()
    } else {
        format!("{min}-{max}")
    }
}

/// Requests of the last run, grouped by path (inspects folded into `/<kind>/{id}`).
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
        *counts
            .entry(format!("{} {path}", request.method))
            .or_insert(0) += 1;
    }
    counts
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// `text` with the number of every "N seconds ago" (and "N second ago") replaced by `N`.
fn without_ages(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" second") {
        let (before, after) = rest.split_at(at);
        let kept = before.trim_end_matches(|c: char| c.is_ascii_digit());
        out.push_str(kept);
        if kept.len() < before.len() {
            out.push('N');
        }
        out.push_str(" second");
        rest = &after[" second".len()..];
    }
    out.push_str(rest);
    out
}
