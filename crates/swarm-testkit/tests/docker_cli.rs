//! The real `docker` CLI against the fake engine (`docker -H tcp://127.0.0.1:PORT ...`): the
//! commands users compare swarm-tasks with must work, print the sample swarm, and only use
//! routes the engine serves. Without a `docker` binary they skip outside CI and fail under
//! `CI=true` (`swarm_testkit::require`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::process::{Command, Output};

use serde_json::Value;
use swarm_testkit::{FakeEngine, FakeSwarm};

/// Runs `docker -H <engine> args...` with an empty config folder (no contexts, no plugins).
/// `None` when there is no docker binary (outside CI; under CI that fails the test).
fn docker(engine: &FakeEngine, args: &[&str]) -> Option<Output> {
    let docker = swarm_testkit::require("docker", "to compare the fake engine with docker's CLI")?;
    let config = tempfile::tempdir().unwrap();
    let result = Command::new(docker)
        .arg("-H")
        .arg(engine.host())
        .args(args)
        .env("DOCKER_CONFIG", config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_API_VERSION")
        .output();
    match result {
        Ok(output) => Some(output),
        Err(err) => panic!("cannot run docker: {err}"),
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "docker failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Every request the CLI made hit a route the engine serves, under the negotiated version.
fn assert_known_routes(engine: &FakeEngine) {
    assert_eq!(engine.unknown_routes(), Vec::<String>::new());
    for request in engine.requests() {
        let known = [
            "/_ping",
            "/info",
            "/version",
            "/tasks",
            "/services",
            "/nodes",
        ]
        .iter()
        .any(|route| request.path == *route || request.path.starts_with(&format!("{route}/")));
        assert!(
            known,
            "the docker CLI asked for {} {}",
            request.method, request.path
        );
        if request.path != "/_ping" {
            assert_eq!(request.version.as_deref(), Some("1.41"), "{}", request.path);
        }
    }
}

fn short(id: &str) -> &str {
    &id[..12]
}

#[test]
fn service_ps_lists_history_errors_and_nodes() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let format = "{{.ID}}|{{.Name}}|{{.Image}}|{{.Node}}|{{.DesiredState}}|{{.Error}}|{{.Ports}}";
    let Some(output) = docker(&engine, &["service", "ps", "--format", format, "web"]) else {
        return;
    };
    let swarm = engine.swarm();
    let web = swarm.tasks_of_service("web");
    let id = |slot: u64, state: &str| {
        let task = web
            .iter()
            .find(|t| t["Slot"] == slot && t["Status"]["State"] == state)
            .unwrap();
        short(task["ID"].as_str().unwrap()).to_owned()
    };
    let expected = [
        format!(
            "{}|web.1|nginx:1.27-alpine|node-1|Running||",
            id(1, "running")
        ),
        format!(
            "{}|web.1|nginx:1.27-alpine|node-3|Shutdown|\"task: non-zero exit (1)\"|",
            id(1, "failed")
        ),
        format!(
            "{}|web.1|nginx:1.27-alpine|node-2|Shutdown||",
            id(1, "shutdown")
        ),
        format!(
            "{}|web.2|nginx:1.27-alpine|node-2|Running||",
            id(2, "running")
        ),
        format!(
            "{}|web.3|nginx:1.27-alpine|node-3|Running||",
            id(3, "running")
        ),
    ];
    assert_eq!(stdout(&output).lines().collect::<Vec<_>>(), expected);
    assert_known_routes(&engine);

    // The default table: docker's columns, history rows, pending and rejected tasks.
    let output = docker(&engine, &["service", "ps", "web", "broken", "pending-svc"]).unwrap();
    let table = stdout(&output);
    let lines: Vec<&str> = table.lines().collect();
    let header: Vec<&str> = lines[0]
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "ID",
            "NAME",
            "IMAGE",
            "NODE",
            "DESIRED STATE",
            "CURRENT STATE",
            "ERROR",
            "PORTS"
        ]
    );
    assert_eq!(lines.len(), 1 + 5 + 2 + 1);
    assert_eq!(lines.iter().filter(|l| l.contains(r" \_ web.1")).count(), 2);
    assert!(
        table.contains("\"No such image: registry.examp…\""),
        "{table}"
    );
    assert!(
        table.contains("\"no suitable node (scheduling …\""),
        "{table}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("pending-svc.1") && l.contains("Pending"))
    );
}

#[test]
fn service_ls_shows_modes_and_replica_counts() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let format = "{{.Name}}|{{.Mode}}|{{.Replicas}}|{{.Image}}|{{.Ports}}";
    let Some(output) = docker(&engine, &["service", "ls", "--format", format]) else {
        return;
    };
    let expected = [
        "broken|replicated|0/1|registry.example.com/team/broken:1.0|",
        "migrate|replicated job|0/1 (2/2 completed)|alpine:3.20|",
        "monitor|global|3/3|prom/node-exporter:v1.8.2|",
        "pending-svc|replicated|0/1|nvidia/cuda:12.4.1-base-ubuntu22.04|",
        "web|replicated|3/3|nginx:1.27-alpine|*:8080->80/tcp",
    ];
    assert_eq!(stdout(&output).lines().collect::<Vec<_>>(), expected);
    assert_known_routes(&engine);
    let services = engine
        .requests()
        .into_iter()
        .find(|r| r.path == "/services")
        .unwrap();
    assert_eq!(services.query_param("status").as_deref(), Some("true"));
}

#[test]
fn node_ps_and_node_ls() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let Some(output) = docker(
        &engine,
        &[
            "node",
            "ps",
            "--format",
            "{{.Name}}|{{.Node}}|{{.CurrentState}}",
            "node-1",
        ],
    ) else {
        return;
    };
    let swarm = engine.swarm();
    let node_1 = swarm.node_id("node-1").unwrap();
    let names: Vec<String> = stdout(&output)
        .lines()
        .map(|line| line.split('|').take(2).collect::<Vec<_>>().join("|"))
        .collect();
    assert_eq!(
        names,
        [
            format!("monitor.{node_1}|node-1"),
            "web.1|node-1".to_owned()
        ]
    );

    // Without a node, `self` is resolved through /info.
    engine.reset_requests();
    let output = docker(&engine, &["node", "ps", "--format", "{{.Name}}"]).unwrap();
    assert_eq!(stdout(&output).lines().count(), 2);
    assert!(engine.requests().iter().any(|r| r.path == "/info"));
    assert_known_routes(&engine);

    let format = "{{.Hostname}}|{{.Self}}|{{.ManagerStatus}}|{{.Status}}|{{.Availability}}";
    let output = docker(&engine, &["node", "ls", "--format", format]).unwrap();
    let expected = [
        "node-1|true|Leader|Ready|Active",
        "node-2|false||Ready|Active",
        "node-3|false||Ready|Active",
    ];
    assert_eq!(stdout(&output).lines().collect::<Vec<_>>(), expected);
}

#[test]
fn inspect_tasks_prints_the_engine_json_and_fails_on_unknown_ids() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let swarm = engine.swarm();
    let first = swarm.tasks()[0]["ID"].as_str().unwrap().to_owned();
    let pending = swarm.tasks_of_service("pending-svc")[0]["ID"]
        .as_str()
        .unwrap()
        .to_owned();
    let Some(output) = docker(
        &engine,
        &["inspect", "--type", "task", &first, &pending[..10]],
    ) else {
        return;
    };
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed[0], *swarm.task(&first).unwrap());
    assert_eq!(printed[1], *swarm.task(&pending).unwrap());
    assert_known_routes(&engine);

    let output = docker(&engine, &["inspect", "--type", "task", &first, "nope"]).unwrap();
    assert_eq!(output.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed.as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("task nope not found"));
}

#[test]
fn service_inspect_and_info() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let Some(output) = docker(&engine, &["service", "inspect", "web"]) else {
        return;
    };
    let swarm = engine.swarm();
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed[0]["ID"].as_str(), swarm.service_id("web"));
    assert_eq!(printed[0]["Spec"]["Labels"]["env"], "prod");

    let output = docker(&engine, &["info", "--format", "{{json .}}"]).unwrap();
    let info: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(info["Swarm"]["NodeID"].as_str(), swarm.node_id("node-1"));
    assert_eq!(info["Swarm"]["ControlAvailable"], true);
    assert_eq!(info["ServerVersion"], "20.10.24");

    let output = docker(&engine, &["version", "--format", "{{.Server.APIVersion}}"]).unwrap();
    assert_eq!(stdout(&output).trim(), "1.41");
    assert_known_routes(&engine);
}

#[test]
fn docker_reports_the_daemons_errors() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let Some(output) = docker(&engine, &["service", "ps", "nope"]) else {
        return;
    };
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such service: nope"));

    engine.set_fault(swarm_testkit::Fault::NotManager(
        swarm_testkit::NotManagerKind::Worker,
    ));
    let output = docker(&engine, &["service", "ls"]).unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Worker nodes can't be used to view or modify cluster state"),
        "{stderr}"
    );
}

#[test]
fn docker_resolves_prefixes_self_and_filters() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let swarm = engine.swarm();
    let web_id = swarm.service_id("web").unwrap().to_owned();
    let Some(output) = docker(&engine, &["service", "ps", "-q", &web_id[..8]]) else {
        return;
    };
    assert_eq!(stdout(&output).lines().count(), 5);

    let output = docker(&engine, &["node", "ps", "--format", "{{.Name}}", "self"]).unwrap();
    let node_1 = swarm.node_id("node-1").unwrap();
    assert_eq!(
        stdout(&output).lines().collect::<Vec<_>>(),
        [format!("monitor.{node_1}"), "web.1".to_owned()]
    );

    let args = [
        "service",
        "ps",
        "--filter",
        "desired-state=running",
        "--format",
        "{{.Name}}",
        "web",
        "monitor",
    ];
    let output = docker(&engine, &args).unwrap();
    assert_eq!(stdout(&output).lines().count(), 6);
    assert_known_routes(&engine);
}

#[test]
fn docker_reads_the_recorded_demo_swarm() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/swarm");
    let swarm = FakeSwarm::from_snapshot(&demo).unwrap();
    let n_services = swarm.services().len();
    let engine = FakeEngine::start_blocking(swarm);
    let Some(output) = docker(&engine, &["service", "ls", "-q"]) else {
        return;
    };
    assert_eq!(stdout(&output).lines().count(), n_services);
    let swarm = engine.swarm();
    let names: Vec<String> = swarm
        .services()
        .iter()
        .filter_map(|service| service["Spec"]["Name"].as_str().map(str::to_owned))
        .collect();
    let mut args = vec!["service", "ps", "-q"];
    args.extend(names.iter().map(String::as_str));
    let output = docker(&engine, &args).unwrap();
    let listed = stdout(&output).lines().count();
    let container_tasks = swarm
        .tasks()
        .iter()
        .filter(|task| task["Spec"].get("ContainerSpec").is_some())
        .count();
    assert_eq!(listed, container_tasks);
    assert_known_routes(&engine);
}
