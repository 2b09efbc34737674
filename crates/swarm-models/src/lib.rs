//! Lossless serde types for Docker Swarm tasks, services and nodes.
//!
//! `swarm-models` is the pure-data layer of the swarm-tasks toolkit: it parses what the
//! Docker Engine API (and `docker inspect`) return for tasks, services and nodes, and writes
//! the same JSON back without losing a value or a nanosecond. It does no I/O and depends on
//! no async runtime or HTTP stack; the transports live in `swarm-transport`, the client in
//! `swarm-tasks` (which re-exports this crate as `swarm_tasks::models`).
//!
//! - [`Task`] and everything nested in it ([`TaskSpec`], [`ContainerSpec`], [`TaskStatus`],
//!   [`ContainerStatus`], [`PortStatus`], resources, restart policy, placement, mounts,
//!   health check, network attachments ...), named as the daemon names them on the wire.
//! - [`TaskState`], with a fallback that keeps states this version does not know, and the
//!   lifecycle helpers a monitor needs. Other daemon vocabularies (restart conditions, node
//!   roles, update states ...) are open enums in the same way.
//! - [`Timestamp`] (nanoseconds, offsets, Go's zero time) and [`NanoDuration`].
//! - [`Service`] and [`Node`], with what names, placement and convergence checks need.
//! - [`TaskFilter`], the daemon's task filter keys, as filters JSON or `docker` arguments.
//! - [`decode_list`] and [`decode_one`], which also keep each object's JSON text as the daemon
//!   sent it ([`AsSent`], in the `sent` field of [`Task`], [`Service`] and [`Node`]), and
//!   [`write_pretty_array`] / [`write_compact`], which print it back as sent: the typed
//!   `Serialize` is canonical (UTC timestamps, empty values left out), the kept text is not.
//! - [`Shared`], the type of the subtrees a list repeats (`Task.spec`, a network attachment's
//!   `network`): `decode_list` parses each distinct text of one once and shares it; it derefs
//!   to the value and copies on write, so changing one object never changes another.
//! - [`lookup`], the one rule that turns a reference (ID, name, ID prefix) into an object,
//!   and [`Task::display_name`] / [`Task::internal_name`], what a task is called.
//!
//! Keys this version does not know are kept, at any depth, in each object's `unknown` field
//! ([`UnknownKeys`], raw JSON exactly as sent) and written back, so a newer daemon's fields
//! survive a parse and a write; `null` reads like an absent field; nothing here panics on
//! any input. Feature `fidelity` adds [`fidelity`], the check of that promise (test support).
//!
//! ```
//! use swarm_models::{Task, TaskState};
//!
//! let body = r#"[{"ID":"x1","DesiredState":"running",
//!                 "Status":{"State":"failed","Err":"task: non-zero exit (1)",
//!                           "ContainerStatus":{"ExitCode":1}}}]"#;
//! let tasks: Vec<Task> = serde_json::from_str(body)?;
//! assert_eq!(tasks[0].state(), Some(&TaskState::Failed));
//! assert_eq!(tasks[0].error(), Some("task: non-zero exit (1)"));
//! assert_eq!(tasks[0].exit_code(), Some(1));
//! # Ok::<(), serde_json::Error>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod container;
#[cfg(feature = "fidelity")]
#[cfg_attr(docsrs, doc(cfg(feature = "fidelity")))]
pub mod fidelity;
mod filter;
mod list_decoder;
mod listing;
pub mod lookup;
mod model;
mod naming;
mod network;
mod node;
mod open_enum;
mod resources;
mod sent;
mod service;
mod shared;
mod spec;
mod state;
mod task;
mod time;

pub use container::{
    AppArmorOpts, BindOptions, ClusterOptions, ConfigReference, ContainerSpec, CredentialSpec,
    DnsConfig, FileTarget, HealthConfig, ImageOptions, Mount, MountType, Privileges, RuntimeTarget,
    SeLinuxContext, SeccompOpts, SecretReference, TmpfsOptions, Ulimit, VolumeOptions,
};
pub use filter::{
    FilterError, FilterKey, ResolvedTaskFilter, TaskFilter, labels_match, parse_filters_json,
};
pub use list_decoder::ListDecoder;
pub use listing::{DecodeError, ItemFailure, Listing, decode_error_text};
pub use lookup::{Lookup, LookupError, ObjectKind};
pub use model::{Model, UnknownKeys};
pub use naming::ServiceNames;
pub use network::{ConfigFrom, IpamConfig, IpamOptions, Network, NetworkAttachment, NetworkSpec};
pub use node::{
    CsiInfo, EngineDescription, ManagerStatus, Node, NodeAvailability, NodeDescription, NodeRole,
    NodeSpec, NodeState, NodeStatus, PluginDescription, TlsInfo,
};
pub use resources::{
    DiscreteGenericResource, GenericResource, Limit, NamedGenericResource, ResourceRequirements,
    Resources,
};
pub use sent::{
    AsSent, decode_list, decode_list_owned, decode_one, write_compact, write_pretty_array,
};
pub use service::{
    EmptyObject, Endpoint, EndpointMode, EndpointSpec, FailureAction, JobStatus, ReplicatedJobMode,
    ReplicatedMode, Service, ServiceMode, ServiceModeSpec, ServiceSpec, ServiceStatus,
    UpdateConfig, UpdateOrder, UpdateState, UpdateStatus, VirtualIp,
};
pub use shared::Shared;
pub use spec::{
    Driver, NetworkAttachmentConfig, NetworkAttachmentSpec, Placement, PlacementPreference,
    Platform, PluginPrivilege, PluginSpec, RestartCondition, RestartPolicy, Runtime, SpreadOver,
    TaskSpec,
};
pub use state::TaskState;
pub use task::{
    ContainerStatus, ObjectVersion, PortConfig, PortProtocol, PortStatus, PublishMode, Task,
    TaskStatus, VolumeAttachment,
};
pub use time::{NanoDuration, ParseTimestampError, Timestamp};
