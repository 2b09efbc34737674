//! Name lookups are made concurrently: a transport whose services and nodes requests each
//! wait for the other can only answer if both are in flight at once. Time is paused, so a
//! sequential client fails at the timeout at once instead of hanging or sleeping.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;
use swarm_tasks::models::{Listing, Node, Service, Task, TaskFilter};
use swarm_tasks::transport::{self, InspectOutcome, SwarmState, SystemInfo, Transport};
use swarm_tasks::{Client, PsOptions};
use tokio::sync::Barrier;

/// Services and nodes (and info, for `node ps self`) meet at a barrier before answering.
struct Rendezvous {
    barrier: Barrier,
    task_requests: AtomicUsize,
}

impl Rendezvous {
    fn new(parties: usize) -> Self {
        Self {
            barrier: Barrier::new(parties),
            task_requests: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl Transport for Rendezvous {
    fn endpoint(&self) -> String {
        "rendezvous".to_owned()
    }

    async fn system_info(&self) -> transport::Result<SystemInfo> {
        self.barrier.wait().await;
        Ok(SystemInfo::new(
            "1.41",
            SwarmState::Active,
            Some("n1".into()),
            true,
        ))
    }

    async fn list_tasks(&self, _filter: &TaskFilter) -> transport::Result<Listing<Task>> {
        self.task_requests.fetch_add(1, Ordering::SeqCst);
        Ok(vec![
            serde_json::from_value(
                json!({"ID": "t1", "ServiceID": "s1", "Slot": 1, "NodeID": "n1"}),
            )
            .unwrap(),
        ]
        .into())
    }

    async fn inspect_task(&self, id: &str) -> transport::Result<Task> {
        Err(transport::Error::NotFound {
            kind: transport::ObjectKind::Task,
            id: id.to_owned(),
        })
    }

    async fn inspect_tasks(&self, _ids: &[String]) -> transport::Result<Vec<InspectOutcome>> {
        Ok(Vec::new())
    }

    async fn list_services(&self) -> transport::Result<Listing<Service>> {
        self.barrier.wait().await;
        Ok(
            swarm_tasks::models::decode_list(br#"[{"ID": "s1", "Spec": {"Name": "web"}}]"#)
                .unwrap(),
        )
    }

    async fn list_nodes(&self) -> transport::Result<Listing<Node>> {
        self.barrier.wait().await;
        Ok(swarm_tasks::models::decode_list(
            br#"[{"ID": "n1", "Description": {"Hostname": "node-1"}}]"#,
        )
        .unwrap())
    }
}

#[tokio::test(start_paused = true)]
async fn service_ps_looks_up_services_and_nodes_at_once() {
    let transport = Arc::new(Rendezvous::new(2));
    let client = Client::from_arc(transport.clone());
    let (args, options) = (vec!["web".to_owned()], PsOptions::default());
    let call = client.service_ps(&args, &options);
    let report = tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .expect("sequential lookups")
        .unwrap();
    assert_eq!(report.rows[0].name, "web.1");
    assert_eq!(report.rows[0].node_name.as_deref(), Some("node-1"));
    assert_eq!(transport.task_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn node_ps_self_asks_info_nodes_and_services_at_once() {
    let transport = Arc::new(Rendezvous::new(3));
    let client = Client::from_arc(transport.clone());
    let options = PsOptions::default();
    let call = client.node_ps(&[], &options);
    let report = tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .expect("sequential lookups")
        .unwrap();
    assert_eq!(report.rows.len(), 1);
    assert_eq!(transport.task_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn rows_look_up_names_at_once() {
    let client = Client::new(Rendezvous::new(2));
    let task: Task =
        serde_json::from_value(json!({"ID": "t9", "ServiceID": "s1", "Slot": 2, "NodeID": "n1"}))
            .unwrap();
    let options = PsOptions::default();
    let call = client.rows(vec![task], &options);
    let rows = tokio::time::timeout(Duration::from_secs(30), call)
        .await
        .expect("sequential lookups")
        .unwrap();
    assert_eq!(rows[0].name, "web.2");
}
