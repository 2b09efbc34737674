//! Large `GET /tasks` bodies made from the recorded task fixtures, shaped like a real swarm's
//! history: several services, each task carrying the spec of the service version it was
//! created from, every ID different, timestamps with nine fraction digits. The parse, list
//! and row benchmarks all read these bodies, so their numbers are about the same bytes.
//!
//! Everything except [`fixture_tasks`] is a pure function of its parameters: the same
//! parameters always give the same bytes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::objects::{Clock, IdGen};

/// How a history body is built. The default has 10 services of 3 spec versions each on 20
/// nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryParams {
    /// How many tasks the body holds.
    pub tasks: usize,
    /// How many services the tasks belong to.
    pub services: usize,
    /// How many spec versions each service went through (older tasks carry older specs).
    pub versions: usize,
    /// How many nodes the tasks run on.
    pub nodes: usize,
    /// The seed of the IDs and timestamps.
    pub seed: u64,
}

impl HistoryParams {
    /// `tasks` tasks with the default shape.
    pub fn tasks(tasks: usize) -> Self {
        Self {
            tasks,
            services: 10,
            versions: 3,
            nodes: 20,
            seed: 13,
        }
    }
}

/// The folder of swarm-models' recorded task fixtures (real engine output and
/// python-on-whales' test data).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../swarm-models/tests/fixtures")
}

/// Every recorded task fixture, in a stable order.
pub fn fixture_tasks() -> io::Result<Vec<Value>> {
    let mut tasks = Vec::new();
    for source in ["engine", "python-on-whales"] {
        let dir = fixtures_dir().join(source).join("tasks");
        let mut paths: Vec<PathBuf> = fs::read_dir(&dir)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<io::Result<_>>()?;
        paths.sort();
        for path in paths {
            let task = serde_json::from_slice(&fs::read(&path)?)
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
            tasks.push(task);
        }
    }
    Ok(tasks)
}

/// The tasks of a history built from `fixtures` (each service takes one fixture as its
/// template): service `s` of `params.services` gets `tasks / services` tasks, the newest
/// third on the newest spec version and the rest spread over older versions.
pub fn history_tasks(fixtures: &[Value], params: HistoryParams) -> Vec<Value> {
    if fixtures.is_empty() {
        return Vec::new();
    }
    let mut ids = IdGen::new(params.seed);
    let clock = Clock::standard();
    let services = params.services.max(1);
    let versions = params.versions.max(1);
    let node_ids: Vec<String> = (0..params.nodes.max(1)).map(|_| ids.swarm_id()).collect();
    let service_ids: Vec<String> = (0..services).map(|_| ids.swarm_id()).collect();
    let mut tasks = Vec::with_capacity(params.tasks);
    for idx in 0..params.tasks {
        let service = idx % services;
        let template = &fixtures[service % fixtures.len()];
        // Tasks come newest version first within a service, like history does.
        let position = idx / services;
        let version = versions - 1 - (position * versions / params.tasks.div_ceil(services).max(1));
        let mut task = template.clone();
        let created = (idx as i64) * 1_000_003_217 + (ids.below(1_000_000_000) as i64);
        task["ID"] = json!(ids.swarm_id());
        task["ServiceID"] = json!(service_ids[service]);
        task["NodeID"] = json!(node_ids[idx % node_ids.len()]);
        task["Version"] = json!({ "Index": 1000 + idx });
        task["CreatedAt"] = json!(clock.at(created));
        task["UpdatedAt"] = json!(clock.at(created + 2_123_456_789));
        if task.get("Slot").is_some() {
            task["Slot"] = json!(1 + position % 50);
        }
        if let Some(spec) = task.get_mut("Spec").and_then(Value::as_object_mut) {
            spec.insert("ForceUpdate".into(), json!(version));
            if let Some(container) = spec.get_mut("ContainerSpec").and_then(Value::as_object_mut) {
                let image = format!("registry.example/app-{service}:1.{version}.0");
                container.insert("Image".into(), json!(image));
            }
        }
        if let Some(status) = task.get_mut("Status").and_then(Value::as_object_mut) {
            status.insert("Timestamp".into(), json!(clock.at(created + 3_987_654_321)));
            if let Some(container) = status
                .get_mut("ContainerStatus")
                .and_then(Value::as_object_mut)
                && container.contains_key("ContainerID")
            {
                container.insert("ContainerID".into(), json!(ids.container_id()));
            }
        }
        tasks.push(task);
    }
    tasks
}

/// A compact `GET /tasks` body of [`history_tasks`] built from the recorded fixtures.
pub fn history_body(params: HistoryParams) -> io::Result<Vec<u8>> {
    let tasks = history_tasks(&fixture_tasks()?, params);
    serde_json::to_vec(&tasks).map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;

    #[test]
    fn a_history_has_the_asked_shape() {
        let fixtures = fixture_tasks().unwrap();
        let tasks = history_tasks(&fixtures, HistoryParams::tasks(300));
        assert_eq!(tasks.len(), 300);
        let ids: std::collections::BTreeSet<&str> =
            tasks.iter().filter_map(|t| t["ID"].as_str()).collect();
        assert_eq!(ids.len(), 300, "every ID differs");
        let services: std::collections::BTreeSet<&str> = tasks
            .iter()
            .filter_map(|t| t["ServiceID"].as_str())
            .collect();
        assert_eq!(services.len(), 10);
        let versions: std::collections::BTreeSet<u64> = tasks
            .iter()
            .filter_map(|t| t["Spec"]["ForceUpdate"].as_u64())
            .collect();
        assert_eq!(versions.len(), 3, "{versions:?}");
        let stamp = tasks[7]["CreatedAt"].as_str().unwrap();
        let fraction = stamp.rsplit('.').next().unwrap();
        assert!(fraction.len() >= 8, "{stamp}");
        assert_eq!(
            history_tasks(&fixtures, HistoryParams::tasks(300)),
            tasks,
            "deterministic"
        );
    }
}
