//! Inspect Docker Swarm tasks: list, inspect, `service ps` and `node ps`, done right.
//!
//! This is the facade of the swarm-tasks toolkit, and the one dependency most users need.
//! A [`Client`] talks to a swarm manager through a [`Transport`](transport::Transport)
//! (the Engine API over a socket or TCP, the `docker` binary, or a recorded snapshot) and
//! answers with the lossless [`models`]. Compared with `docker service ps` it makes a fixed
//! number of requests (one for services, one for nodes, made concurrently, and one for
//! tasks) however many objects are involved, keeps partial results when some arguments are
//! unknown, and can filter on the current state of tasks.
//!
//! # Modules
//!
//! - [`models`] (re-export of `swarm-models`): `Task`, `Service`, `Node`, `TaskState`,
//!   `TaskFilter`; pure serde types, no I/O.
//! - [`transport`] (re-export of `swarm-transport`): the `Transport` trait, its HTTP, CLI,
//!   replay and mock implementations, and their typed `Error`.
//! - [`endpoint`]: which daemon `docker` would talk to (`--host`, `DOCKER_HOST`, contexts),
//!   as a pure function.
//! - [`monitor`]: `watch` task transitions as a stream, `wait` for services to converge,
//!   `explain` why a task is not running.
//! - [`rows`]: docker's task names, sort order and history grouping, as pure functions.
//! - `blocking` (feature `blocking`): the same client without async.
//!
//! # Using the client
//!
//! ```no_run
//! use swarm_tasks::models::{TaskFilter, TaskState};
//! use swarm_tasks::{Client, PsOptions};
//!
//! # async fn run() -> swarm_tasks::Result<()> {
//! // Resolves the daemon like `docker` does: DOCKER_HOST, DOCKER_CONTEXT, the current context.
//! let client = Client::from_env()?;
//!
//! // `docker service ps web api`, but only tasks that are failing right now.
//! let options = PsOptions { states: vec![TaskState::Failed, TaskState::Rejected], ..PsOptions::default() };
//! let report = client.service_ps(&["web".to_owned(), "api".to_owned()], &options).await?;
//! for row in &report.rows {
//!     let history = if row.is_history { " \\_ " } else { "" };
//!     println!("{history}{} {} {:?}", row.name, row.node_name.as_deref().unwrap_or(""), row.error);
//! }
//! for (arg, error) in &report.not_found {
//!     eprintln!("{arg}: {error}");
//! }
//!
//! // Plain listing with the daemon's filters, and inspect by ID, name or prefix.
//! let running = client.list(&TaskFilter::new().desired_state(TaskState::Running)).await?;
//! if let Some(task) = running.first() {
//!     let task = client.inspect(&task.id).await?;
//!     println!("{}", serde_json::to_string_pretty(&task).unwrap_or_default());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Choosing the daemon and the transport
//!
//! ```no_run
//! use std::time::Duration;
//! use swarm_tasks::{Client, TransportKind};
//!
//! # async fn run() -> swarm_tasks::Result<()> {
//! // An explicit host over the Engine API.
//! let client = Client::builder().host("tcp://10.0.0.5:2375").timeout(Duration::from_secs(5)).build()?;
//! // A docker context through the `docker` binary (ssh:// hosts pick this automatically).
//! let client = Client::builder().context("prod").transport(TransportKind::Cli).build()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Offline, from a recorded snapshot
//!
//! ```no_run
//! use swarm_tasks::{Client, PsOptions};
//!
//! # async fn run() -> swarm_tasks::Result<()> {
//! let client = Client::builder().replay("demo/swarm").build()?;
//! let report = client.node_ps(&[], &PsOptions { latest: true, ..PsOptions::default() }).await?;
//! println!("{} tasks on this node", report.rows.len());
//! # Ok(())
//! # }
//! ```
//!
//! # Your own transport, or a mock
//!
//! Any [`Transport`](transport::Transport) works: [`Client::new`] takes one (for example
//! `transport::MockTransport` with the `mock` feature, or a `ReplayTransport`).
//!
//! # Blocking
//!
//! ```no_run
//! # #[cfg(feature = "blocking")]
//! # fn run() -> swarm_tasks::Result<()> {
//! let client = swarm_tasks::blocking::Client::from_env()?;
//! let tasks = client.list(&swarm_tasks::models::TaskFilter::new())?;
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `http` | yes | the Engine API transport (unix socket, TCP, TLS) |
//! | `cli` | yes | the transport that runs the `docker` binary (contexts, `ssh://`) |
//! | `blocking` | no | `blocking::Client` |
//! | `mock` | no | `transport::MockTransport`, a mockall mock for your tests |

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
mod client;
mod connect;
pub mod endpoint;
mod error;
mod logs;
pub mod monitor;
mod named_logs;
mod ps;
pub mod rows;

#[doc(inline)]
pub use swarm_models as models;
#[doc(inline)]
pub use swarm_transport as transport;

pub use client::{Client, ClientBuilder, InspectMany, TransportKind};
pub use error::{Error, Result};
pub use logs::{LogLine, LogOptions, LogSource, LogStream, LogSubject, LogTarget};
pub use named_logs::{LogOrder, LogOrigin, NamedLine, NamedLogStream};
pub use ps::{PsOptions, PsReport, Undecodable};
pub use rows::TaskRow;
#[doc(no_inline)]
pub use swarm_transport::Snapshot;
