//! A transport that answers from a recorded [`Snapshot`] instead of a daemon.
//!
//! It exists for the offline demo, for bug reports ("send us `swarm-tasks snapshot DIR`") and
//! for downstream tests that want a whole swarm without Docker. It answers like a manager
//! would: filters go through [`TaskFilter::resolve`] and [`ResolvedTaskFilter::matches`]
//! (the daemon's own semantics, from swarm-models), inspect looks up a task with
//! `swarm_models::lookup::find_task` (full ID, internal name, unique ID prefix), and a
//! snapshot recorded on a node that is not a manager answers [`Error::NotManager`] as that
//! node did.
//!
//! [`ResolvedTaskFilter::matches`]: swarm_models::ResolvedTaskFilter::matches

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use swarm_models::{Listing, Node, Service, ServiceNames, ServiceStatus, Task, TaskFilter, lookup};

use crate::Transport;
use crate::error::{Error, NotManagerReason, ObjectKind, Result};
use crate::info::{InspectOutcome, SwarmState, SystemInfo};
use crate::logs::{LogLine, LogOptions, LogStream, LogTarget};
use crate::snapshot::{RecordedLine, Snapshot};
use crate::version::MAX_API_VERSION;

/// The daemon's 503 text on a node that is not in a swarm.
const NOT_IN_SWARM: &str = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
/// The daemon's 503 text on a worker.
const WORKER: &str = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
/// The daemon's 503 text on a locked swarm.
const LOCKED: &str = "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.";

/// Serves a snapshot folder (see [`Snapshot`]) through the [`Transport`] trait.
///
/// ```no_run
/// use swarm_transport::{ReplayTransport, Transport};
/// use swarm_models::TaskFilter;
///
/// # async fn run() -> swarm_transport::Result<()> {
/// let replay = ReplayTransport::open("demo/swarm")?;
/// let web = replay.list_tasks(&TaskFilter::new().service("web")).await?;
/// println!("{} tasks of web in {}", web.len(), replay.endpoint());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    endpoint: String,
    snapshot: Snapshot,
}

impl ReplayTransport {
    /// Reads the snapshot folder at `dir` (synchronously, once); errors name the bad file.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let snapshot = Snapshot::read(dir)?;
        Ok(Self::from_snapshot(snapshot, dir))
    }

    /// Serves a snapshot already in memory; `dir` only names it in [`Transport::endpoint`].
    pub fn from_snapshot(snapshot: Snapshot, dir: impl Into<PathBuf>) -> Self {
        let dir: PathBuf = dir.into();
        Self {
            endpoint: format!("replay:{}", dir.display()),
            snapshot,
        }
    }

    /// The snapshot being served.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// The not-a-manager error the recording node would have answered, if any. A snapshot
    /// that does not say its swarm state is served as a manager.
    fn manager_error(&self) -> Option<Error> {
        let info = &self.snapshot.info;
        let state = info.local_node_state.as_deref()?;
        let message = match SwarmState::parse(state) {
            SwarmState::Active if info.control_available => return None,
            SwarmState::Active => WORKER,
            SwarmState::Locked => LOCKED,
            _ => NOT_IN_SWARM,
        };
        Some(Error::NotManager {
            endpoint: self.endpoint.clone(),
            reason: NotManagerReason::from_message(message),
            message: message.to_owned(),
        })
    }

    fn require_manager(&self) -> Result<()> {
        self.manager_error().map_or(Ok(()), Err)
    }

    /// The task `id` names, by the daemon's rule (`swarm_models::lookup::find_task`: full
    /// ID, then internal name, then unique ID prefix). An empty id names nothing: over HTTP
    /// it would not even reach the task route.
    fn find_task(&self, id: &str) -> Result<&Task> {
        if id.is_empty() {
            return Err(Error::NotFound {
                kind: ObjectKind::Task,
                id: id.to_owned(),
            });
        }
        let names = ServiceNames::new(&self.snapshot.services);
        Ok(lookup::find_task(&self.snapshot.tasks, id, &names)?)
    }
}

/// The service with `ServiceStatus` task counts, computed from the snapshot's tasks as the
/// daemon does for `GET /services?status=true` when the recording did not include them
/// (`docker service inspect` leaves them out).
fn with_service_status(service: &Service, tasks: &[Task]) -> Service {
    let mut service = service.clone();
    if service.service_status.is_none() {
        service.service_status = Some(ServiceStatus::from_tasks(&service, tasks));
    }
    service
}

#[async_trait]
impl Transport for ReplayTransport {
    fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    async fn system_info(&self) -> Result<SystemInfo> {
        let info = &self.snapshot.info;
        let swarm = match info.local_node_state {
            Some(_) => info.swarm_state(),
            None => SwarmState::Active,
        };
        let api_version = info
            .api_version
            .clone()
            .unwrap_or_else(|| MAX_API_VERSION.to_owned());
        let mut system_info = SystemInfo::new(
            api_version,
            swarm,
            info.node_id.clone(),
            self.manager_error().is_none(),
        );
        system_info.daemon_api_version = info.api_version.clone();
        system_info.engine_version = info.server_version.clone();
        Ok(system_info)
    }

    /// The recorded tasks the filter matches; every element of `tasks.json` that did not
    /// decode is a failure of the listing whatever the filter (it cannot be matched).
    async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        self.require_manager()?;
        let resolved = filter.resolve(&self.snapshot.services, &self.snapshot.nodes)?;
        Ok(Listing {
            items: self
                .snapshot
                .tasks
                .iter()
                .filter(|task| resolved.matches(task))
                .cloned()
                .collect(),
            failures: self.snapshot.task_failures.clone(),
        })
    }

    async fn inspect_task(&self, id: &str) -> Result<Task> {
        self.require_manager()?;
        self.find_task(id).cloned()
    }

    async fn inspect_tasks(&self, ids: &[String]) -> Result<Vec<InspectOutcome>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.require_manager()?;
        Ok(ids
            .iter()
            .map(|id| InspectOutcome {
                id: id.clone(),
                result: self.find_task(id).cloned(),
            })
            .collect())
    }

    async fn list_services(&self) -> Result<Listing<Service>> {
        self.require_manager()?;
        let tasks = &self.snapshot.tasks;
        Ok(Listing {
            items: self
                .snapshot
                .services
                .iter()
                .map(|service| with_service_status(service, tasks))
                .collect(),
            failures: self.snapshot.service_failures.clone(),
        })
    }

    async fn list_nodes(&self) -> Result<Listing<Node>> {
        self.require_manager()?;
        Ok(Listing {
            items: self.snapshot.nodes.clone(),
            failures: self.snapshot.node_failures.clone(),
        })
    }

    /// The lines `snapshot` recorded (the last ones of each task), filtered by the options
    /// as the daemon would; a followed stream ends after them, since a snapshot never
    /// changes.
    async fn logs(&self, target: &LogTarget, options: &LogOptions) -> Result<LogStream> {
        self.require_manager()?;
        let matches: Box<dyn Fn(&RecordedLine) -> bool + Send> = match target {
            LogTarget::Task(id) => {
                let task_id = self.find_task(id)?.id.clone();
                Box::new(move |line| line.task_id == task_id)
            }
            LogTarget::Service(id) => {
                let service_id = self.find_service(id)?.to_owned();
                Box::new(move |line| line.service_id.as_deref() == Some(service_id.as_str()))
            }
        };
        let picked: Vec<&RecordedLine> = self
            .snapshot
            .logs
            .iter()
            .filter(|line| matches(line))
            .collect();
        let lines = recorded_lines(&picked, options);
        Ok(Box::pin(futures::stream::iter(lines.into_iter().map(Ok))))
    }
}

impl ReplayTransport {
    /// A service's full ID, by `swarm_models::lookup::find` (full ID, exact name, unique
    /// ID prefix). An empty id names nothing, as an empty path segment over HTTP.
    fn find_service(&self, id: &str) -> Result<&str> {
        if id.is_empty() {
            return Err(Error::NotFound {
                kind: ObjectKind::Service,
                id: id.to_owned(),
            });
        }
        Ok(&lookup::find(&self.snapshot.services, id)?.id)
    }
}

/// Recorded lines as the daemon would send them for `options`: the chosen outputs, written
/// in `[since, until)`, the last `tail` of each task, timestamps only when asked for.
fn recorded_lines(picked: &[&RecordedLine], options: &LogOptions) -> Vec<LogLine> {
    let in_time = |line: &RecordedLine| {
        let after_since = match (&options.since, &line.timestamp) {
            (Some(since), Some(at)) => at.as_datetime() >= since.as_datetime(),
            _ => true,
        };
        let before_until = match (&options.until, &line.timestamp) {
            (Some(until), Some(at)) => at.as_datetime() < until.as_datetime(),
            _ => true,
        };
        after_since && before_until
    };
    let wanted = |line: &RecordedLine| {
        let output = if line.stream == "stderr" {
            options.stderr
        } else {
            options.stdout
        };
        output && in_time(line)
    };
    let kept: Vec<&RecordedLine> = picked.iter().copied().filter(|line| wanted(line)).collect();
    // The last `tail` lines of each task: count from the end.
    let mut seen: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    let mut keep = vec![true; kept.len()];
    if let Some(tail) = options.tail {
        for (idx, line) in kept.iter().enumerate().rev() {
            let count = seen.entry(line.task_id.as_str()).or_insert(0);
            keep[idx] = *count < tail;
            *count += 1;
        }
    }
    let mut out = Vec::with_capacity(kept.len());
    for (line, keep) in kept.iter().zip(keep) {
        if !keep {
            continue;
        }
        let mut log_line = line.to_line();
        if !options.timestamps {
            log_line.timestamp = None;
        }
        out.push(log_line);
    }
    out
}
