//! [`FakeSwarm`]: the state a fake engine serves, kept as the raw JSON a daemon would send.
//!
//! Objects are stored as `serde_json::Value` so that a test can put anything on the wire,
//! including fields the models do not know or values they would reject. For filtering, the
//! tasks, services and nodes are parsed into `swarm_models` types once and cached until the
//! next mutation. The vectors sit behind `Arc`s, so cloning a swarm (which the engine does on
//! every request) is cheap.

use std::fs;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize as _, Serialize};
use serde_json::Value;
use swarm_models::{Node, Service, Task, Timestamp};

/// A swarm's tasks, services and nodes plus the `/info` and `/version` bodies, as raw JSON.
///
/// Build one with [`FakeSwarm::sample`], [`FakeSwarm::generate`](crate::FakeSwarm::generate),
/// [`FakeSwarm::from_snapshot`] or [`FakeSwarm::from_parts`]; change it with the `*_mut`
/// accessors or the helpers such as [`FakeSwarm::set_task_state`].
#[derive(Debug, Clone)]
pub struct FakeSwarm {
    tasks: Arc<Vec<Value>>,
    services: Arc<Vec<Value>>,
    nodes: Arc<Vec<Value>>,
    info: Arc<Value>,
    version: Arc<Value>,
    parsed: Arc<OnceLock<Parsed>>,
}

/// The objects parsed into models, for filtering; `None` where an object does not parse.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub tasks: Vec<Option<Task>>,
    /// Each task as the engine serves it (compact JSON), written once per change of the
    /// tasks rather than on every `GET /tasks`, as a daemon answers from its own store.
    pub task_json: Vec<Vec<u8>>,
    pub services: Vec<Service>,
    pub nodes: Vec<Node>,
    /// `GET /tasks` bodies already sent, by their `filters` query (the last few): a list
    /// asked again before the swarm changes is sent as it was, without matching and joining
    /// again, so that a benchmark listing the same tasks over and over measures the client.
    pub task_lists: Mutex<Vec<(String, Arc<Vec<u8>>)>>,
}

impl FakeSwarm {
    /// A swarm from raw objects. `info` is a `GET /info` body; the `/version` body is the
    /// fake engine's default.
    pub fn from_parts(
        tasks: Vec<Value>,
        services: Vec<Value>,
        nodes: Vec<Value>,
        info: Value,
    ) -> Self {
        Self {
            tasks: Arc::new(tasks),
            services: Arc::new(services),
            nodes: Arc::new(nodes),
            info: Arc::new(info),
            version: Arc::new(crate::objects::version_json()),
            parsed: Arc::default(),
        }
    }

    /// Reads a snapshot folder: `tasks.json`, `services.json`, `nodes.json` (JSON arrays, as
    /// `docker inspect` prints them), `info.json` and optionally `version.json`.
    pub fn from_snapshot(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        let read_array = |name: &str| -> io::Result<Vec<Value>> {
            let bytes = fs::read(dir.join(name))?;
            serde_json::from_slice(&bytes).map_err(|err| invalid_data(name, err))
        };
        let read_object = |name: &str| -> io::Result<Value> {
            let bytes = fs::read(dir.join(name))?;
            serde_json::from_slice(&bytes).map_err(|err| invalid_data(name, err))
        };
        let mut swarm = Self::from_parts(
            read_array("tasks.json")?,
            read_array("services.json")?,
            read_array("nodes.json")?,
            read_object("info.json")?,
        );
        if dir.join("version.json").is_file() {
            swarm.version = Arc::new(read_object("version.json")?);
        }
        Ok(swarm)
    }

    /// Writes the snapshot folder [`FakeSwarm::from_snapshot`] reads (creating `dir`), indented
    /// like `docker inspect`.
    pub fn write_snapshot(&self, dir: impl AsRef<Path>) -> io::Result<()> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir)?;
        write_pretty(&dir.join("tasks.json"), &*self.tasks)?;
        write_pretty(&dir.join("services.json"), &*self.services)?;
        write_pretty(&dir.join("nodes.json"), &*self.nodes)?;
        write_pretty(&dir.join("info.json"), &*self.info)?;
        write_pretty(&dir.join("version.json"), &*self.version)
    }

    /// Every task, in the order they are served.
    pub fn tasks(&self) -> &[Value] {
        &self.tasks
    }

    /// Every service.
    pub fn services(&self) -> &[Value] {
        &self.services
    }

    /// Every node.
    pub fn nodes(&self) -> &[Value] {
        &self.nodes
    }

    /// The `GET /info` body.
    pub fn info(&self) -> &Value {
        &self.info
    }

    /// The `GET /version` body (the engine sets `ApiVersion` to its maximum when it answers).
    pub fn version(&self) -> &Value {
        &self.version
    }

    /// The tasks, to change.
    pub fn tasks_mut(&mut self) -> &mut Vec<Value> {
        self.parsed = Arc::default();
        Arc::make_mut(&mut self.tasks)
    }

    /// The services, to change.
    pub fn services_mut(&mut self) -> &mut Vec<Value> {
        self.parsed = Arc::default();
        Arc::make_mut(&mut self.services)
    }

    /// The nodes, to change.
    pub fn nodes_mut(&mut self) -> &mut Vec<Value> {
        self.parsed = Arc::default();
        Arc::make_mut(&mut self.nodes)
    }

    /// The `GET /info` body, to change.
    pub fn info_mut(&mut self) -> &mut Value {
        Arc::make_mut(&mut self.info)
    }

    /// The `GET /version` body, to change.
    pub fn version_mut(&mut self) -> &mut Value {
        Arc::make_mut(&mut self.version)
    }

    /// The ID of the node the engine runs on (`Swarm.NodeID` of `/info`).
    pub fn self_node_id(&self) -> Option<&str> {
        self.info["Swarm"]["NodeID"]
            .as_str()
            .filter(|id| !id.is_empty())
    }

    /// The ID of the service with this name.
    pub fn service_id(&self, name: &str) -> Option<&str> {
        self.services
            .iter()
            .find(|service| service["Spec"]["Name"] == name)
            .and_then(|service| service["ID"].as_str())
    }

    /// The ID of the node with this hostname.
    pub fn node_id(&self, hostname: &str) -> Option<&str> {
        self.nodes
            .iter()
            .find(|node| node["Description"]["Hostname"] == hostname)
            .and_then(|node| node["ID"].as_str())
    }

    /// The task with this full ID.
    pub fn task(&self, id: &str) -> Option<&Value> {
        self.tasks.iter().find(|task| task["ID"] == id)
    }

    /// The task with this full ID, to change.
    pub fn task_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.tasks_mut().iter_mut().find(|task| task["ID"] == id)
    }

    /// The tasks of the service with this name (every state, history included).
    pub fn tasks_of_service(&self, name: &str) -> Vec<&Value> {
        let Some(service_id) = self.service_id(name) else {
            return Vec::new();
        };
        self.tasks
            .iter()
            .filter(|task| task["ServiceID"] == service_id)
            .collect()
    }

    /// Moves a task to a new observed state, as the daemon would: sets `Status.State`,
    /// `Status.Message`, a `Status.Timestamp` and `UpdatedAt` one second after the previous
    /// update, and bumps `Version.Index`. Returns false when no task has this ID.
    pub fn set_task_state(&mut self, id: &str, state: &str, message: &str) -> bool {
        let Some(task) = self.task_mut(id) else {
            return false;
        };
        let when = next_second(&task["UpdatedAt"]);
        task["Status"]["State"] = Value::from(state);
        task["Status"]["Message"] = Value::from(message);
        task["Status"]["Timestamp"] = Value::from(when.clone());
        task["UpdatedAt"] = Value::from(when);
        bump_version(task);
        true
    }

    /// Sets a task's `Status.Err` (`None` removes it). Returns false when no task has this ID.
    pub fn set_task_err(&mut self, id: &str, err: Option<&str>) -> bool {
        let Some(task) = self.task_mut(id) else {
            return false;
        };
        match (err, task["Status"].as_object_mut()) {
            (Some(err), Some(status)) => {
                status.insert("Err".into(), Value::from(err));
            }
            (None, Some(status)) => {
                status.remove("Err");
            }
            (_, None) => return false,
        }
        true
    }

    /// Sets a task's `DesiredState`. Returns false when no task has this ID.
    pub fn set_desired_state(&mut self, id: &str, desired: &str) -> bool {
        let Some(task) = self.task_mut(id) else {
            return false;
        };
        task["DesiredState"] = Value::from(desired);
        bump_version(task);
        true
    }

    /// Removes a task (as the daemon does when task history is trimmed). Returns it.
    pub fn remove_task(&mut self, id: &str) -> Option<Value> {
        let tasks = self.tasks_mut();
        let position = tasks.iter().position(|task| task["ID"] == id)?;
        Some(tasks.remove(position))
    }

    /// The objects parsed into models, cached until the next mutation.
    pub(crate) fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| Parsed {
            tasks: self
                .tasks
                .iter()
                .map(|task| Task::deserialize(task).ok().or_else(|| salvage(task)))
                .collect(),
            task_json: self
                .tasks
                .iter()
                .map(|task| serde_json::to_vec(task).unwrap_or_default())
                .collect(),
            services: self
                .services
                .iter()
                .filter_map(|service| Service::deserialize(service).ok())
                .collect(),
            nodes: self
                .nodes
                .iter()
                .filter_map(|node| Node::deserialize(node).ok())
                .collect(),
            task_lists: Mutex::default(),
        })
    }
}

/// What the engine can still match of a task the models cannot decode (a test spoiled it):
/// the top-level keys that decode on their own. A real daemon filters its own objects, so a
/// spoiled task still matches filters on its service, node, desired state ... (a key whose
/// value is spoiled, e.g. `Status`, is left out).
fn salvage(task: &Value) -> Option<Task> {
    let object = task.as_object()?;
    let mut kept = serde_json::Map::new();
    for (key, value) in object {
        let single = Value::Object(serde_json::Map::from_iter([(key.clone(), value.clone())]));
        if Task::deserialize(&single).is_ok() {
            kept.insert(key.clone(), value.clone());
        }
    }
    Task::deserialize(&Value::Object(kept)).ok()
}

fn invalid_data(name: &str, err: serde_json::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{name}: {err}"))
}

fn write_pretty(path: &Path, value: &impl Serialize) -> io::Result<()> {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    value
        .serialize(&mut serializer)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
    bytes.push(b'\n');
    fs::write(path, bytes)
}

pub(crate) fn next_second(previous: &Value) -> String {
    let previous = previous
        .as_str()
        .and_then(|text| text.parse::<Timestamp>().ok())
        .map(|stamp| stamp.as_datetime())
        .unwrap_or_default();
    Timestamp::from_datetime(previous + chrono::Duration::seconds(1)).to_string()
}

pub(crate) fn bump_version(object: &mut Value) {
    let index = object["Version"]["Index"].as_u64().unwrap_or(0);
    object["Version"] = serde_json::json!({ "Index": index + 1 });
}
