//! A blocking client, for scripts and simple tools that have no async runtime.
//!
//! Built like `reqwest::blocking`: each [`Client`] (shared by its clones) starts one
//! background thread that runs a tokio runtime; a call sends its future to that thread and
//! blocks the calling thread until the answer comes back. Any number of plain threads can use
//! one client at once, and their requests run concurrently on the background runtime.
//! Nothing is implemented twice: every call is the async [`crate::Client`]'s. Requires the
//! `blocking` feature.
//!
//! Calling it from inside an async runtime (a `#[tokio::main]` function, a spawned task)
//! would block that runtime's thread: instead of blocking or panicking, every call then
//! returns [`Error::InsideAsyncRuntime`]. Use the async client there, or
//! `tokio::task::spawn_blocking`. Dropping a blocking client is fine anywhere: the last clone
//! stops the background thread.
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

use swarm_models::{Listing, Node, Service, Task, TaskFilter};
use swarm_transport::{Snapshot, SystemInfo, Transport};

use futures::{Stream, StreamExt};

use crate::endpoint::DockerEnv;
use crate::error::{Error, Result};
use crate::monitor::{Explained, TaskEvent, TaskStreamExt, WaitConfig, WaitOutcome, WatchConfig};
use crate::{InspectMany, PsOptions, PsReport, TaskRow, TransportKind};

/// The blocking twin of [`crate::Client`]: the same calls, returning when done.
///
/// Cloning is cheap; clones share the background thread and the transport.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    worker: Arc<Worker>,
}

/// A unit of work for the background runtime.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The background thread and the channel that feeds it jobs. Dropping the last handle closes
/// the channel, which ends the thread's loop and shuts its runtime down (cancelling what is
/// still running there).
#[derive(Debug)]
struct Worker {
    jobs: Option<tokio::sync::mpsc::UnboundedSender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread and its current-thread runtime; reports a runtime that cannot start.
    fn start() -> Result<Self> {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (started, start_result) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("swarm-tasks-blocking".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = started.send(Err(error));
                        return;
                    }
                };
                let _ = started.send(Ok(()));
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|source| Error::Runtime { source })?;
        match start_result.recv() {
            Ok(Ok(())) => Ok(Self {
                jobs: Some(jobs),
                thread: Some(thread),
            }),
            Ok(Err(source)) => Err(Error::Runtime { source }),
            Err(_) => Err(Error::RuntimeStopped),
        }
    }

    /// Runs a future on the background runtime and blocks until it is done.
    fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Result<T> {
        refuse_inside_runtime()?;
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::pin(async move {
            let _ = answer.send(future.await);
        });
        let jobs = self.jobs.as_ref().ok_or(Error::RuntimeStopped)?;
        jobs.send(job).map_err(|_| Error::RuntimeStopped)?;
        // A job that panicked drops its sender: the wait ends with an error, not forever.
        answered.recv().map_err(|_| Error::RuntimeStopped)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // Waiting for the thread would block an async caller; there it ends on its own.
            if refuse_inside_runtime().is_ok() {
                let _ = thread.join();
            }
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
            worker: Arc::new(Worker::start()?),
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
        let client = self.inner.clone();
        self.block_on(async move { client.system_info().await })
    }

    /// See [`crate::Client::list`].
    pub fn list(&self, filter: &TaskFilter) -> Result<Listing<Task>> {
        let (client, filter) = (self.inner.clone(), filter.clone());
        self.block_on(async move { client.list(&filter).await })
    }

    /// See [`crate::Client::inspect`].
    pub fn inspect(&self, id: &str) -> Result<Task> {
        let (client, id) = (self.inner.clone(), id.to_owned());
        self.block_on(async move { client.inspect(&id).await })
    }

    /// See [`crate::Client::inspect_many`].
    pub fn inspect_many(&self, ids: &[String]) -> Result<InspectMany> {
        let (client, ids) = (self.inner.clone(), ids.to_vec());
        self.block_on(async move { client.inspect_many(&ids).await })
    }

    /// See [`crate::Client::service_ps`].
    pub fn service_ps(&self, services: &[String], options: &PsOptions) -> Result<PsReport> {
        let (client, services, options) = (self.inner.clone(), services.to_vec(), options.clone());
        self.block_on(async move { client.service_ps(&services, &options).await })
    }

    /// See [`crate::Client::node_ps`].
    pub fn node_ps(&self, nodes: &[String], options: &PsOptions) -> Result<PsReport> {
        let (client, nodes, options) = (self.inner.clone(), nodes.to_vec(), options.clone());
        self.block_on(async move { client.node_ps(&nodes, &options).await })
    }

    /// See [`crate::Client::rows`].
    pub fn rows(&self, tasks: Vec<Task>, options: &PsOptions) -> Result<Vec<TaskRow>> {
        let (client, options) = (self.inner.clone(), options.clone());
        self.block_on(async move { client.rows(tasks, &options).await })
    }

    /// See [`crate::Client::services`].
    pub fn services(&self) -> Result<Listing<Service>> {
        let client = self.inner.clone();
        self.block_on(async move { client.services().await })
    }

    /// See [`crate::Client::nodes`].
    pub fn nodes(&self) -> Result<Listing<Node>> {
        let client = self.inner.clone();
        self.block_on(async move { client.nodes().await })
    }

    /// See [`crate::Client::snapshot`].
    pub fn snapshot(&self) -> Result<Snapshot> {
        let client = self.inner.clone();
        self.block_on(async move { client.snapshot().await })
    }

    /// See [`crate::Client::explain`].
    pub fn explain(&self, arg: &str) -> Result<Explained> {
        let (client, arg) = (self.inner.clone(), arg.to_owned());
        self.block_on(async move { client.explain(&arg).await })
    }

    /// See [`crate::Client::wait`]; returns when the services converged or failed, or at
    /// `config.timeout`.
    pub fn wait(&self, services: &[String], config: WaitConfig) -> Result<WaitOutcome> {
        let (client, services) = (self.inner.clone(), services.to_vec());
        self.block_on(async move { client.wait(&services, config).await })
    }

    /// See [`crate::Client::watch`]: the events as an iterator, with
    /// [`default_backoff`](crate::monitor::TaskStreamExt::default_backoff) after errors.
    /// Each `next` blocks until the next event (the watch only polls while one is waited
    /// for); the iterator never ends by itself.
    pub fn watch(&self, filter: TaskFilter, config: WatchConfig) -> Watch {
        Watch {
            stream: Some(Box::pin(self.inner.watch(filter, config).default_backoff())),
            worker: Arc::clone(&self.worker),
        }
    }

    fn block_on<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.worker.run(future)?
    }
}

/// The events of a watch, boxed.
type EventStream = Pin<Box<dyn Stream<Item = Result<TaskEvent>> + Send>>;

/// The iterator of [`Client::watch`]. Dropping it stops the watch.
pub struct Watch {
    /// The stream, moved to the background thread for each `next` and back.
    stream: Option<EventStream>,
    worker: Arc<Worker>,
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
        let mut stream = self.stream.take()?;
        let polled = self.worker.run(async move {
            let item = stream.next().await;
            (stream, item)
        });
        match polled {
            Ok((stream, item)) => {
                self.stream = Some(stream);
                item
            }
            Err(error) => Some(Err(error)),
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

    /// See [`crate::ClientBuilder::ssh_program`].
    pub fn ssh_program(self, program: impl Into<PathBuf>) -> Self {
        Self {
            inner: self.inner.ssh_program(program),
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
        Client::wrap(self.inner.build()?)
    }
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
            }]
            .into())
        });
        mock.expect_endpoint().return_const("mock".to_owned());
        let client = Client::new(mock).unwrap();
        let tasks = client.list(&TaskFilter::new()).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(client.endpoint(), "mock");
    }

    #[test]
    fn one_client_serves_plain_threads_at_once() {
        let mut mock = MockTransport::new();
        mock.expect_list_tasks()
            .times(4)
            .returning(|_| Ok(vec![Task::default()].into()));
        let client = Client::new(mock).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let client = client.clone();
                std::thread::spawn(move || client.list(&TaskFilter::new()).map(|tasks| tasks.len()))
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap().unwrap(), 1);
        }
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
