//! [`Client`], the entry point of the facade, and how one is built.
//!
//! A client is a cheap handle (an `Arc`) around one [`Transport`]. It adds what the transport
//! deliberately leaves out: building from the environment like `docker`, batch inspect
//! split into found tasks and per-id misses, and (in [`crate::ps`]) docker's `service ps` and
//! `node ps` with one request per object kind instead of one per object.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use swarm_models::{Listing, Node, Runtime, Service, Task, TaskFilter};
use swarm_transport::logs::{LogOptions, LogTarget};
use swarm_transport::snapshot::SNAPSHOT_LOG_LINES;
use swarm_transport::{RecordedLine, Snapshot, SnapshotInfo, SystemInfo, Transport};

use crate::connect;
use crate::endpoint::{DockerEnv, EndpointOptions, resolve_endpoint};
use crate::error::Result;

/// A swarm-tasks client: lists, inspects and `ps`es tasks through one [`Transport`].
///
/// Cloning is cheap and clones share the transport (and its connection pool).
///
/// ```no_run
/// # async fn run() -> swarm_tasks::Result<()> {
/// use swarm_tasks::{Client, PsOptions};
///
/// let client = Client::from_env()?;
/// let report = client.service_ps(&["web".to_owned()], &PsOptions::default()).await?;
/// for row in &report.rows {
///     println!("{} {:?} {:?}", row.name, row.node_name, row.current_state);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.transport.endpoint())
            .finish()
    }
}

/// Which transport [`ClientBuilder::build`] uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The Engine API for `unix://`, `tcp://`, `http://` and `https://` hosts, the docker CLI
    /// for `ssh://` hosts (which need docker's SSH connection helper).
    #[default]
    Auto,
    /// Always the Engine API over HTTP (feature `http`).
    Http,
    /// Always the `docker` binary (feature `cli`); `--context` / `-H` are passed through.
    Cli,
}

/// What [`Client::inspect_many`] returns: the tasks found, and the ids that named none.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct InspectMany {
    /// The tasks found, in the order their ids were given.
    pub found: Vec<Task>,
    /// Each id that matched no task (or several), with the reason
    /// ([`transport::Error::NotFound`](swarm_transport::Error::NotFound) or `Ambiguous`).
    pub missing: Vec<(String, swarm_transport::Error)>,
    /// Each id whose lookup failed otherwise (a timeout, a dropped connection) while others
    /// were found, with the error.
    pub failed: Vec<(String, swarm_transport::Error)>,
}

impl Client {
    /// A client over any transport.
    pub fn new(transport: impl Transport + 'static) -> Self {
        Self {
            transport: Arc::new(transport),
        }
    }

    /// A client over a shared transport.
    pub fn from_arc(transport: Arc<dyn Transport>) -> Self {
        Self { transport }
    }

    /// A builder: host, context, transport kind, replay folder, timeouts.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the daemon `docker` would use here: `DOCKER_HOST`, `DOCKER_CONTEXT`, the
    /// current context of the docker config, else the default socket (see
    /// [`endpoint`](crate::endpoint) for the exact rules).
    pub fn from_env() -> Result<Self> {
        Self::builder().build()
    }

    /// Where the client talks to, for messages (`unix:///var/run/docker.sock`, ...).
    pub fn endpoint(&self) -> String {
        self.transport.endpoint()
    }

    /// The transport underneath, for calls the facade does not wrap.
    pub fn transport(&self) -> &dyn Transport {
        self.transport.as_ref()
    }

    /// API version, swarm state, this node's ID and role.
    pub async fn system_info(&self) -> Result<SystemInfo> {
        Ok(self.transport.system_info().await?)
    }

    /// Lists tasks matching the filter with the daemon's semantics (an empty filter lists
    /// every container task). One request.
    ///
    /// Tasks that do not decode are in [`Listing::failures`] (index, ID, error) beside the
    /// tasks that did; the listing dereferences to the `Vec` of those.
    #[doc(alias = "ls")]
    pub async fn list(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        Ok(self.transport.list_tasks(filter).await?)
    }

    /// Inspects one task by full ID, exact internal name or unique ID prefix.
    pub async fn inspect(&self, id: &str) -> Result<Task> {
        Ok(self.transport.inspect_task(id).await?)
    }

    /// Inspects many tasks. Ids that match no task (or are ambiguous) are listed in
    /// [`InspectMany::missing`], ids whose lookup failed otherwise in
    /// [`InspectMany::failed`]; neither hides the tasks found. When nothing was found and a
    /// lookup failed otherwise (daemon unreachable, not a manager ...), the call fails with
    /// that error. An empty list makes no request.
    pub async fn inspect_many(&self, ids: &[String]) -> Result<InspectMany> {
        let mut result = InspectMany::default();
        if ids.is_empty() {
            return Ok(result);
        }
        for outcome in self.transport.inspect_tasks(ids).await? {
            match outcome.result {
                Ok(task) => result.found.push(task),
                Err(
                    error @ (swarm_transport::Error::NotFound { .. }
                    | swarm_transport::Error::Ambiguous { .. }),
                ) => {
                    result.missing.push((outcome.id, error));
                }
                Err(error) => result.failed.push((outcome.id, error)),
            }
        }
        if result.found.is_empty() {
            if let Some((_id, error)) = result.failed.drain(..).next() {
                return Err(error.into());
            }
        }
        Ok(result)
    }

    /// Every service (one request); those that do not decode are [`Listing::failures`].
    pub async fn services(&self) -> Result<Listing<Service>> {
        Ok(self.transport.list_services().await?)
    }

    /// Every node (one request); those that do not decode are [`Listing::failures`].
    pub async fn nodes(&self) -> Result<Listing<Node>> {
        Ok(self.transport.list_nodes().await?)
    }

    /// Records the whole swarm: every task (containers, plugins and network attachments),
    /// service and node, and what the daemon says about itself. Four requests, made
    /// concurrently. Write it with [`Snapshot::write`] and serve it again with
    /// [`ClientBuilder::replay`] (`swarm-tasks snapshot DIR`). Objects that do not decode
    /// are in the snapshot's `*_failures` fields and are not written.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let every_runtime = TaskFilter::new()
            .runtime(Runtime::Container)
            .runtime(Runtime::Plugin)
            .runtime(Runtime::Attachment);
        let transport = self.transport.as_ref();
        let (tasks, services, nodes, info) = futures::try_join!(
            transport.list_tasks(&every_runtime),
            transport.list_services(),
            transport.list_nodes(),
            transport.system_info(),
        )?;
        let logs = self.recorded_logs(&services).await;
        let (tasks, task_failures) = tasks.into_parts();
        let (services, service_failures) = services.into_parts();
        let (nodes, node_failures) = nodes.into_parts();
        Ok(Snapshot {
            tasks,
            services,
            nodes,
            info: SnapshotInfo::from_system_info(&info),
            logs,
            task_failures,
            service_failures,
            node_failures,
        })
    }

    /// The last lines of each task, one logs request per service (4 at a time). Logs are a
    /// best effort: a service whose logs cannot be read is left out (with a warning in the
    /// trace), since the rest of the snapshot is still worth having.
    async fn recorded_logs(&self, services: &[Service]) -> Vec<RecordedLine> {
        use futures::StreamExt;
        let options = LogOptions::new().tail(SNAPSHOT_LOG_LINES).timestamps(true);
        let transport = self.transport.as_ref();
        // The futures are made up front, owning their IDs: a `map` closure over borrowed
        // services would make the stream higher-ranked, which `Send` checks cannot prove.
        let pending: Vec<_> = services
            .iter()
            .map(|service| {
                let target = LogTarget::Service(service.id.clone());
                let options = options.clone();
                async move {
                    let mut recorded = Vec::new();
                    let stream = match transport.logs(&target, &options).await {
                        Ok(stream) => stream,
                        Err(err) => {
                            tracing::warn!(service = %target.id(), error = %err, "snapshot without this service's logs");
                            return recorded;
                        }
                    };
                    let lines: Vec<_> = stream.collect().await;
                    for line in lines {
                        match line {
                            Ok(line) => recorded.extend(RecordedLine::from_line(&line)),
                            Err(err) => {
                                tracing::warn!(service = %target.id(), error = %err, "snapshot with part of this service's logs");
                                break;
                            }
                        }
                    }
                    recorded
                }
            })
            .collect();
        let per_service: Vec<Vec<RecordedLine>> =
            futures::stream::iter(pending).buffered(4).collect().await;
        let mut logs: Vec<RecordedLine> = per_service.into_iter().flatten().collect();
        // Oldest first per task, tasks in ID order.
        logs.sort_by(|a, b| (&a.task_id, a.timestamp).cmp(&(&b.task_id, b.timestamp)));
        logs
    }
}

/// Builds a [`Client`] from explicit settings and the environment, like `docker` does.
///
/// Setters never fail; [`ClientBuilder::build`] reports the first problem.
///
/// ```no_run
/// # async fn run() -> swarm_tasks::Result<()> {
/// use std::time::Duration;
/// use swarm_tasks::{Client, TransportKind};
///
/// let client = Client::builder()
///     .context("prod")
///     .transport(TransportKind::Auto)
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    pub(crate) host: Option<String>,
    pub(crate) context: Option<String>,
    pub(crate) kind: TransportKind,
    pub(crate) replay: Option<PathBuf>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) docker_program: Option<PathBuf>,
    pub(crate) ssh_program: Option<PathBuf>,
    pub(crate) env: Option<DockerEnv>,
    pub(crate) max_concurrent_requests: Option<usize>,
}

impl ClientBuilder {
    /// The daemon address (`--host`): `unix:///path`, `tcp://host:port`, `http(s)://`,
    /// `ssh://user@host`. Conflicts with [`ClientBuilder::context`]. Default: resolved from
    /// the environment.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// A docker context name (`--context`). Conflicts with [`ClientBuilder::host`].
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Which transport to use. Default: [`TransportKind::Auto`].
    pub fn transport(mut self, kind: TransportKind) -> Self {
        self.kind = kind;
        self
    }

    /// Serve a recorded snapshot folder instead of a daemon (host, context and transport
    /// kind are then ignored).
    pub fn replay(mut self, dir: impl Into<PathBuf>) -> Self {
        self.replay = Some(dir.into());
        self
    }

    /// A limit for each request (HTTP) or command (CLI). Default: the transport's own.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many requests the client has in flight at once, across all its calls and clones
    /// (at least 1): over HTTP, requests (default 8); with the CLI transport, `docker`
    /// processes (dial-stdio children or commands, default 4). More wait for a free slot;
    /// the wait is not part of the [`timeout`](Self::timeout).
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_requests = Some(requests.max(1));
        self
    }

    /// The `docker` binary for the CLI transport. Default: `docker` on `PATH`.
    pub fn docker_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.docker_program = Some(program.into());
        self
    }

    /// The `ssh` program the CLI transport runs for `ssh://` hosts (and contexts whose
    /// endpoint is one): `ssh [-l USER] [-p PORT] -- HOST docker system dial-stdio`, as
    /// docker's own connection helper does. Default: `ssh` on `PATH`.
    pub fn ssh_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.ssh_program = Some(program.into());
        self
    }

    /// Resolve against this environment instead of the process's (for tests and embedding).
    pub fn environment(mut self, env: DockerEnv) -> Self {
        self.env = Some(env);
        self
    }

    /// Resolves the endpoint and builds the transport. Connects lazily: the first call
    /// reaches the daemon, so an unreachable daemon is reported there.
    pub fn build(self) -> Result<Client> {
        if let Some(dir) = &self.replay {
            return Ok(Client::from_arc(connect::replay(dir)?));
        }
        let env = self.env.clone().unwrap_or_else(DockerEnv::from_process);
        let options = EndpointOptions {
            host: self.host.clone(),
            context: self.context.clone(),
        };
        let resolved = resolve_endpoint(&options, &env)?;
        let transport = connect::transport(&self, &options, &resolved)?;
        Ok(Client::from_arc(transport))
    }
}

#[cfg(test)]
mod tests {
    use swarm_models::FilterKey;
    use swarm_transport::{InspectOutcome, MockTransport, ObjectKind, SwarmState};

    use super::*;

    fn found(id: &str) -> InspectOutcome {
        InspectOutcome {
            id: id.to_owned(),
            result: Ok(Task {
                id: format!("{id}-full"),
                ..Task::default()
            }),
        }
    }

    fn failed(id: &str, error: swarm_transport::Error) -> InspectOutcome {
        InspectOutcome {
            id: id.to_owned(),
            result: Err(error),
        }
    }

    #[tokio::test]
    async fn inspect_many_splits_found_and_missing() {
        let mut mock = MockTransport::new();
        mock.expect_inspect_tasks().times(1).returning(|_| {
            Ok(vec![
                found("a"),
                failed(
                    "b",
                    swarm_transport::Error::NotFound {
                        kind: ObjectKind::Task,
                        id: "b".into(),
                    },
                ),
                failed(
                    "c",
                    swarm_transport::Error::Ambiguous {
                        kind: ObjectKind::Task,
                        id: "c".into(),
                        matches: 2,
                    },
                ),
                found("d"),
            ])
        });
        let client = Client::new(mock);
        let ids: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let result = client.inspect_many(&ids).await.unwrap();
        let found: Vec<&str> = result.found.iter().map(|task| task.id.as_str()).collect();
        assert_eq!(found, ["a-full", "d-full"]);
        let missing: Vec<&str> = result.missing.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(missing, ["b", "c"]);
    }

    /// One failed lookup does not hide the tasks found; with nothing found, the call fails.
    #[tokio::test]
    async fn inspect_many_keeps_what_was_found_beside_a_failed_lookup() {
        let timeout = || swarm_transport::Error::Timeout {
            endpoint: "x".into(),
            after: Duration::from_secs(1),
        };
        let mut mock = MockTransport::new();
        mock.expect_inspect_tasks()
            .times(1)
            .returning(move |_| Ok(vec![found("a"), failed("b", timeout())]));
        let client = Client::new(mock);
        let result = client
            .inspect_many(&["a".into(), "b".into()])
            .await
            .unwrap();
        assert_eq!(result.found.len(), 1);
        let failed_ids: Vec<&str> = result.failed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(failed_ids, ["b"]);
        assert!(result.missing.is_empty());

        let mut mock = MockTransport::new();
        mock.expect_inspect_tasks()
            .times(1)
            .returning(move |_| Ok(vec![failed("b", timeout())]));
        let client = Client::new(mock);
        let error = client.inspect_many(&["b".into()]).await.unwrap_err();
        assert!(error.is_connection(), "{error}");
    }

    #[tokio::test]
    async fn snapshot_asks_for_every_runtime_once() {
        let mut mock = MockTransport::new();
        mock.expect_list_tasks()
            .times(1)
            .withf(|filter: &TaskFilter| {
                filter.values(FilterKey::Runtime).collect::<Vec<_>>()
                    == ["attachment", "container", "plugin"]
            })
            .returning(|_| Ok(vec![Task::default()].into()));
        mock.expect_list_services()
            .times(1)
            .returning(|| Ok(Vec::new().into()));
        mock.expect_list_nodes()
            .times(1)
            .returning(|| Ok(Vec::new().into()));
        mock.expect_system_info().times(1).returning(|| {
            Ok(SystemInfo::new(
                "1.41",
                SwarmState::Active,
                Some("n1".into()),
                true,
            ))
        });
        let snapshot = Client::new(mock).snapshot().await.unwrap();
        assert_eq!(snapshot.tasks.len(), 1);
        assert_eq!(snapshot.info.node_id.as_deref(), Some("n1"));
        assert_eq!(snapshot.info.local_node_state.as_deref(), Some("active"));
    }
}
