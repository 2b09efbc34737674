//! The facade over a recorded snapshot (ReplayTransport): every call, end to end, offline.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use serde_json::json;
use swarm_tasks::models::{Node, Service, Task, TaskFilter, TaskState};
use swarm_tasks::transport::{Snapshot, SnapshotInfo};
use swarm_tasks::{Client, Error, PsOptions};

fn task(
    id: &str,
    service: &str,
    slot: Option<u64>,
    node: &str,
    created: &str,
    state: &str,
) -> serde_json::Value {
    let mut value = json!({
        "ID": id, "ServiceID": service, "NodeID": node, "CreatedAt": created,
        "DesiredState": if state == "running" { "running" } else { "shutdown" },
        "Spec": {"ContainerSpec": {"Image": "busybox:1.36@sha256:feed"}},
        "Status": {"State": state, "Timestamp": created}
    });
    if let Some(slot) = slot {
        value["Slot"] = json!(slot);
    }
    value
}

/// web (replicated, 10 slots, slot 1 with history), agent (global on both nodes).
fn snapshot() -> Snapshot {
    let mut tasks = Vec::new();
    for slot in 1..=10u64 {
        let node = if slot % 2 == 0 { "node2id" } else { "node1id" };
        tasks.push(task(
            &format!("web{slot:02}run"),
            "websvcid",
            Some(slot),
            node,
            "2024-01-01T00:01:00Z",
            "running",
        ));
    }
    tasks.push(task(
        "web01old",
        "websvcid",
        Some(1),
        "node2id",
        "2024-01-01T00:00:00Z",
        "failed",
    ));
    tasks.push(task(
        "agent1",
        "agentsvcid",
        None,
        "node1id",
        "2024-01-01T00:00:30Z",
        "running",
    ));
    tasks.push(task(
        "agent2",
        "agentsvcid",
        None,
        "node2id",
        "2024-01-01T00:00:30Z",
        "running",
    ));
    let services = json!([
        {"ID": "websvcid", "Spec": {"Name": "web", "Mode": {"Replicated": {"Replicas": 10}}}},
        {"ID": "agentsvcid", "Spec": {"Name": "agent", "Mode": {"Global": {}}}}
    ]);
    let nodes = json!([
        {"ID": "node1id", "Description": {"Hostname": "manager-1"}},
        {"ID": "node2id", "Description": {"Hostname": "worker-1"}}
    ]);
    Snapshot {
        tasks: serde_json::from_value::<Vec<Task>>(json!(tasks)).unwrap(),
        services: serde_json::from_value::<Vec<Service>>(services).unwrap(),
        nodes: serde_json::from_value::<Vec<Node>>(nodes).unwrap(),
        info: SnapshotInfo {
            server_version: Some("20.10.24".into()),
            api_version: Some("1.41".into()),
            node_id: Some("node1id".into()),
            local_node_state: Some("active".into()),
            control_available: true,
        },
        ..Snapshot::default()
    }
}

async fn client() -> (Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    snapshot().write(dir.path()).unwrap();
    let client = Client::builder().replay(dir.path()).build().unwrap();
    (client, dir)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[tokio::test]
async fn service_ps_orders_like_docker_with_history() {
    let (client, _dir) = client().await;
    let report = client
        .service_ps(&strings(&["web", "agent"]), &PsOptions::default())
        .await
        .unwrap();
    let names: Vec<(&str, bool)> = report
        .rows
        .iter()
        .map(|row| (row.name.as_str(), row.is_history))
        .collect();
    assert_eq!(
        names,
        [
            ("agent.node1id", false),
            ("agent.node2id", false),
            ("web.1", false),
            ("web.1", true),
            ("web.2", false),
            ("web.3", false),
            ("web.4", false),
            ("web.5", false),
            ("web.6", false),
            ("web.7", false),
            ("web.8", false),
            ("web.9", false),
            ("web.10", false),
        ]
    );
    assert_eq!(report.rows[2].node_name.as_deref(), Some("manager-1"));
    assert_eq!(report.rows[3].current_state, Some(TaskState::Failed));
    assert_eq!(
        report.rows[2].display_image().as_deref(),
        Some("busybox:1.36")
    );
    assert!(report.not_found.is_empty());
}

#[tokio::test]
async fn service_ps_by_prefix_with_unknown_argument_is_partial() {
    let (client, _dir) = client().await;
    let options = PsOptions {
        latest: true,
        ..PsOptions::default()
    };
    let report = client
        .service_ps(&strings(&["agentsvc", "nope"]), &options)
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.not_found.len(), 1);
    assert_eq!(report.not_found[0].0, "nope");
}

#[tokio::test]
async fn node_ps_self_and_by_hostname() {
    let (client, _dir) = client().await;
    let options = PsOptions {
        latest: true,
        ..PsOptions::default()
    };
    let mine = client.node_ps(&[], &options).await.unwrap();
    assert!(
        mine.rows
            .iter()
            .all(|row| row.node_name.as_deref() == Some("manager-1"))
    );
    // web 1, 3, 5, 7, 9 and one agent task.
    assert_eq!(mine.rows.len(), 6);
    let worker = client
        .node_ps(&strings(&["worker-1"]), &PsOptions::default())
        .await
        .unwrap();
    // web 2, 4, 6, 8, 10, the old web.1 and one agent task.
    assert_eq!(worker.rows.len(), 7);
    let failed_only = PsOptions {
        states: vec![TaskState::Failed],
        ..PsOptions::default()
    };
    let failed = client
        .node_ps(&strings(&["worker-1"]), &failed_only)
        .await
        .unwrap();
    assert_eq!(failed.rows.len(), 1);
    assert_eq!(failed.rows[0].task.id, "web01old");
    let error = client
        .node_ps(&strings(&["ghost"]), &PsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "no such node: ghost");
    let error = client
        .node_ps(&strings(&["node"]), &PsOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Ambiguous { .. }), "{error}");
}

#[tokio::test]
async fn list_inspect_and_inspect_many() {
    let (client, _dir) = client().await;
    let running = client
        .list(&TaskFilter::new().desired_state(TaskState::Running))
        .await
        .unwrap();
    assert_eq!(running.len(), 12);
    assert_eq!(client.inspect("web01o").await.unwrap().id, "web01old");
    let error = client.inspect("zzz").await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let many = client
        .inspect_many(&strings(&["agent1", "zzz", "web03run"]))
        .await
        .unwrap();
    let found: Vec<&str> = many.found.iter().map(|task| task.id.as_str()).collect();
    assert_eq!(found, ["agent1", "web03run"]);
    assert_eq!(many.missing.len(), 1);
    assert_eq!(many.missing[0].0, "zzz");
    let none = client.inspect_many(&[]).await.unwrap();
    assert!(none.found.is_empty() && none.missing.is_empty());
}

#[tokio::test]
async fn rows_of_a_listing_and_the_snapshot_round_trip() {
    let (client, _dir) = client().await;
    let tasks = client
        .list(&TaskFilter::new().service("web"))
        .await
        .unwrap();
    let rows = client
        .rows(
            tasks.into_items(),
            &PsOptions {
                latest: true,
                ..PsOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[9].name, "web.10");
    let recorded = client.snapshot().await.unwrap();
    let original = snapshot();
    assert_eq!(recorded.tasks.len(), original.tasks.len());
    // Replay adds task counts (ServiceStatus) as a daemon does; compare what was recorded.
    let ids = |services: &[Service]| {
        services
            .iter()
            .map(|service| (service.id.clone(), service.spec.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&recorded.services), ids(&original.services));
    assert_eq!(recorded.nodes, original.nodes);
    assert_eq!(recorded.info.node_id.as_deref(), Some("node1id"));
    assert!(recorded.info.control_available);
}
