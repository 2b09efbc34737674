//! A recorded swarm on disk: the folder format shared by replay, the fake engine and the demo.
//!
//! A snapshot is a directory holding `tasks.json`, `services.json` and `nodes.json` (each a
//! JSON array, exactly what `docker inspect` prints for those objects), `info.json` (the
//! Engine's `GET /info` body) and optionally `version.json` (the `GET /version` body) and
//! `logs.json` (the last lines of each task, a JSON array of [`RecordedLine`]s).
//! [`Snapshot::read`] and [`Snapshot::write`] use the same format, so a written snapshot reads
//! back equal, and `docker inspect` output can be dropped in by hand.
//! Objects read from a daemon are written as it sent them (their kept text, re-indented), so
//! a snapshot holds the same keys, values and timestamp spellings as the daemon's answers.
//!
//! Reading is defensive: an element of a list that does not decode is kept aside as an
//! [`ItemFailure`] (the others are served), a file over [`MAX_SNAPSHOT_FILE_SIZE`] is refused
//! before it is read, and a file that resolves outside the folder (a symlink to elsewhere)
//! is refused.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use swarm_models::{ItemFailure, Listing, Model, Node, Service, Task, write_pretty_array};

use crate::error::{Error, Result};
use crate::info::{SwarmState, SystemInfo};

/// The largest snapshot file [`Snapshot::read`] accepts: 256 MiB, the HTTP transport's
/// default maximum response size.
pub const MAX_SNAPSHOT_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// The tasks file of a snapshot folder.
pub const TASKS_FILE: &str = "tasks.json";
/// The services file of a snapshot folder.
pub const SERVICES_FILE: &str = "services.json";
/// The nodes file of a snapshot folder.
pub const NODES_FILE: &str = "nodes.json";
/// The `GET /info` file of a snapshot folder.
pub const INFO_FILE: &str = "info.json";
/// The optional `GET /version` file of a snapshot folder.
pub const VERSION_FILE: &str = "version.json";
/// The last log lines of each task (optional; older snapshots have none).
pub const LOGS_FILE: &str = "logs.json";
/// The lines `snapshot` keeps of each task, at most.
pub const SNAPSHOT_LOG_LINES: u64 = 50;
/// The bytes `snapshot` keeps of one log line, at most (a longer line is cut).
pub const SNAPSHOT_LINE_BYTES: usize = 4096;

/// A whole swarm as recorded: every task, service and node, and what the daemon said about
/// itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Every task (`tasks.json`).
    pub tasks: Vec<Task>,
    /// Every service (`services.json`).
    pub services: Vec<Service>,
    /// Every node (`nodes.json`).
    pub nodes: Vec<Node>,
    /// The recording daemon's identity and role (`info.json`, `version.json`).
    pub info: SnapshotInfo,
    /// The last lines of each task (`logs.json`), oldest first per task.
    pub logs: Vec<RecordedLine>,
    /// Elements of `tasks.json` that did not decode (empty when written by this crate).
    pub task_failures: Vec<ItemFailure>,
    /// Elements of `services.json` that did not decode.
    pub service_failures: Vec<ItemFailure>,
    /// Elements of `nodes.json` that did not decode.
    pub node_failures: Vec<ItemFailure>,
}

/// One recorded log line (an object of `logs.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RecordedLine {
    /// The task that wrote it.
    #[serde(rename = "TaskID")]
    pub task_id: String,
    /// The task's service.
    #[serde(rename = "ServiceID", default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The task's node.
    #[serde(rename = "NodeID", default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// `stdout` or `stderr`.
    #[serde(rename = "Stream")]
    pub stream: String,
    /// The daemon's timestamp.
    #[serde(rename = "Timestamp", default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<swarm_models::Timestamp>,
    /// The line (invalid UTF-8 as U+FFFD), at most [`SNAPSHOT_LINE_BYTES`] bytes.
    #[serde(rename = "Line")]
    pub line: String,
}

impl RecordedLine {
    /// The recorded form of a line that names its task (`None` otherwise), cut to
    /// [`SNAPSHOT_LINE_BYTES`].
    pub fn from_line(line: &crate::logs::LogLine) -> Option<Self> {
        let bytes = line.line.get(..SNAPSHOT_LINE_BYTES).unwrap_or(&line.line);
        Some(Self {
            task_id: line.task_id.clone()?,
            service_id: line.service_id.clone(),
            node_id: line.node_id.clone(),
            stream: line.source.as_str().to_owned(),
            timestamp: line.timestamp,
            line: String::from_utf8_lossy(bytes).into_owned(),
        })
    }

    /// The line as a transport delivers it.
    pub fn to_line(&self) -> crate::logs::LogLine {
        let source = if self.stream == "stderr" {
            crate::logs::LogSource::Stderr
        } else {
            crate::logs::LogSource::Stdout
        };
        let mut line = crate::logs::LogLine::new(source, self.line.as_bytes().to_vec());
        line.task_id = Some(self.task_id.clone());
        line.service_id.clone_from(&self.service_id);
        line.node_id.clone_from(&self.node_id);
        line.timestamp = self.timestamp;
        line
    }
}

/// What a snapshot keeps of `GET /info` and `GET /version`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The engine version (`ServerVersion`), e.g. `20.10.24`.
    pub server_version: Option<String>,
    /// The Engine API version (`ApiVersion` of `version.json`), e.g. `1.41`.
    pub api_version: Option<String>,
    /// The recording node's swarm ID (`Swarm.NodeID`).
    pub node_id: Option<String>,
    /// The recording node's swarm state (`Swarm.LocalNodeState`: `active`, `inactive` ...).
    pub local_node_state: Option<String>,
    /// True when the recording node was a manager (`Swarm.ControlAvailable`).
    pub control_available: bool,
}

impl SnapshotInfo {
    /// Takes what a snapshot keeps from a live daemon's [`SystemInfo`].
    pub fn from_system_info(info: &SystemInfo) -> Self {
        let local_node_state = match &info.swarm {
            SwarmState::Inactive => "inactive",
            SwarmState::Pending => "pending",
            SwarmState::Active => "active",
            SwarmState::Error => "error",
            SwarmState::Locked => "locked",
            SwarmState::Other(other) => other.as_str(),
        };
        Self {
            server_version: info.engine_version.clone(),
            api_version: info
                .daemon_api_version
                .clone()
                .or_else(|| Some(info.api_version.clone())),
            node_id: info.node_id.clone(),
            local_node_state: Some(local_node_state.to_owned()),
            control_available: info.is_manager,
        }
    }

    /// Reads the fields from an `info.json` value and an optional `version.json` value;
    /// anything missing or of another type is `None` / `false`.
    pub fn from_json(info: &Value, version: Option<&Value>) -> Self {
        let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
        let swarm = info.get("Swarm");
        Self {
            server_version: text(info.get("ServerVersion")),
            api_version: text(version.and_then(|version| version.get("ApiVersion"))),
            node_id: text(swarm.and_then(|swarm| swarm.get("NodeID"))).filter(|id| !id.is_empty()),
            local_node_state: text(swarm.and_then(|swarm| swarm.get("LocalNodeState"))),
            control_available: swarm
                .and_then(|swarm| swarm.get("ControlAvailable"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// The swarm state, parsed; [`SwarmState::Inactive`] when the snapshot did not say.
    pub fn swarm_state(&self) -> SwarmState {
        SwarmState::parse(self.local_node_state.as_deref().unwrap_or(""))
    }

    /// The `info.json` body this writes: the fields above in the daemon's shape.
    pub fn info_json(&self) -> Value {
        let mut swarm = Map::new();
        swarm.insert(
            "NodeID".into(),
            json!(self.node_id.clone().unwrap_or_default()),
        );
        if let Some(state) = &self.local_node_state {
            swarm.insert("LocalNodeState".into(), json!(state));
        }
        swarm.insert("ControlAvailable".into(), json!(self.control_available));
        let mut info = Map::new();
        if let Some(version) = &self.server_version {
            info.insert("ServerVersion".into(), json!(version));
        }
        info.insert("Swarm".into(), Value::Object(swarm));
        Value::Object(info)
    }

    /// The `version.json` body this writes, when the API version is known.
    pub fn version_json(&self) -> Option<Value> {
        let api_version = self.api_version.as_ref()?;
        let mut version = Map::new();
        version.insert("ApiVersion".into(), json!(api_version));
        if let Some(server_version) = &self.server_version {
            version.insert("Version".into(), json!(server_version));
        }
        Some(Value::Object(version))
    }
}

impl Snapshot {
    /// Reads a snapshot folder. `tasks.json`, `services.json`, `nodes.json` and `info.json`
    /// must exist; `version.json` and `logs.json` are optional. Errors are [`Error::Snapshot`]
    /// naming the file: a file missing, over [`MAX_SNAPSHOT_FILE_SIZE`], resolving outside
    /// `dir`, or not JSON of the right shape. List elements that do not decode are kept in the
    /// `*_failures` fields, not errors.
    pub fn read(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        // A folder that does not exist is reported as its first file missing.
        let root = dir
            .canonicalize()
            .map_err(|err| snapshot_error(dir.join(INFO_FILE), err))?;
        let info: Value = parse_json(&dir.join(INFO_FILE), &read_file(&root, INFO_FILE)?)?;
        let version_path = dir.join(VERSION_FILE);
        let version: Option<Value> = if version_path.exists() {
            Some(parse_json(&version_path, &read_file(&root, VERSION_FILE)?)?)
        } else {
            None
        };
        let (tasks, task_failures) = read_list::<Task>(&root, TASKS_FILE)?.into_parts();
        let (services, service_failures) = read_list::<Service>(&root, SERVICES_FILE)?.into_parts();
        let (nodes, node_failures) = read_list::<Node>(&root, NODES_FILE)?.into_parts();
        Ok(Self {
            tasks,
            services,
            nodes,
            info: SnapshotInfo::from_json(&info, version.as_ref()),
            logs: if dir.join(LOGS_FILE).exists() {
                parse_json(&dir.join(LOGS_FILE), &read_file(&root, LOGS_FILE)?)?
            } else {
                Vec::new()
            },
            task_failures,
            service_failures,
            node_failures,
        })
    }

    /// Writes the snapshot into `dir` (created if missing) as pretty-printed JSON in the
    /// format [`Snapshot::read`] reads; `version.json` only when the API version is known.
    pub fn write(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|err| snapshot_error(dir.to_path_buf(), err))?;
        write_list(&dir.join(TASKS_FILE), &self.tasks)?;
        write_list(&dir.join(SERVICES_FILE), &self.services)?;
        write_list(&dir.join(NODES_FILE), &self.nodes)?;
        write_json(&dir.join(INFO_FILE), &self.info.info_json())?;
        if let Some(version) = self.info.version_json() {
            write_json(&dir.join(VERSION_FILE), &version)?;
        }
        if !self.logs.is_empty() {
            write_json(&dir.join(LOGS_FILE), &self.logs)?;
        }
        Ok(())
    }
}

fn snapshot_error(path: PathBuf, source: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Snapshot {
        path,
        source: Box::new(source),
    }
}

/// Why a snapshot file was refused before it was parsed.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error("it resolves to {}, outside the snapshot folder {}", resolved.display(), root.display())]
    OutsideFolder { resolved: PathBuf, root: PathBuf },
    #[error("it is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("it is not a regular file")]
    NotAFile,
}

/// The bytes of `root/name`, refused when the file resolves outside `root` (`root` is
/// canonical) or is larger than [`MAX_SNAPSHOT_FILE_SIZE`] (checked before reading, and
/// again while reading, for a file that grows).
fn read_file(root: &Path, name: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let path = root.join(name);
    let fail = |err: Box<dyn std::error::Error + Send + Sync>| Error::Snapshot {
        path: path.clone(),
        source: err,
    };
    let resolved = path.canonicalize().map_err(|err| fail(Box::new(err)))?;
    if !resolved.starts_with(root) {
        return Err(fail(Box::new(Refused::OutsideFolder {
            resolved,
            root: root.to_path_buf(),
        })));
    }
    let file = std::fs::File::open(&resolved).map_err(|err| fail(Box::new(err)))?;
    let meta = file.metadata().map_err(|err| fail(Box::new(err)))?;
    if !meta.is_file() {
        return Err(fail(Box::new(Refused::NotAFile)));
    }
    let limit = MAX_SNAPSHOT_FILE_SIZE;
    if meta.len() > limit {
        return Err(fail(Box::new(Refused::TooLarge {
            size: meta.len(),
            limit,
        })));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| fail(Box::new(err)))?;
    if bytes.len() as u64 > limit {
        return Err(fail(Box::new(Refused::TooLarge {
            size: bytes.len() as u64,
            limit,
        })));
    }
    Ok(bytes)
}

fn parse_json<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|err| snapshot_error(path.to_path_buf(), err))
}

/// A list file, decoded element by element and keeping each object's text as it is in the
/// file (see [`swarm_models::decode_list`]).
fn read_list<T: DeserializeOwned + Model>(root: &Path, name: &str) -> Result<Listing<T>> {
    let bytes = read_file(root, name)?;
    swarm_models::decode_list(&bytes).map_err(|err| snapshot_error(root.join(name), err))
}

/// Writes a list of objects, each as the daemon sent it when its text was kept.
fn write_list<T: Serialize + Model>(path: &Path, items: &[T]) -> Result<()> {
    let mut bytes = Vec::new();
    write_pretty_array(items, b"  ", &mut bytes)
        .map_err(|err| snapshot_error(path.to_path_buf(), err))?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).map_err(|err| snapshot_error(path.to_path_buf(), err))
}

fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|err| snapshot_error(path.to_path_buf(), err))?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).map_err(|err| snapshot_error(path.to_path_buf(), err))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        let task: Task = serde_json::from_value(json!({
            "ID": "t1", "ServiceID": "s1", "Slot": 1, "NodeID": "n1",
            "DesiredState": "running", "Status": {"State": "running"},
            "Future": {"Nested": [1, "a b"]}
        }))
        .unwrap();
        let service: Service =
            serde_json::from_value(json!({"ID": "s1", "Spec": {"Name": "web"}})).unwrap();
        let node: Node =
            serde_json::from_value(json!({"ID": "n1", "Description": {"Hostname": "node-1"}}))
                .unwrap();
        Snapshot {
            tasks: vec![task],
            services: vec![service],
            nodes: vec![node],
            info: SnapshotInfo {
                server_version: Some("20.10.24".into()),
                api_version: Some("1.41".into()),
                node_id: Some("n1".into()),
                local_node_state: Some("active".into()),
                control_available: true,
            },
            logs: vec![RecordedLine {
                task_id: "t1".into(),
                service_id: Some("s1".into()),
                node_id: Some("n1".into()),
                stream: "stderr".into(),
                timestamp: "2026-12-02T03:20:29.5Z".parse().ok(),
                line: "boom".into(),
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn write_then_read_is_equal() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = sample();
        snapshot.write(dir.path()).unwrap();
        let tasks: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(TASKS_FILE)).unwrap()).unwrap();
        assert!(
            tasks.is_array(),
            "tasks.json is an array like docker inspect prints"
        );
        assert_eq!(Snapshot::read(dir.path()).unwrap(), snapshot);
    }

    #[test]
    fn a_file_outside_the_folder_or_too_large_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        sample().write(dir.path()).unwrap();
        // A symlink to a file elsewhere (it holds a valid nodes list, and is still refused).
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = elsewhere.path().join("nodes.json");
        std::fs::rename(dir.path().join(NODES_FILE), &outside).unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join(NODES_FILE)).unwrap();
        let err = Snapshot::read(dir.path()).unwrap_err();
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(chain.contains("outside the snapshot folder"), "{chain}");

        // A sparse file over the limit is refused from its size, before it is read.
        std::fs::remove_file(dir.path().join(NODES_FILE)).unwrap();
        let big = std::fs::File::create(dir.path().join(NODES_FILE)).unwrap();
        big.set_len(MAX_SNAPSHOT_FILE_SIZE + 1).unwrap();
        let err = Snapshot::read(dir.path()).unwrap_err();
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(
            chain.contains("over the limit of 268435456 bytes"),
            "{chain}"
        );
        assert!(chain.contains(NODES_FILE), "{chain}");
    }

    #[test]
    fn undecodable_elements_are_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        sample().write(dir.path()).unwrap();
        std::fs::write(
            dir.path().join(TASKS_FILE),
            br#"[{"ID":"t1"},{"ID":"t2","Slot":"one"}]"#,
        )
        .unwrap();
        let snapshot = Snapshot::read(dir.path()).unwrap();
        assert_eq!(snapshot.tasks.len(), 1);
        assert_eq!(snapshot.task_failures.len(), 1);
        assert_eq!(snapshot.task_failures[0].id.as_deref(), Some("t2"));
        assert_eq!(snapshot.task_failures[0].index, 1);
    }

    #[test]
    fn version_file_is_optional() {
        let dir = tempfile::tempdir().unwrap();
        let mut snapshot = sample();
        snapshot.info.api_version = None;
        snapshot.write(dir.path()).unwrap();
        assert!(!dir.path().join(VERSION_FILE).exists());
        assert_eq!(Snapshot::read(dir.path()).unwrap().info.api_version, None);
    }

    #[test]
    fn missing_or_broken_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        sample().write(dir.path()).unwrap();
        std::fs::remove_file(dir.path().join(NODES_FILE)).unwrap();
        let err = Snapshot::read(dir.path()).unwrap_err();
        let Error::Snapshot { path, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(path.ends_with(NODES_FILE));

        std::fs::write(dir.path().join(NODES_FILE), b"[{\"ID\": ").unwrap();
        let err = Snapshot::read(dir.path()).unwrap_err();
        assert!(err.to_string().contains(NODES_FILE), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn info_fields_are_read_from_the_daemon_shape() {
        let info = json!({"ServerVersion": "24.0.7", "Swarm": {"NodeID": "", "LocalNodeState": "inactive",
            "ControlAvailable": false}, "Containers": 3});
        let parsed = SnapshotInfo::from_json(&info, Some(&json!({"ApiVersion": "1.43"})));
        assert_eq!(parsed.node_id, None);
        assert_eq!(parsed.api_version.as_deref(), Some("1.43"));
        assert_eq!(parsed.swarm_state(), SwarmState::Inactive);
        assert!(!parsed.control_available);
    }
}
