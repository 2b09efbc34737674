//! How swarm-tasks reaches a Docker daemon.
//!
//! This crate defines the [`Transport`] trait, the one seam between the pure models
//! (`swarm-models`) and the facade (`swarm-tasks`), and its implementations:
//!
//! - `HttpTransport` (feature `http`): the Docker Engine API over a unix socket, TCP or TLS.
//! - `CliTransport` (feature `cli`): runs the `docker` binary, so contexts, `ssh://` hosts and
//!   TLS settings work exactly as they do for `docker`.
//! - `ReplayTransport`: serves a recorded snapshot folder, for demos, bug reports and tests.
//! - `MockTransport` (feature `mock`): a mockall mock for downstream tests.
//!
//! Every transport returns the same typed [`Error`]. The facade re-exports this crate as
//! `swarm_tasks::transport`; it knows nothing of the facade.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "cli")]
mod cli;
pub mod endpoint;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
mod info;
pub mod logs;
mod redact;
mod replay;
pub mod snapshot;
mod tls;
mod version;

#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub use cli::{CliConnection, CliTransport, CliTransportBuilder, DEFAULT_CLI_CONCURRENCY};
pub use error::{Error, NotManagerReason, ObjectKind, Result};
#[cfg(feature = "http")]
pub use http::{HttpTransport, HttpTransportBuilder};
pub use info::{InspectOutcome, SwarmState, SystemInfo};
pub use logs::{LogLine, LogOptions, LogSource, LogStream, LogTarget};
pub use redact::REDACTED;
pub use replay::ReplayTransport;
pub use snapshot::{RecordedLine, Snapshot, SnapshotInfo};
pub use tls::TlsConfig;
pub use version::{ApiVersion, MAX_API_VERSION, MIN_API_VERSION};

use async_trait::async_trait;
use swarm_models::{Listing, Node, Service, Task, TaskFilter};

/// Operation-level access to a swarm manager. Implement it to plug in your own transport.
///
/// Every method returns models from `swarm-models`. Implementations must not panic on any
/// daemon output and must map failures to the matching [`Error`] variant.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Transport: Send + Sync {
    /// A short description of where this transport talks to (`unix:///var/run/docker.sock`,
    /// `docker --context prod`, `replay:./snapshot`), used in errors and logs.
    fn endpoint(&self) -> String;

    /// API version, swarm state, this node's ID and role.
    async fn system_info(&self) -> Result<SystemInfo>;

    /// Lists tasks matching the filter (an empty filter lists every container task).
    ///
    /// A task that does not decode does not fail the list: it is a
    /// [`ItemFailure`](swarm_models::ItemFailure) in [`Listing::failures`] (index, ID when
    /// readable, error) beside the tasks that decoded. The same holds for services and nodes.
    async fn list_tasks(&self, filter: &TaskFilter) -> Result<Listing<Task>>;

    /// Inspects one task by full ID, exact internal name or unique ID prefix.
    async fn inspect_task(&self, id: &str) -> Result<Task>;

    /// Inspects many tasks; each id gets its own outcome, in the order given, so one unknown
    /// id never hides the others. An empty list makes no call.
    async fn inspect_tasks(&self, ids: &[String]) -> Result<Vec<InspectOutcome>>;

    /// Lists every service, with task counts (`ServiceStatus`) where the transport can get them.
    async fn list_services(&self) -> Result<Listing<Service>>;

    /// Lists every node.
    async fn list_nodes(&self) -> Result<Listing<Node>>;

    /// Reads the logs of a task or a whole service as a stream of lines.
    ///
    /// The returned future fails for what the daemon refuses up front (an unknown target);
    /// the stream then yields lines as they are decoded and ends with at most one `Err`.
    /// A followed stream has no total time limit: drop it to stop. Transports that cannot
    /// read logs keep this default, which fails with [`Error::Unsupported`].
    async fn logs(&self, target: &LogTarget, options: &LogOptions) -> Result<LogStream> {
        let _ = (target, options);
        Err(Error::Unsupported {
            endpoint: self.endpoint(),
            operation: "read logs".to_owned(),
        })
    }
}
