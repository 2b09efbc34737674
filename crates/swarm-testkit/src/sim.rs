//! [`SimSwarm`]: a swarm on a simulated timeline, served in-process through the `Transport`
//! trait, for monitoring tests on tokio's paused clock.
//!
//! A test builds a [`FakeSwarm`] (with the object helpers below), schedules changes at
//! offsets from the start (`at(5s, |swarm| ...)`) and periods when the daemon is away
//! (`down(from, to)`), and hands [`SimSwarm::transport`] to a client. Each request first
//! applies every change that is due by the paused clock, then answers from the current
//! swarm with the daemon's filter semantics (through `ReplayTransport`, so `ServiceStatus`
//! counts are computed from the tasks unless a service sets them). Nothing runs in the
//! background: time only moves when the code under test sleeps.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize as _;
use serde_json::{Value, json};
use swarm_models::{Listing, Node, Service, Task, TaskFilter};
use swarm_transport::{
    Error, InspectOutcome, ReplayTransport, Result, Snapshot, SnapshotInfo, SwarmState, SystemInfo,
    Transport,
};
use tokio::time::Instant;

use crate::FakeSwarm;

type Change = Box<dyn FnOnce(&mut FakeSwarm) + Send>;

/// A swarm that changes on a schedule; see the module docs.
#[derive(Clone)]
pub struct SimSwarm {
    inner: Arc<Mutex<SimState>>,
}

struct SimState {
    swarm: FakeSwarm,
    start: Instant,
    changes: Vec<(Duration, Change)>,
    down: Vec<(Duration, Duration)>,
    requests: Vec<(Duration, &'static str)>,
}

impl std::fmt::Debug for SimSwarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimSwarm").finish_non_exhaustive()
    }
}

impl SimSwarm {
    /// Starts the timeline now (call it with the clock paused).
    pub fn new(swarm: FakeSwarm) -> Self {
        Self {
            inner: Arc::new(Mutex::new(SimState {
                swarm,
                start: Instant::now(),
                changes: Vec::new(),
                down: Vec::new(),
                requests: Vec::new(),
            })),
        }
    }

    /// Schedules a change `after` the start; changes due at the same time run in the order
    /// they were added.
    pub fn at(
        &self,
        after: Duration,
        change: impl FnOnce(&mut FakeSwarm) + Send + 'static,
    ) -> &Self {
        let mut state = self.lock();
        state.changes.push((after, Box::new(change)));
        state.changes.sort_by_key(|(when, _)| *when);
        self
    }

    /// Makes every request fail as unreachable from `from` until `to` (after the start).
    pub fn down(&self, from: Duration, to: Duration) -> &Self {
        self.lock().down.push((from, to));
        self
    }

    /// A transport over this timeline (clones share it).
    pub fn transport(&self) -> SimTransport {
        SimTransport { sim: self.clone() }
    }

    /// Every request so far: when (after the start) and which `Transport` method.
    pub fn requests(&self) -> Vec<(Duration, &'static str)> {
        self.lock().requests.clone()
    }

    /// The swarm as it is now (after the changes applied so far).
    pub fn swarm(&self) -> FakeSwarm {
        self.lock().swarm.clone()
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn serve(&self, method: &'static str) -> Result<ReplayTransport> {
        let mut state = self.lock();
        let now = state.start.elapsed();
        state.requests.push((now, method));
        while state.changes.first().is_some_and(|(when, _)| *when <= now) {
            let (_, change) = state.changes.remove(0);
            change(&mut state.swarm);
        }
        if state
            .down
            .iter()
            .any(|(from, to)| *from <= now && now < *to)
        {
            return Err(Error::DaemonUnreachable {
                endpoint: "sim".into(),
                source: None,
            });
        }
        let swarm = &state.swarm;
        let snapshot = Snapshot {
            tasks: swarm
                .tasks()
                .iter()
                .filter_map(|task| Task::deserialize(task).ok())
                .collect(),
            services: swarm
                .services()
                .iter()
                .filter_map(|service| Service::deserialize(service).ok())
                .collect(),
            nodes: swarm
                .nodes()
                .iter()
                .filter_map(|node| Node::deserialize(node).ok())
                .collect(),
            info: SnapshotInfo::default(),
            ..Snapshot::default()
        };
        Ok(ReplayTransport::from_snapshot(snapshot, "sim"))
    }
}

/// The [`Transport`] of a [`SimSwarm`].
#[derive(Debug, Clone)]
pub struct SimTransport {
    sim: SimSwarm,
}

#[async_trait]
impl Transport for SimTransport {
    fn endpoint(&self) -> String {
        "sim".into()
    }

    async fn system_info(&self) -> Result<SystemInfo> {
        self.sim.serve("system_info")?;
        Ok(SystemInfo::new(
            "1.41",
            SwarmState::Active,
            Some("node-1".into()),
            true,
        ))
    }

    async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        self.sim.serve("list_tasks")?.list_tasks(filter).await
    }

    async fn inspect_task(&self, id: &str) -> Result<Task> {
        self.sim.serve("inspect_task")?.inspect_task(id).await
    }

    async fn inspect_tasks(&self, ids: &[String]) -> Result<Vec<InspectOutcome>> {
        self.sim.serve("inspect_tasks")?.inspect_tasks(ids).await
    }

    async fn list_services(&self) -> Result<Listing<Service>> {
        self.sim.serve("list_services")?.list_services().await
    }

    async fn list_nodes(&self) -> Result<Listing<Node>> {
        self.sim.serve("list_nodes")?.list_nodes().await
    }
}

/// A service object: `mode` is the daemon's `Mode` value (see [`replicated`], [`global`],
/// [`replicated_job`], [`global_job`]), the image `app:1`, no update status.
pub fn service(id: &str, name: &str, mode: Value) -> Value {
    json!({
        "ID": id,
        "Version": {"Index": 1},
        "CreatedAt": "2024-01-01T00:00:00Z",
        "UpdatedAt": "2024-01-01T00:00:00Z",
        "Spec": {
            "Name": name,
            "Mode": mode,
            "TaskTemplate": {"ContainerSpec": {"Image": "app:1"}, "ForceUpdate": 0}
        }
    })
}

/// `{"Replicated": {"Replicas": n}}`.
pub fn replicated(replicas: u64) -> Value {
    json!({"Replicated": {"Replicas": replicas}})
}

/// `{"Global": {}}`.
pub fn global() -> Value {
    json!({"Global": {}})
}

/// `{"ReplicatedJob": {...}}`.
pub fn replicated_job(max_concurrent: u64, total_completions: u64) -> Value {
    json!({"ReplicatedJob": {"MaxConcurrent": max_concurrent, "TotalCompletions": total_completions}})
}

/// `{"GlobalJob": {}}`.
pub fn global_job() -> Value {
    json!({"GlobalJob": {}})
}

/// A task of `service_id` made from the image `app:1`: `slot` 0 means none (global), the
/// node is `node` (empty for none). `second` orders creation.
pub fn task(
    id: &str,
    service_id: &str,
    slot: u64,
    node: &str,
    state: &str,
    desired: &str,
    second: u32,
) -> Value {
    let stamp = format!("2024-01-01T00:{:02}:{:02}Z", second / 60, second % 60);
    let mut task = json!({
        "ID": id,
        "Version": {"Index": 1},
        "CreatedAt": stamp,
        "UpdatedAt": stamp,
        "ServiceID": service_id,
        "DesiredState": desired,
        "Spec": {"ContainerSpec": {"Image": "app:1"}, "ForceUpdate": 0},
        "Status": {"Timestamp": stamp, "State": state, "Message": state,
                   "ContainerStatus": {"ContainerID": "", "PID": 0, "ExitCode": 0}}
    });
    if slot != 0 {
        task["Slot"] = json!(slot);
    }
    if !node.is_empty() {
        task["NodeID"] = json!(node);
    }
    task
}

/// A manager node that is ready, with this availability (`active`, `drain`, `pause`).
pub fn node(id: &str, hostname: &str, availability: &str) -> Value {
    json!({
        "ID": id,
        "Spec": {"Role": "manager", "Availability": availability},
        "Description": {"Hostname": hostname},
        "Status": {"State": "ready"}
    })
}

/// A swarm of these objects.
pub fn swarm(services: Vec<Value>, tasks: Vec<Value>, nodes: Vec<Value>) -> FakeSwarm {
    FakeSwarm::from_parts(tasks, services, nodes, json!({}))
}
