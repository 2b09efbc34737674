//! The facade against the fake engine over HTTP: request counts at scale, and rows that match
//! what the real `docker` CLI prints for the same swarm.
#![cfg(all(feature = "http", feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use swarm_tasks::models::TaskState;
use swarm_tasks::{Client, PsOptions, TransportKind};
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

/// Paths requested since the last reset, without pings (version negotiation).
fn paths(engine: &FakeEngine) -> Vec<String> {
    let mut paths: Vec<String> = engine
        .requests()
        .into_iter()
        .filter(|request| request.path != "/_ping")
        .map(|request| request.path)
        .collect();
    paths.sort();
    paths
}

async fn http_client(engine: &FakeEngine) -> Client {
    let client = Client::builder().host(engine.host()).build().unwrap();
    // The first call negotiates the API version; count from a warm client.
    client.system_info().await.unwrap();
    engine.reset_requests();
    client
}

#[tokio::test]
async fn service_ps_over_100_nodes_makes_three_requests() {
    let params = GenerateParams {
        services: 4,
        nodes: 100,
        replicas_per_service: 150,
        history_per_slot: 1,
        seed: 7,
    };
    let engine = FakeEngine::start(FakeSwarm::generate(params)).await;
    let client = http_client(&engine).await;
    let services = strings(&["svc-0000", "svc-0001", "svc-0002", "svc-0003"]);
    let report = client
        .service_ps(&services, &PsOptions::default())
        .await
        .unwrap();
    assert_eq!(report.rows.len(), params.n_tasks());
    let nodes: std::collections::BTreeSet<_> = report
        .rows
        .iter()
        .filter_map(|row| row.node_name.clone())
        .collect();
    assert!(
        nodes.len() > 50,
        "tasks spread over {} nodes only",
        nodes.len()
    );
    assert_eq!(paths(&engine), ["/nodes", "/services", "/tasks"]);
    assert!(engine.request_count() <= 3, "{:?}", engine.requests());
}

#[tokio::test]
async fn node_ps_self_makes_four_requests() {
    let engine = FakeEngine::start(FakeSwarm::generate(GenerateParams {
        nodes: 100,
        ..GenerateParams::default()
    }))
    .await;
    let client = http_client(&engine).await;
    let report = client.node_ps(&[], &PsOptions::default()).await.unwrap();
    assert!(!report.rows.is_empty());
    assert!(
        report
            .rows
            .iter()
            .all(|row| row.node_name.as_deref() == Some("node-1"))
    );
    assert_eq!(paths(&engine), ["/info", "/nodes", "/services", "/tasks"]);
}

#[tokio::test]
async fn rows_resolve_names_with_two_requests() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let client = http_client(&engine).await;
    let tasks = client.list(&Default::default()).await.unwrap();
    engine.reset_requests();
    let rows = client
        .rows(tasks.into_items(), &PsOptions::default())
        .await
        .unwrap();
    assert!(rows.iter().any(|row| row.name == "web.1" && row.is_history));
    assert_eq!(paths(&engine), ["/nodes", "/services"]);
}

#[tokio::test]
async fn sample_swarm_rows_and_states() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let client = http_client(&engine).await;
    let report = client
        .service_ps(&strings(&["web", "broken", "nope"]), &PsOptions::default())
        .await
        .unwrap();
    let web1: Vec<bool> = report
        .rows
        .iter()
        .filter(|row| row.name == "web.1")
        .map(|row| row.is_history)
        .collect();
    assert_eq!(web1, [false, true, true]);
    assert_eq!(report.not_found.len(), 1);
    let rejected = PsOptions {
        states: vec![TaskState::Rejected],
        ..PsOptions::default()
    };
    let report = client
        .service_ps(&strings(&["web", "broken"]), &rejected)
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 2);
    assert!(
        report
            .rows
            .iter()
            .all(|row| row.service_name == "broken" && row.error.is_some())
    );
}

/// The real `docker` CLI (on PATH in this project's environment) against the same fake
/// engine: our names and order must be docker's, and the CLI transport must agree with HTTP.
#[tokio::test]
async fn names_and_order_match_the_docker_cli() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let output = tokio::process::Command::new("docker")
        .args([
            "-H",
            &engine.host(),
            "service",
            "ps",
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Name}}",
        ])
        .args(["web", "monitor", "migrate", "broken", "pending-svc"])
        .output()
        .await
        .expect("the docker CLI is part of this project's environment");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let docker: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(docker.len() >= 10, "{docker:?}");
    let services = strings(&["web", "monitor", "migrate", "broken", "pending-svc"]);
    let http = http_client(&engine).await;
    let ours: Vec<String> = http
        .service_ps(&services, &PsOptions::default())
        .await
        .unwrap()
        .rows
        .iter()
        .map(|row| format!("{} {}", row.task.id, row.name))
        .collect();
    assert_eq!(ours, docker);
    let cli = Client::builder()
        .host(engine.host())
        .transport(TransportKind::Cli)
        .build()
        .unwrap();
    let over_cli: Vec<String> = cli
        .service_ps(&services, &PsOptions::default())
        .await
        .unwrap()
        .rows
        .iter()
        .map(|row| format!("{} {}", row.task.id, row.name))
        .collect();
    assert_eq!(over_cli, docker);
}
