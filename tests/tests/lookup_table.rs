//! The lookup table of `swarm_tasks_e2e::lookup_table` against the pure rule: a made-up
//! swarm (two nodes share a hostname, one node's spec name differs from its hostname, IDs
//! share prefixes) served by the replay transport, so `service ps` / `node ps` go through
//! the facade and the filters through `TaskFilter::resolve`, i.e. `swarm_models::lookup`.
//! The real-engine suite runs the same table against Engine 20.10.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is a failure.

use serde_json::json;
use swarm_models::{Node, Service, Task, TaskFilter};
use swarm_tasks::{Client, PsOptions};
use swarm_tasks_e2e::lookup_table::{Fixture, Surface, check, filter_outcome, ps_outcome};
use swarm_transport::{ReplayTransport, Snapshot, Transport};

fn snapshot() -> Snapshot {
    let services: Vec<Service> = serde_json::from_value(json!([
        {"ID": "aaa1web", "Spec": {"Name": "web"}},
        {"ID": "aab2db", "Spec": {"Name": "db"}},
        {"ID": "zzz3", "Spec": {"Name": "other"}}
    ]))
    .unwrap();
    let nodes: Vec<Node> = serde_json::from_value(json!([
        {"ID": "n1x", "Spec": {"Name": "spec-a"}, "Description": {"Hostname": "host-a"}},
        {"ID": "n2y", "Description": {"Hostname": "twin"}},
        {"ID": "n3z", "Description": {"Hostname": "twin"}}
    ]))
    .unwrap();
    let mut tasks = Vec::new();
    for (index, service) in ["aaa1web", "aab2db", "zzz3"].iter().enumerate() {
        for node in ["n1x", "n2y", "n3z"] {
            tasks.push(json!({
                "ID": format!("t{index}{node}"), "ServiceID": service, "NodeID": node,
                "Slot": 1, "DesiredState": "running",
                "Spec": {"ContainerSpec": {"Image": "busybox"}},
                "Status": {"State": "running"}
            }));
        }
    }
    let tasks: Vec<Task> = serde_json::from_value(json!(tasks)).unwrap();
    Snapshot {
        tasks,
        services,
        nodes,
        ..Snapshot::default()
    }
}

#[test]
fn the_pure_rule_answers_the_table() {
    let snapshot = snapshot();
    let services = Fixture {
        id: "aaa1web".into(),
        name: "web".into(),
        all_ids: snapshot.services.iter().map(|s| s.id.clone()).collect(),
        ..Fixture::default()
    };
    let nodes = Fixture {
        id: "n1x".into(),
        name: "host-a".into(),
        all_ids: snapshot.nodes.iter().map(|n| n.id.clone()).collect(),
        spec_name: Some("spec-a".into()),
        shared_name: Some("twin".into()),
    };
    let replay = ReplayTransport::from_snapshot(snapshot.clone(), "table");
    let client = Client::new(ReplayTransport::from_snapshot(snapshot, "table"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (mismatches, unmade) = check(&services, &nodes, |surface, reference| {
        let args = [reference.to_owned()];
        let options = PsOptions::default();
        runtime.block_on(async {
            match surface {
                Surface::ServicePs => ps_outcome(client.service_ps(&args, &options).await, false),
                Surface::NodePs => ps_outcome(client.node_ps(&args, &options).await, true),
                Surface::ServiceFilter => filter_outcome(
                    replay
                        .list_tasks(&TaskFilter::new().service(reference))
                        .await,
                    false,
                ),
                Surface::NodeFilter => filter_outcome(
                    replay.list_tasks(&TaskFilter::new().node(reference)).await,
                    true,
                ),
            }
        })
    });
    assert!(unmade.is_empty(), "every case can be made here: {unmade:?}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
