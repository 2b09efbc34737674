//! [`Task`] and the types of its status: what the daemon returns from `GET /tasks` and
//! `GET /tasks/{id}`.

use std::collections::BTreeMap;

use crate::model::model;

use crate::network::NetworkAttachment;
use crate::open_enum::open_enum;
use crate::resources::GenericResource;
use crate::shared::Shared;
use crate::spec::TaskSpec;
use crate::state::TaskState;
use crate::time::Timestamp;

model! {
    #[as_sent]
    /// One task: a single instance of a service's task template, placed (or waiting to be placed)
    /// on one node.
    ///
    /// Field names on the wire are the daemon's (`ID`, `ServiceID`, `Status`, ...), so
    /// `serde_json::from_slice::<Vec<Task>>` reads a `GET /tasks` body and `serde_json::to_vec`
    /// writes JSON any Docker tool reads. Unknown keys are kept in `unknown` and written back;
    /// `null` reads like an absent field.
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
    pub struct Task {
        /// The task ID (25 lowercase base-36 characters).
        "ID" => pub id: String,
        /// The object version, bumped on every change.
        "Version" => pub version: Option<ObjectVersion>,
        /// When the task was created.
        "CreatedAt" => pub created_at: Option<Timestamp>,
        /// When the task object last changed.
        "UpdatedAt" => pub updated_at: Option<Timestamp>,
        /// The task's own name; usually absent (docker derives one from service and slot).
        "Name" => pub name: Option<String>,
        /// Task labels (not the service's labels).
        "Labels" => pub labels: BTreeMap<String, String>,
        /// The spec the task was created from (the service's task template at that time).
        "Spec" => pub spec: Shared<TaskSpec>,
        /// The ID of the service the task belongs to.
        "ServiceID" => pub service_id: Option<String>,
        /// The replica slot (replicated services and jobs); absent for global services.
        "Slot" => pub slot: Option<u64>,
        /// The node the task is assigned to; absent until it is scheduled.
        "NodeID" => pub node_id: Option<String>,
        /// Generic resources assigned to the task. The swagger names this
        /// `AssignedGenericResources`; both names are read, `GenericResources` is written.
        "GenericResources" | "AssignedGenericResources" => pub generic_resources: Vec<GenericResource>,
        /// What the task is doing now.
        "Status" => pub status: TaskStatus,
        /// The state the orchestrator wants the task in.
        "DesiredState" => pub desired_state: Option<TaskState>,
        /// Networks the task is attached to, each with the whole network object.
        "NetworksAttachments" => pub networks_attachments: Vec<NetworkAttachment>,
        /// For job services: which run of the job created the task.
        "JobIteration" => pub job_iteration: Option<ObjectVersion>,
        /// Cluster volumes attached to the task.
        "Volumes" => pub volumes: Vec<VolumeAttachment>,
    }
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

model! {
    /// A swarm object version (`{"Index": N}`), also used for job iterations.
    #[derive(Eq, Hash)]
    pub struct ObjectVersion {
        /// The version counter.
        "Index" => pub index: u64,
    }
}

model! {
    /// The observed status of a task.
    pub struct TaskStatus {
        /// When the status last changed.
        "Timestamp" => pub timestamp: Option<Timestamp>,
        /// The current state.
        "State" => pub state: Option<TaskState>,
        /// A human-readable word or two about the state (`started`, `pending task scheduling`).
        "Message" => pub message: Option<String>,
        /// The error, for failed, rejected or pending tasks (`no suitable node ...`).
        "Err" => pub err: Option<String>,
        /// The container, once the node created one.
        "ContainerStatus" => pub container_status: Option<ContainerStatus>,
        /// Ports the task published in host mode.
        "PortStatus" => pub port_status: Option<PortStatus>,
    }
}

model! {
    /// The container behind a task.
    pub struct ContainerStatus {
        /// The container ID.
        "ContainerID" => pub container_id: Option<String>,
        /// The container's main process ID (0 when not running).
        "PID" => pub pid: Option<i64>,
        /// The exit code, once it exited.
        "ExitCode" => pub exit_code: Option<i64>,
    }
}

model! {
    /// Ports a task published directly on its node.
    pub struct PortStatus {
        /// The published ports.
        "Ports" => pub ports: Vec<PortConfig>,
    }
}

model! {
    /// One published port, in a task's port status or a service's endpoint.
    pub struct PortConfig {
        /// An optional name for the port.
        "Name" => pub name: Option<String>,
        /// tcp, udp or sctp.
        "Protocol" => pub protocol: Option<PortProtocol>,
        /// The port inside the container.
        "TargetPort" => pub target_port: Option<u32>,
        /// The port on the node or the routing mesh.
        "PublishedPort" => pub published_port: Option<u32>,
        /// ingress (routing mesh) or host.
        "PublishMode" => pub publish_mode: Option<PublishMode>,
    }
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

model! {
    /// A cluster volume attached to a task.
    pub struct VolumeAttachment {
        /// The cluster volume's ID.
        "ID" => pub id: Option<String>,
        /// The mount source as the task's spec names it.
        "Source" => pub source: Option<String>,
        /// Where it is mounted in the container.
        "Target" => pub target: Option<String>,
    }
}
