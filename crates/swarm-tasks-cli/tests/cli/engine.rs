//! Against the fake engine over TCP: the same rows as a replay, few requests, the same table
//! as the real `docker` CLI, `--timeout` and Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use swarm_testkit::{FakeEngine, FakeSwarm, Fault};

use crate::util::{command, replay, run, sample_snapshot};

#[test]
fn service_ps_over_http_matches_replay_in_three_requests() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let live = run(&[
        "-H",
        &host,
        "--transport",
        "http",
        "service",
        "ps",
        "web",
        "monitor",
    ]);
    let sample = sample_snapshot();
    let recorded = replay(sample.path(), &["service", "ps", "web", "monitor"]);
    assert_eq!(live.ok(), recorded.ok());
    let swarm_requests: Vec<String> = engine
        .requests()
        .into_iter()
        .filter(|request| request.path != "/_ping" && request.path != "/version")
        .map(|request| request.path)
        .collect();
    assert!(swarm_requests.len() <= 3, "{swarm_requests:?}");
}

#[test]
fn same_table_as_docker() {
    if Command::new("docker").arg("--version").output().is_err() {
        eprintln!("SKIPPED same_table_as_docker: no `docker` binary on PATH");
        return;
    }
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let docker_config = tempfile::tempdir().unwrap();
    let cases: [&[&str]; 4] = [
        &["service", "ps", "web", "monitor", "broken"],
        &["service", "ps", "--no-trunc", "web", "pending-svc"],
        &["node", "ps", "node-2"],
        &["service", "ps", "-q", "web"],
    ];
    for args in cases {
        // An empty config: a user's `tasksFormat` must not change docker's table.
        let docker = Command::new("docker")
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["-H", &host])
            .args(args)
            .output()
            .unwrap();
        assert!(
            docker.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&docker.stderr)
        );
        // Both measure ages from the real clock here.
        let ours = command(&["-H", &host, "--transport", "http"])
            .args(args)
            .env_remove("SWARM_TASKS_NOW")
            .output()
            .unwrap();
        assert!(
            ours.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(
            String::from_utf8(ours.stdout).unwrap(),
            String::from_utf8(docker.stdout).unwrap(),
            "{args:?}"
        );
    }
}

#[test]
fn timeout_gives_up_with_exit_3() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(Fault::Latency(Duration::from_secs(60)));
    let outcome = run(&[
        "-H",
        &engine.host(),
        "--transport",
        "http",
        "--timeout",
        "300ms",
        "ls",
    ]);
    outcome.code(3);
    assert!(
        outcome.stderr.starts_with("swarm-tasks: "),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("hint: raise --timeout"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn ctrl_c_exits_130() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(Fault::Latency(Duration::from_secs(60)));
    let mut child = command(&["-vv", "-H", &engine.host(), "--transport", "http", "ls"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The debug line comes after the Ctrl-C handler is installed and before the first
    // request: once it is read, the signal is handled, not fatal.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr closed before the client was ready"
        );
        if line.contains("client ready") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}
