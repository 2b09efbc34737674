//! A blocking client, for scripts and simple tools that have no async runtime.
//!
//! [`Client`] wraps the async [`crate::Client`] and runs each call on its own
//! current-thread tokio runtime, as `reqwest::blocking` does; nothing is implemented twice.
//! Requires the `blocking` feature.
//!
//! Calling it from inside an async runtime (a `#[tokio::main]` function, a spawned task)
//! would block that runtime's thread, and tokio refuses to nest runtimes: instead of
//! panicking, every call then returns [`Error::InsideAsyncRuntime`]. Use the async client
//! there, or `tokio::task::spawn_blocking`. Dropping a blocking client is fine anywhere: its
//! runtime is shut down in the background.
//!
//! ```no_run
//! use swarm_tasks::blocking::Client;
//! use swarm_tasks::PsOptions;
//!
//! let client = Client::from_env()?;
//! for row in client.service_ps(&["web".to_owned()], &PsOptions::default())?.rows {
//!     println!("{} {:?}", row.name, row.current_state);
//! }
//! # Ok::<(), swarm_tasks::Error>(())
//! ```

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use swarm_models::{Node, Service, Task, TaskFilter};
use swarm_transport::{Snapshot, SystemInfo, Transport};

use futures::{Stream, StreamExt};

use crate::endpoint::DockerEnv;
use crate::error::{Error, Result};
use crate::monitor::{Explained, TaskEvent, TaskStreamExt, WaitConfig, WaitOutcome, WatchConfig};
use crate::{InspectMany, PsOptions, PsReport, TaskRow, TransportKind};

/// The blocking twin of [`crate::Client`]: the same calls, returning when done.
///
/// Cloning is cheap; clones share the runtime and the transport.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<OwnedRuntime>,
}

/// The client's runtime. Dropping a tokio runtime blocks, which tokio forbids (with a
/// panic) inside async code; shutting it down in the background never blocks, so a blocking
/// client can be dropped anywhere.
#[derive(Debug)]
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Client {
    /// A client over any transport.
    pub fn new(transport: impl Transport + 'static) -> Result<Self> {
        Self::wrap(crate::Client::new(transport))
    }

    /// Wraps an async client.
    pub fn wrap(inner: crate::Client) -> Result<Self> {
        Ok(Self {
            inner,
            runtime: Arc::new(OwnedRuntime(Some(new_runtime()?))),
        })
    }

    /// A builder; see [`crate::ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the daemon `docker` would use here; see [`crate::Client::from_env`].
    pub fn from_env() -> Result<Self> {
        Self::builder().build()
    }

    /// The async client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Where the client talks to.
    pub fn endpoint(&self) -> String {
        self.inner.endpoint()
    }

    /// See [`crate::Client::system_info`].
    pub fn system_info(&self) -> Result<SystemInfo> {
        self.block_on(self.inner.system_info())
    }

    /// See [`crate::Client::list`].
    pub fn list(&self, filter: &TaskFilter) -> Result<Vec<Task>> {
        self.block_on(self.inner.list(filter))
    }

    /// See [`crate::Client::inspect`].
    pub fn inspect(&self, id: &str) -> Result<Task> {
        self.block_on(self.inner.inspect(id))
    }

    /// See [`crate::Client::inspect_many`].
    pub fn inspect_many(&self, ids: &[String]) -> Result<InspectMany> {
        self.block_on(self.inner.inspect_many(ids))
    }

    /// See [`crate::Client::service_ps`].
    pub fn service_ps(&self, services: &[String], options: &PsOptions) -> Result<PsReport> {
        self.block_on(self.inner.service_ps(services, options))
    }

    /// See [`crate::Client::node_ps`].
    pub fn node_ps(&self, nodes: &[String], options: &PsOptions) -> Result<PsReport> {
        self.block_on(self.inner.node_ps(nodes, options))
    }

    /// See [`crate::Client::rows`].
    pub fn rows(&self, tasks: Vec<Task>, options: &PsOptions) -> Result<Vec<TaskRow>> {
        self.block_on(self.inner.rows(tasks, options))
    }

    /// See [`crate::Client::services`].
    pub fn services(&self) -> Result<Vec<Service>> {
        self.block_on(self.inner.services())
    }

    /// See [`crate::Client::nodes`].
    pub fn nodes(&self) -> Result<Vec<Node>> {
        self.block_on(self.inner.nodes())
    }

    /// See [`crate::Client::snapshot`].
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.block_on(self.inner.snapshot())
    }

    /// See [`crate::Client::explain`].
    pub fn explain(&self, arg: &str) -> Result<Explained> {
        self.block_on(self.inner.explain(arg))
    }

    /// See [`crate::Client::wait`]; returns when the services converged or failed, or at
    /// `config.timeout`.
    pub fn wait(&self, services: &[String], config: WaitConfig) -> Result<WaitOutcome> {
        self.block_on(self.inner.wait(services, config))
    }

    /// See [`crate::Client::watch`]: the events as an iterator, with
    /// [`default_backoff`](crate::monitor::TaskStreamExt::default_backoff) after errors.
    /// Each `next` blocks until the next event; the iterator never ends by itself.
    pub fn watch(&self, filter: TaskFilter, config: WatchConfig) -> Watch {
        Watch {
            stream: Box::pin(self.inner.watch(filter, config).default_backoff()),
            runtime: Arc::clone(&self.runtime),
        }
    }

    fn block_on<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        refuse_inside_runtime()?;
        match &self.runtime.0 {
            Some(runtime) => runtime.block_on(future),
            None => Err(Error::InsideAsyncRuntime),
        }
    }
}

/// The iterator of [`Client::watch`]. Dropping it stops the watch.
pub struct Watch {
    stream: Pin<Box<dyn Stream<Item = Result<TaskEvent>> + Send>>,
    runtime: Arc<OwnedRuntime>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch").finish_non_exhaustive()
    }
}

impl Iterator for Watch {
    type Item = Result<TaskEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Err(error) = refuse_inside_runtime() {
            return Some(Err(error));
        }
        match &self.runtime.0 {
            Some(runtime) => runtime.block_on(self.stream.next()),
            None => Some(Err(Error::InsideAsyncRuntime)),
        }
    }
}

/// The blocking twin of [`crate::ClientBuilder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientBuilder {
    inner: crate::ClientBuilder,
}

impl ClientBuilder {
    /// See [`crate::ClientBuilder::host`].
    pub fn host(self, host: impl Into<String>) -> Self {
        Self {
            inner: self.inner.host(host),
        }
    }

    /// See [`crate::ClientBuilder::context`].
    pub fn context(self, context: impl Into<String>) -> Self {
        Self {
            inner: self.inner.context(context),
        }
    }

    /// See [`crate::ClientBuilder::transport`].
    pub fn transport(self, kind: TransportKind) -> Self {
        Self {
            inner: self.inner.transport(kind),
        }
    }

    /// See [`crate::ClientBuilder::replay`].
    pub fn replay(self, dir: impl Into<PathBuf>) -> Self {
        Self {
            inner: self.inner.replay(dir),
        }
    }

    /// See [`crate::ClientBuilder::timeout`].
    pub fn timeout(self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.timeout(timeout),
        }
    }

    /// See [`crate::ClientBuilder::docker_program`].
    pub fn docker_program(self, program: impl Into<PathBuf>) -> Self {
        Self {
            inner: self.inner.docker_program(program),
        }
    }

    /// See [`crate::ClientBuilder::environment`].
    pub fn environment(self, env: DockerEnv) -> Self {
        Self {
            inner: self.inner.environment(env),
        }
    }

    /// Builds the client and its runtime; fails with [`Error::InsideAsyncRuntime`] when
    /// called from async code.
    pub fn build(self) -> Result<Client> {
        refuse_inside_runtime()?;
        let runtime = new_runtime()?;
        let inner = runtime.block_on(self.inner.build())?;
        Ok(Client {
            inner,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }
}

fn new_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Runtime { source })
}

fn refuse_inside_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InsideAsyncRuntime);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarm_transport::MockTransport;

    #[test]
    fn calls_run_on_the_own_runtime() {
        let mut mock = MockTransport::new();
        mock.expect_list_tasks().times(1).returning(|_| {
            Ok(vec![Task {
                id: "t1".into(),
                ..Task::default()
            }])
        });
        mock.expect_endpoint().return_const("mock".to_owned());
        let client = Client::new(mock).unwrap();
        let tasks = client.list(&TaskFilter::new()).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(client.endpoint(), "mock");
    }

    #[tokio::test]
    async fn refuses_to_block_inside_a_runtime() {
        let error = Client::builder()
            .host("tcp://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(matches!(error, Error::InsideAsyncRuntime), "{error}");
    }
}
