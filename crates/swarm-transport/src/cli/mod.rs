//! [`CliTransport`]: reaches the daemon through the `docker` binary, so docker contexts,
//! `ssh://` hosts and TLS settings work exactly as they do for `docker` itself.
//!
//! By default it speaks the Engine API over `docker [--context C | -H HOST] system
//! dial-stdio` (`dial.rs`, `relay.rs`): the same requests and decoding as `HttpTransport`,
//! through a few long-lived `docker` children. A docker binary without dial-stdio gets the
//! command-based path ([`CliConnection`]):
//! every command runs as an argument vector (never through a shell), with the global flags
//! first and `--` before ids. `docker inspect` calls are chunked under the argument limit and
//! run concurrently; stderr is mapped to the same typed [`Error`]s as the HTTP transport.
//! The docker CLI has no "list all tasks" command, so that path's `list_tasks` combines
//! `docker service ls`, `docker service ps` and `docker inspect --type task`; see `list.rs`
//! for how each filter key is honoured.

mod command;
mod dial;
mod inspect;
mod list;
mod logs;
mod relay;
mod replicas;
mod ssh;
pub(crate) mod stderr;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use swarm_models::{ItemFailure, Listing, Node, Service, Task, TaskFilter};

use self::command::{CliOutput, Invocation, chunk_ids, with_ids};
pub use self::dial::CliConnection;
use self::dial::{DialSettings, DialStdio, Mode};
use self::inspect::{HasIdentity, assign, parse_array};
use self::stderr::{ErrorContext, classify};
use crate::Transport;
use crate::error::{Error, ObjectKind, Result};
use crate::http::HttpTransport;
use crate::info::{InspectOutcome, SwarmState, SystemInfo};
use crate::logs::{LogOptions, LogStream, LogTarget};

/// Ids per `docker inspect` call, by default.
const DEFAULT_BATCH_SIZE: usize = 200;
/// Bytes of ids per call: far below Linux's 128 KiB single-argument and 2 MiB total limits,
/// and below Windows' 32 KiB command line.
const DEFAULT_BATCH_BYTES: usize = 24 * 1024;
/// `docker` processes one transport (and its clones) runs at once, across all its calls.
pub const DEFAULT_CLI_CONCURRENCY: usize = 4;
/// The limit for one `docker` command, by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A [`Transport`] that runs the `docker` client binary.
///
/// Use it where only `docker` knows how to reach the daemon (`ssh://` hosts, contexts with
/// their TLS material). By default ([`CliConnection::Auto`]) it sends the HTTP transport's
/// requests through `docker system dial-stdio` children (started on first use, at most
/// [`concurrency`](CliTransportBuilder::concurrency) at once, kept for the life of the
/// transport and killed with it), so its answers are the HTTP transport's.
///
/// With a docker binary that has no dial-stdio it runs one `docker` command per question
/// instead, never through a shell; that path differs from the HTTP transport in two places:
/// services come from `docker service inspect`, which fills unset spec fields with the
/// daemon's defaults; and a task with neither a live service nor a node (a pending task of
/// a service being removed) is not listed.
///
/// ```no_run
/// use swarm_transport::{CliTransport, Transport};
/// use swarm_models::TaskFilter;
///
/// # async fn run() -> swarm_transport::Result<()> {
/// let transport = CliTransport::builder().context("prod").build();
/// let tasks = transport.list_tasks(&TaskFilter::new().service("web")).await?;
/// println!("{} tasks", tasks.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CliTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    invocation: Invocation,
    endpoint: String,
    batch_size: usize,
    batch_bytes: usize,
    concurrency: usize,
    connection: CliConnection,
    api_version: Option<String>,
    ssh_program: Option<PathBuf>,
    /// Chosen on the first call.
    mode: tokio::sync::OnceCell<Mode>,
    /// The binary's answer to `docker system dial-stdio --help`, once asked (only when the
    /// first dial-stdio child failed): `true` when it has the command.
    has_dial_stdio: tokio::sync::OnceCell<bool>,
    /// `docker` commands that finished (command path), for [`Error::CliTimeout`].
    finished: std::sync::atomic::AtomicUsize,
    /// One permit per `docker` command running (command path): at most `concurrency` at
    /// once across every call of this transport and its clones.
    commands_running: tokio::sync::Semaphore,
}

/// Configures a [`CliTransport`]; every setting has a default.
#[derive(Debug, Clone)]
#[must_use]
pub struct CliTransportBuilder {
    program: PathBuf,
    context: Option<String>,
    host: Option<String>,
    config_dir: Option<PathBuf>,
    timeout: Option<Duration>,
    batch_size: usize,
    batch_bytes: usize,
    concurrency: usize,
    connection: CliConnection,
    api_version: Option<String>,
    ssh_program: Option<PathBuf>,
}

impl Default for CliTransportBuilder {
    fn default() -> Self {
        Self {
            program: PathBuf::from("docker"),
            context: None,
            host: None,
            config_dir: None,
            timeout: Some(DEFAULT_TIMEOUT),
            batch_size: DEFAULT_BATCH_SIZE,
            batch_bytes: DEFAULT_BATCH_BYTES,
            concurrency: DEFAULT_CLI_CONCURRENCY,
            connection: CliConnection::Auto,
            api_version: None,
            ssh_program: Some(PathBuf::from("ssh")),
        }
    }
}

impl CliTransportBuilder {
    /// The `docker` program: a name looked up in `PATH` or a path. Default `docker`.
    pub fn program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// A docker context (`docker --context NAME`). Default: none, so docker uses
    /// `DOCKER_CONTEXT`, `DOCKER_HOST` or its current context. Ignored when a host is set.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// A daemon address (`docker -H HOST`: `unix://`, `tcp://`, `ssh://`). Default: none.
    /// It wins over [`context`](Self::context), since `docker` refuses both.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The docker config directory (`docker --config DIR`). Default: docker's own choice.
    pub fn config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config_dir = Some(dir.into());
        self
    }

    /// The limit for each request through dial-stdio, or each `docker` command; the child is
    /// killed when it passes and the call fails with [`Error::CliTimeout`]. Default 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// At most this many ids per `docker inspect` / `docker service ps` call. Default 200.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// At most about this many bytes of ids per call, to stay under the OS argument limit.
    /// Default 24 KiB.
    pub fn batch_bytes(mut self, batch_bytes: usize) -> Self {
        self.batch_bytes = batch_bytes.max(1);
        self
    }

    /// At most this many `docker` processes at once for this transport and its clones,
    /// across all their calls: dial-stdio children (and requests in flight through them), or
    /// commands; more wait for a free slot (the wait is not part of a command's
    /// [`timeout`](Self::timeout)). Default [`DEFAULT_CLI_CONCURRENCY`] (4), at least 1.
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Dial-stdio, docker commands, or whichever the binary supports (the default).
    pub fn connection(mut self, connection: CliConnection) -> Self {
        self.connection = connection;
        self
    }

    /// Pin the Engine API version over dial-stdio (`Some("1.41")`); `None` (the default)
    /// negotiates it as the HTTP transport does. The command path leaves it to `docker`,
    /// which reads `DOCKER_API_VERSION`.
    pub fn api_version(mut self, version: Option<String>) -> Self {
        self.api_version = version;
        self
    }

    /// How an `ssh://` endpoint (from [`host`](Self::host), `DOCKER_HOST` or a context) is
    /// dialed. With `Some(ssh)` (the default: `ssh` from `PATH`) each child is the command
    /// docker's own connection helper runs, `ssh [-l USER] [-p PORT] -- HOST docker system
    /// dial-stdio`: one ssh connection per child and no local `docker` process. With `None`
    /// each child is `docker -H ssh://... system dial-stdio`, which opens two ssh connections
    /// (docker pings the daemon before it dials the stream).
    pub fn ssh_program(mut self, program: Option<PathBuf>) -> Self {
        self.ssh_program = program;
        self
    }

    /// Builds the transport. Nothing is run until the first call.
    pub fn build(self) -> CliTransport {
        let invocation = Invocation {
            program: self.program,
            context: self.context,
            host: self.host,
            config_dir: self.config_dir,
            timeout: self.timeout,
        };
        CliTransport {
            inner: Arc::new(Inner {
                endpoint: invocation.endpoint(),
                invocation,
                batch_size: self.batch_size,
                batch_bytes: self.batch_bytes,
                concurrency: self.concurrency,
                connection: self.connection,
                api_version: self.api_version,
                ssh_program: self.ssh_program,
                mode: tokio::sync::OnceCell::new(),
                has_dial_stdio: tokio::sync::OnceCell::new(),
                finished: std::sync::atomic::AtomicUsize::new(0),
                commands_running: tokio::sync::Semaphore::new(self.concurrency),
            }),
        }
    }
}

impl Default for CliTransport {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl CliTransport {
    /// A builder with the defaults: `docker` from `PATH`, its current context.
    pub fn builder() -> CliTransportBuilder {
        CliTransportBuilder::default()
    }

    /// The connection in use, chosen on the first call.
    async fn mode(&self) -> Result<&Mode> {
        let inner = &self.inner;
        inner
            .mode
            .get_or_try_init(|| async {
                let settings = DialSettings {
                    concurrency: inner.concurrency,
                    timeout: inner.invocation.timeout,
                    api_version: inner.api_version.clone(),
                    ssh_program: inner.ssh_program.clone(),
                };
                dial::choose(
                    inner.connection,
                    &inner.invocation,
                    &inner.endpoint,
                    settings,
                )
            })
            .await
    }

    /// The dial-stdio connection, unless this transport runs docker commands (asked for, or
    /// found that the binary has no dial-stdio).
    async fn dial(&self) -> Result<Option<&DialStdio>> {
        Ok(match self.mode().await? {
            Mode::DialStdio(dial) if !self.fell_back() => Some(dial),
            _ => None,
        })
    }

    /// True once the binary said it has no dial-stdio: docker commands from then on.
    fn fell_back(&self) -> bool {
        self.inner.has_dial_stdio.get() == Some(&false)
    }

    /// Asks the binary, once per transport, whether it has `system dial-stdio`; without it,
    /// says in the log that docker commands run instead.
    async fn binary_has_dial_stdio(&self) -> Result<bool> {
        let inner = &self.inner;
        let has = inner
            .has_dial_stdio
            .get_or_try_init(|| async {
                let has = dial::has_dial_stdio(&inner.invocation).await?;
                if !has {
                    tracing::info!(
                        endpoint = %inner.endpoint,
                        program = %inner.invocation.program.display(),
                        "CLI transport: this docker binary has no `system dial-stdio`; running docker commands (docker service ps, docker inspect, ...)"
                    );
                }
                Ok::<_, Error>(has)
            })
            .await?;
        Ok(*has)
    }

    /// Runs an operation over dial-stdio, or over docker commands. When the first dial-stdio
    /// call fails because its child failed, the binary is asked whether it has dial-stdio
    /// at all; without it, this call and every later one run docker commands.
    async fn over<'a, T, F, Fut, C, CFut>(
        &'a self,
        what: &str,
        over_dial: F,
        over_commands: C,
    ) -> Result<T>
    where
        F: Fn(HttpTransport) -> Fut,
        Fut: Future<Output = Result<T>> + 'a,
        C: FnOnce() -> CFut,
        CFut: Future<Output = Result<T>> + 'a,
    {
        if let Some(dial) = self.dial().await? {
            match dial.call(what, over_dial).await {
                Err(err) if dial.may_lack_dial_stdio() => {
                    // A binary that cannot even be asked: the call's own error says so.
                    if self.binary_has_dial_stdio().await.unwrap_or(true) {
                        return Err(err);
                    }
                }
                other => return other,
            }
        }
        over_commands().await
    }

    /// Whether this transport speaks the Engine API over `docker system dial-stdio`
    /// (deciding it now if no call did yet); `false` means docker commands.
    pub async fn uses_dial_stdio(&self) -> Result<bool> {
        match self.dial().await? {
            None => Ok(false),
            Some(dial) if dial.confirmed() => Ok(true),
            Some(_) => self.binary_has_dial_stdio().await,
        }
    }

    /// How many `docker system dial-stdio` children this transport started so far, and how
    /// many are running now (both 0 on the command path).
    pub fn dial_stdio_children(&self) -> (usize, usize) {
        match self.inner.mode.get() {
            Some(Mode::DialStdio(dial)) if !self.fell_back() => {
                (dial.children_started(), dial.children_running())
            }
            _ => (0, 0),
        }
    }

    /// Runs one command-path operation, turning a command's timeout into an
    /// [`Error::CliTimeout`] that counts the commands of this call that finished first.
    async fn commands<T>(&self, op: impl Future<Output = Result<T>>) -> Result<T> {
        use std::sync::atomic::Ordering;
        let started = std::time::Instant::now();
        let finished = self.inner.finished.load(Ordering::Relaxed);
        match op.await {
            Err(Error::CliTimeout {
                endpoint,
                waiting_for,
                limit,
                ..
            }) => Err(Error::CliTimeout {
                endpoint,
                waiting_for,
                answered: self
                    .inner
                    .finished
                    .load(Ordering::Relaxed)
                    .saturating_sub(finished),
                elapsed: started.elapsed(),
                limit,
            }),
            other => other,
        }
    }

    /// Runs one `docker` command once one of the transport's slots is free, counting it when
    /// it finishes.
    async fn run(&self, subcommand: &[String]) -> Result<CliOutput> {
        let _slot = self
            .inner
            .commands_running
            .acquire()
            .await
            .map_err(|_| Error::Config {
                message: format!("{}: the command limiter was closed", self.inner.endpoint),
            })?;
        let output = self.inner.invocation.run(subcommand).await?;
        self.inner
            .finished
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(output)
    }

    /// Runs a subcommand; a non-zero exit is classified from stderr.
    async fn run_ok(&self, subcommand: &[String]) -> Result<CliOutput> {
        let output = self.run(subcommand).await?;
        if output.success {
            Ok(output)
        } else {
            Err(classify(&output.stderr, self.context(&output)))
        }
    }

    fn context<'a>(&'a self, output: &'a CliOutput) -> ErrorContext<'a> {
        ErrorContext {
            endpoint: self.endpoint_str(),
            command: &output.command,
            exit_code: output.exit_code,
        }
    }

    fn endpoint_str(&self) -> &str {
        self.inner.endpoint.as_str()
    }

    /// The ids `docker <object> ls -q` prints.
    async fn list_ids(&self, object: &str) -> Result<Vec<String>> {
        let output = self
            .run_ok(&[object.to_owned(), "ls".to_owned(), "-q".to_owned()])
            .await?;
        Ok(id_lines(&output.stdout))
    }

    /// Inspects ids in chunks, concurrently; one outcome per id, in order.
    async fn inspect_many<T>(
        &self,
        prefix: &[&str],
        ids: &[String],
        kind: ObjectKind,
    ) -> Result<Vec<Result<T>>>
    where
        T: DeserializeOwned + HasIdentity + swarm_models::Model + Send,
    {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let chunks = chunk_ids(ids, self.inner.batch_size, self.inner.batch_bytes);
        // The futures are made up front: a `map` closure over borrowed chunks would make the
        // stream's type higher-ranked, which `async_trait`'s `Send` check cannot prove.
        let pending: Vec<_> = chunks
            .into_iter()
            .map(|chunk| self.inspect_chunk(prefix, chunk, kind))
            .collect();
        let per_chunk: Vec<Vec<Result<T>>> = futures::stream::iter(pending)
            .buffered(self.inner.concurrency)
            .try_collect()
            .await?;
        Ok(per_chunk.into_iter().flatten().collect())
    }

    async fn inspect_chunk<T>(
        &self,
        prefix: &[&str],
        chunk: &[String],
        kind: ObjectKind,
    ) -> Result<Vec<Result<T>>>
    where
        T: DeserializeOwned + HasIdentity + swarm_models::Model,
    {
        let output = self.run(&with_ids(prefix, chunk)).await?;
        let printed = match parse_array::<T>(&output.stdout, &output.command) {
            Ok(printed) => printed,
            // Nothing usable on stdout and a failure: the stderr says more than the parser.
            Err(_) if !output.success => {
                return Err(classify(&output.stderr, self.context(&output)));
            }
            Err(err) => return Err(err),
        };
        assign(
            chunk,
            printed,
            &output.stderr,
            kind,
            self.context(&output),
            output.success,
        )
    }

    /// Inspects objects that `ls` just listed; ones that vanished in between are skipped.
    async fn inspect_listed<T>(
        &self,
        prefix: &[&str],
        ids: &[String],
        kind: ObjectKind,
    ) -> Result<Listing<T>>
    where
        T: DeserializeOwned + HasIdentity + swarm_models::Model + Send,
    {
        let outcomes = self.inspect_many::<T>(prefix, ids, kind).await?;
        listing_of(ids, outcomes)
    }

    async fn version_json(&self) -> Result<serde_json::Value> {
        let args = ["version", "--format", "{{json .}}"].map(str::to_owned);
        let output = self.run(&args).await?;
        // `docker version` prints the client half and exits 1 when the daemon is unreachable.
        if !output.success {
            return Err(classify(&output.stderr, self.context(&output)));
        }
        serde_json::from_slice(&output.stdout)
            .map_err(|err| Error::decode(&output.command, &output.stdout, err))
    }

    async fn info_json(&self) -> Result<serde_json::Value> {
        let args = ["info", "--format", "{{json .}}"].map(str::to_owned);
        // Warnings ("No swap limit support") go to stderr with exit 0 and are ignored.
        let output = self.run_ok(&args).await?;
        serde_json::from_slice(&output.stdout)
            .map_err(|err| Error::decode(&output.command, &output.stdout, err))
    }
}

/// The command path's operations (`docker version`, `docker service ps`, `docker inspect`).
impl CliTransport {
    async fn system_info_commands(&self) -> Result<SystemInfo> {
        let (version, info) = futures::try_join!(self.version_json(), self.info_json())?;
        let text = |value: &serde_json::Value, path: &[&str]| {
            path.iter()
                .try_fold(value, |value, key| value.get(key))
                .and_then(serde_json::Value::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let daemon_api_version = text(&version, &["Server", "ApiVersion"]);
        let api_version = text(&version, &["Client", "ApiVersion"])
            .or_else(|| daemon_api_version.clone())
            .unwrap_or_default();
        let swarm = SwarmState::parse(
            text(&info, &["Swarm", "LocalNodeState"])
                .as_deref()
                .unwrap_or(""),
        );
        let node_id = text(&info, &["Swarm", "NodeID"]);
        let is_manager = info
            .get("Swarm")
            .and_then(|swarm| swarm.get("ControlAvailable"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let mut system = SystemInfo::new(api_version, swarm, node_id, is_manager);
        system.daemon_api_version = daemon_api_version;
        system.engine_version = text(&version, &["Server", "Version"]);
        Ok(system)
    }

    async fn inspect_task_commands(&self, id: &str) -> Result<Task> {
        let ids = [id.to_owned()];
        let outcome = self
            .inspect_many::<Task>(&["inspect", "--type", "task"], &ids, ObjectKind::Task)
            .await?
            .into_iter()
            .next();
        outcome.unwrap_or_else(|| {
            Err(Error::NotFound {
                kind: ObjectKind::Task,
                id: id.to_owned(),
            })
        })
    }

    async fn inspect_tasks_commands(&self, ids: &[String]) -> Result<Vec<InspectOutcome>> {
        let outcomes = self
            .inspect_many::<Task>(&["inspect", "--type", "task"], ids, ObjectKind::Task)
            .await?;
        Ok(ids
            .iter()
            .zip(outcomes)
            .map(|(id, result)| InspectOutcome {
                id: id.clone(),
                result,
            })
            .collect())
    }

    async fn list_services_commands(&self) -> Result<Listing<Service>> {
        // `service ls` asks the daemon for task counts (`?status=true`) and prints them as
        // REPLICAS; `service inspect` does not, so the counts are read back from that column.
        let args = ["service", "ls", "--format", "{{.ID}} {{.Replicas}}"].map(str::to_owned);
        let output = self.run_ok(&args).await?;
        let rows = replicas::service_rows(&output.stdout);
        let ids: Vec<String> = rows.keys().cloned().collect();
        let mut services: Listing<Service> = self
            .inspect_listed(&["service", "inspect"], &ids, ObjectKind::Service)
            .await?;
        for service in &mut services {
            // `service ls` prints IDs cut to 12 characters.
            let status = rows
                .iter()
                .find(|(short_id, _)| service.id.starts_with(short_id.as_str()))
                .and_then(|(_, status)| status.clone());
            if status.is_some() {
                service.service_status = status;
            }
        }
        services.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(services)
    }

    async fn list_nodes_commands(&self) -> Result<Listing<Node>> {
        let ids = self.list_ids("node").await?;
        let mut nodes: Listing<Node> = self
            .inspect_listed(&["node", "inspect"], &ids, ObjectKind::Node)
            .await?;
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(nodes)
    }
}

#[async_trait]
impl Transport for CliTransport {
    fn endpoint(&self) -> String {
        self.inner.endpoint.clone()
    }

    async fn system_info(&self) -> Result<SystemInfo> {
        self.over(
            "GET /info",
            |http| async move { http.system_info().await },
            || self.commands(self.system_info_commands()),
        )
        .await
    }

    async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        self.over(
            "GET /tasks",
            |http| async move { http.list_tasks(filter).await },
            || self.commands(list::list_tasks(self, filter)),
        )
        .await
    }

    async fn inspect_task(&self, id: &str) -> Result<Task> {
        self.over(
            "GET /tasks/{id}",
            |http| async move { http.inspect_task(id).await },
            || self.commands(self.inspect_task_commands(id)),
        )
        .await
    }

    async fn inspect_tasks(&self, ids: &[String]) -> Result<Vec<InspectOutcome>> {
        self.over(
            "GET /tasks/{id}",
            |http| async move { http.inspect_tasks(ids).await },
            || self.commands(self.inspect_tasks_commands(ids)),
        )
        .await
    }

    async fn list_services(&self) -> Result<Listing<Service>> {
        self.over(
            "GET /services",
            |http| async move { http.list_services().await },
            || self.commands(self.list_services_commands()),
        )
        .await
    }

    async fn list_nodes(&self) -> Result<Listing<Node>> {
        self.over(
            "GET /nodes",
            |http| async move { http.list_nodes().await },
            || self.commands(self.list_nodes_commands()),
        )
        .await
    }

    async fn logs(&self, target: &LogTarget, options: &LogOptions) -> Result<LogStream> {
        self.over(
            "GET /logs",
            |http| async move { http.logs(target, options).await },
            || self.logs_commands(target, options),
        )
        .await
    }
}

/// The inspected objects of a listing (`ids[i]` gave `outcomes[i]`): an object gone since it
/// was listed is skipped, one that does not decode is an [`ItemFailure`] at its position in
/// `ids`, any other failure fails the list.
pub(crate) fn listing_of<T>(ids: &[String], outcomes: Vec<Result<T>>) -> Result<Listing<T>> {
    let mut listing = Listing::new(Vec::with_capacity(outcomes.len()));
    for (index, (id, outcome)) in ids.iter().zip(outcomes).enumerate() {
        match outcome {
            Ok(object) => listing.items.push(object),
            Err(err) if err.is_not_found() => {}
            Err(Error::Decode { source, .. }) => listing.failures.push(ItemFailure {
                index,
                id: Some(id.clone()),
                message: source.to_string(),
            }),
            Err(err) => return Err(err),
        }
    }
    Ok(listing)
}

/// Non-empty trimmed lines of `-q` output, deduplicated in order; non-UTF-8 is read lossily.
fn id_lines(stdout: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(stdout);
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| seen.insert(line.to_owned()))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lines_trims_dedupes_and_survives_garbage() {
        assert_eq!(id_lines(b"a\n\n b \na\r\n"), ["a", "b"]);
        assert!(id_lines(b"").is_empty());
        assert_eq!(id_lines(b"\xffz\n").len(), 1);
    }

    #[test]
    fn builder_defaults_and_settings() {
        let transport = CliTransport::builder().build();
        assert_eq!(transport.inner.invocation.program, PathBuf::from("docker"));
        assert_eq!(transport.inner.batch_size, DEFAULT_BATCH_SIZE);
        // ssh:// endpoints are dialed with `ssh` from PATH unless told otherwise.
        assert_eq!(transport.inner.ssh_program, Some(PathBuf::from("ssh")));
        let through_docker = CliTransport::builder().ssh_program(None).build();
        assert_eq!(through_docker.inner.ssh_program, None);
        let transport = CliTransport::builder()
            .program("/opt/docker")
            .context("prod")
            .config_dir("/cfg")
            .timeout(Duration::from_secs(5))
            .batch_size(0)
            .build();
        assert_eq!(transport.inner.batch_size, 1);
        assert_eq!(transport.endpoint(), "docker --context prod");
        assert_eq!(
            transport.inner.invocation.timeout,
            Some(Duration::from_secs(5))
        );
    }
}
