//! [`Task`] and the types of its status: what the daemon returns from `GET /tasks` and
//! `GET /tasks/{id}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;
use crate::network::NetworkAttachment;
use crate::open_enum::open_enum;
use crate::resources::GenericResource;
use crate::spec::TaskSpec;
use crate::state::TaskState;
use crate::time::Timestamp;

/// One task: a single instance of a service's task template, placed (or waiting to be placed)
/// on one node.
///
/// Field names on the wire are the daemon's (`ID`, `ServiceID`, `Status`, ...), so
/// `serde_json::from_slice::<Vec<Task>>` reads a `GET /tasks` body and `serde_json::to_vec`
/// writes JSON any Docker tool reads. Unknown keys are ignored; `null` reads like an absent
/// field.
///
/// ```
/// use swarm_models::{Task, TaskState};
///
/// let body = br#"[{"ID":"t1","ServiceID":"s1","Slot":2,"DesiredState":"running",
///   "Status":{"Timestamp":"2024-05-01T10:00:00.123456789Z","State":"hibernating"},
///   "Spec":{"ContainerSpec":{"Image":"busybox"},"SomethingNew":{"x":1}}}]"#;
/// let tasks: Vec<Task> = serde_json::from_slice(body).unwrap();
/// assert_eq!(tasks[0].slot, Some(2));
/// assert_eq!(tasks[0].status.state, Some(TaskState::Unknown("hibernating".into())));
/// assert_eq!(tasks[0].image(), Some("busybox"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// The task ID (25 lowercase base-36 characters).
    #[serde(rename = "ID", default)]
    pub id: String,
    /// The object version, bumped on every change.
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<ObjectVersion>,
    /// When the task was created.
    #[serde(rename = "CreatedAt", default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the task object last changed.
    #[serde(rename = "UpdatedAt", default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The task's own name; usually absent (docker derives one from service and slot).
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Task labels (not the service's labels).
    #[serde(
        rename = "Labels",
        default,
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// The spec the task was created from (the service's task template at that time).
    #[serde(rename = "Spec", default, deserialize_with = "de::null_default")]
    pub spec: TaskSpec,
    /// The ID of the service the task belongs to.
    #[serde(rename = "ServiceID", default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The replica slot (replicated services and jobs); absent for global services.
    #[serde(rename = "Slot", default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<u64>,
    /// The node the task is assigned to; absent until it is scheduled.
    #[serde(rename = "NodeID", default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// Generic resources assigned to the task. The swagger names this
    /// `AssignedGenericResources`; both names are read, `GenericResources` is written.
    #[serde(
        rename = "GenericResources",
        alias = "AssignedGenericResources",
        default,
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub generic_resources: Vec<GenericResource>,
    /// What the task is doing now.
    #[serde(rename = "Status", default, deserialize_with = "de::null_default")]
    pub status: TaskStatus,
    /// The state the orchestrator wants the task in.
    #[serde(
        rename = "DesiredState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub desired_state: Option<TaskState>,
    /// Networks the task is attached to, each with the whole network object.
    #[serde(
        rename = "NetworksAttachments",
        default,
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub networks_attachments: Vec<NetworkAttachment>,
    /// For job services: which run of the job created the task.
    #[serde(
        rename = "JobIteration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub job_iteration: Option<ObjectVersion>,
    /// Cluster volumes attached to the task.
    #[serde(
        rename = "Volumes",
        default,
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub volumes: Vec<VolumeAttachment>,
}

impl Task {
    /// The current state, if the daemon sent one.
    pub fn state(&self) -> Option<&TaskState> {
        self.status.state.as_ref()
    }

    /// The container image, for container tasks.
    pub fn image(&self) -> Option<&str> {
        self.spec
            .container_spec
            .as_ref()
            .and_then(|spec| spec.image.as_deref())
    }

    /// The error the task reported (`Status.Err`), if any and not empty.
    pub fn error(&self) -> Option<&str> {
        self.status.err.as_deref().filter(|err| !err.is_empty())
    }

    /// The container's exit code, when the task has a container status.
    pub fn exit_code(&self) -> Option<i64> {
        self.status
            .container_status
            .as_ref()
            .and_then(|status| status.exit_code)
    }
}

/// A swarm object version (`{"Index": N}`), also used for job iterations.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObjectVersion {
    /// The version counter.
    #[serde(rename = "Index", default)]
    pub index: u64,
}

/// The observed status of a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskStatus {
    /// When the status last changed.
    #[serde(rename = "Timestamp", default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// The current state.
    #[serde(rename = "State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<TaskState>,
    /// A human-readable word or two about the state (`started`, `pending task scheduling`).
    #[serde(rename = "Message", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The error, for failed, rejected or pending tasks (`no suitable node ...`).
    #[serde(rename = "Err", default, skip_serializing_if = "Option::is_none")]
    pub err: Option<String>,
    /// The container, once the node created one.
    #[serde(
        rename = "ContainerStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub container_status: Option<ContainerStatus>,
    /// Ports the task published in host mode.
    #[serde(
        rename = "PortStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub port_status: Option<PortStatus>,
}

/// The container behind a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContainerStatus {
    /// The container ID.
    #[serde(
        rename = "ContainerID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub container_id: Option<String>,
    /// The container's main process ID (0 when not running).
    #[serde(rename = "PID", default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i64>,
    /// The exit code, once it exited.
    #[serde(rename = "ExitCode", default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
}

/// Ports a task published directly on its node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortStatus {
    /// The published ports.
    #[serde(
        rename = "Ports",
        default,
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub ports: Vec<PortConfig>,
}

/// One published port, in a task's port status or a service's endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PortConfig {
    /// An optional name for the port.
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// tcp, udp or sctp.
    #[serde(rename = "Protocol", default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<PortProtocol>,
    /// The port inside the container.
    #[serde(
        rename = "TargetPort",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_port: Option<u32>,
    /// The port on the node or the routing mesh.
    #[serde(
        rename = "PublishedPort",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub published_port: Option<u32>,
    /// ingress (routing mesh) or host.
    #[serde(
        rename = "PublishMode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub publish_mode: Option<PublishMode>,
}

open_enum! {
    /// A port's transport protocol.
    pub enum PortProtocol / Other {
        /// TCP.
        Tcp => "tcp",
        /// UDP.
        Udp => "udp",
        /// SCTP.
        Sctp => "sctp",
    }
}

open_enum! {
    /// How a port is published.
    pub enum PublishMode / Other {
        /// Through the swarm's routing mesh, on every node.
        Ingress => "ingress",
        /// Directly on the node that runs the task.
        Host => "host",
    }
}

/// A cluster volume attached to a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VolumeAttachment {
    /// The cluster volume's ID.
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The mount source as the task's spec names it.
    #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where it is mounted in the container.
    #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}
