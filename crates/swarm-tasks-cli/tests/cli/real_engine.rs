//! Side by side with the docker CLI on the real engine: the same `--format` templates and
//! `json` give the same bytes for `service ps`, `node ps` and `inspect`. Runs when
//! `SWARM_TASKS_E2E=1` (as `.ci/run` sets it when an engine answers); creates one service
//! with a unique name and removes it.

use std::time::{Duration, Instant};

use swarm_testkit::real_engine::{self, ServiceGuard, docker};

use crate::util::command;

/// The same output from docker and from us, for `args`; ages may tick between the two runs,
/// so a difference is retried a few times.
fn same_as_docker(args: &[&str]) {
    let mut last = String::new();
    for _ in 0..5 {
        let theirs = docker(args).unwrap_or_else(|error| panic!("docker {args:?}: {error}"));
        assert!(!theirs.trim().is_empty(), "docker {args:?} printed nothing");
        let ours = command(args)
            .env_remove("SWARM_TASKS_NOW")
            .output()
            .unwrap();
        assert!(
            ours.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let ours = String::from_utf8(ours.stdout).unwrap();
        if ours == theirs {
            return;
        }
        last = format!("docker:\n{theirs}\nswarm-tasks:\n{ours}");
        std::thread::sleep(Duration::from_millis(700));
    }
    panic!("{args:?} differs:\n{last}");
}

#[test]
fn same_formats_as_docker_on_the_real_engine() {
    if !swarm_testkit::require_flag(
        "SWARM_TASKS_E2E",
        "by the real-engine comparison with docker (.ci/run sets it)",
    ) {
        return;
    }
    assert!(
        real_engine::docker_available(),
        "SWARM_TASKS_E2E=1 but no engine answers"
    );
    real_engine::ensure_swarm().unwrap();
    let image = real_engine::build_test_image().unwrap();
    let name = format!("st-habits-{}", std::process::id());
    let mut guard = ServiceGuard::new();
    guard.track(&name);
    docker([
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--replicas",
        "2",
        "--env",
        "TOKEN=abc",
        &image,
        "sleep",
        "3600",
    ])
    .unwrap();
    let started = Instant::now();
    loop {
        let states = docker(["service", "ps", &name, "--format", "{{.CurrentState}}"]).unwrap();
        if states.lines().count() == 2 && states.lines().all(|line| line.starts_with("Running")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{name} never ran:\n{states}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let ids = docker(["service", "ps", "-q", &name]).unwrap();
    let id = ids.lines().next().unwrap().to_owned();
    let filter = format!("name={name}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["service", "ps", &name],
        vec!["service", "ps", &name, "--format", "json"],
        vec!["service", "ps", &name, "--format", "{{json .}}"],
        vec![
            "service",
            "ps",
            &name,
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Name}} {{.Image}} {{.Error}}|{{.Ports}}",
        ],
        vec![
            "service",
            "ps",
            &name,
            "--format",
            "table {{.ID}}\\t{{.Name}}\\t{{.Node}}\\t{{upper .DesiredState}}",
        ],
        vec!["service", "ps", "-q", &name],
        vec!["node", "ps", "-q", "-f", &filter],
        vec![
            "node",
            "ps",
            "-f",
            &filter,
            "--format",
            "{{.Name}} {{.Node}} {{.CurrentState}}",
        ],
        vec![
            "inspect",
            "--type",
            "task",
            "-f",
            "{{.Status.State}} {{json .Status.ContainerStatus}} {{.Spec.ContainerSpec.Image}}",
            &id,
        ],
        vec![
            "inspect",
            "--type",
            "task",
            "-f",
            "{{.ServiceID}} {{.Slot}} {{json .Spec.ContainerSpec.Env}} {{.CreatedAt}}",
            &id,
        ],
    ];
    for args in &cases {
        same_as_docker(args);
    }
    guard.remove_now().unwrap();
}
