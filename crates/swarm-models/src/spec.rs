//! [`TaskSpec`]: what a task should run and under which rules (restart, placement,
//! resources, networks, logging). A service's `TaskTemplate` has the same type.

use std::collections::BTreeMap;

use crate::model::model;

use crate::container::ContainerSpec;
use crate::open_enum::open_enum;
use crate::resources::ResourceRequirements;
use crate::time::NanoDuration;

model! {
    /// The spec of a task, or the task template of a service.
    ///
    /// Exactly one of `container_spec`, `plugin_spec` and `network_attachment_spec` is set.
    pub struct TaskSpec {
        /// The container to run (runtime `container`).
        "ContainerSpec" => pub container_spec: Option<ContainerSpec>,
        /// The plugin to install (runtime `plugin`). Its keys are lowercase on the wire.
        "PluginSpec" => pub plugin_spec: Option<PluginSpec>,
        /// A network attachment for a standalone container (runtime `attachment`).
        "NetworkAttachmentSpec" => pub network_attachment_spec: Option<NetworkAttachmentSpec>,
        /// CPU, memory and pid limits and reservations.
        "Resources" => pub resources: Option<ResourceRequirements>,
        /// When and how often failed tasks are replaced.
        "RestartPolicy" => pub restart_policy: Option<RestartPolicy>,
        /// Where the task may run.
        "Placement" => pub placement: Option<Placement>,
        /// Networks to attach the task to.
        "Networks" => pub networks: Vec<NetworkAttachmentConfig>,
        /// The log driver for the task's container.
        "LogDriver" => pub log_driver: Option<Driver>,
        /// A counter that forces an update when it changes.
        "ForceUpdate" => pub force_update: Option<u64>,
        /// The runtime: container, plugin or attachment. The daemon sets it on tasks only for
        /// attachment tasks.
        "Runtime" => pub runtime: Option<Runtime>,
    }
}

open_enum! {
    /// The kind of thing a task runs.
    pub enum Runtime / Other {
        /// A container (the default).
        Container => "container",
        /// A managed plugin.
        Plugin => "plugin",
        /// A network attachment for a container started outside swarm.
        Attachment => "attachment",
    }
}

model! {
    /// A plugin a task installs. The daemon writes these keys in lowercase.
    pub struct PluginSpec {
        /// The plugin's name.
        "name" => pub name: Option<String>,
        /// The plugin's remote reference.
        "remote" => pub remote: Option<String>,
        /// Privileges the plugin was granted.
        "privileges" => pub privileges: Vec<PluginPrivilege>,
        /// Whether the plugin is installed disabled.
        "disabled" => pub disabled: Option<bool>,
        /// Environment for the plugin.
        "env" => pub env: Vec<String>,
    }
}

model! {
    /// One privilege granted to a plugin.
    pub struct PluginPrivilege {
        /// The privilege's name.
        "name" => pub name: Option<String>,
        /// What it allows.
        "description" => pub description: Option<String>,
        /// Its values.
        "value" => pub value: Vec<String>,
    }
}

model! {
    /// The container a network attachment task belongs to.
    pub struct NetworkAttachmentSpec {
        /// The container's ID.
        "ContainerID" => pub container_id: Option<String>,
    }
}

model! {
    /// When a task that stopped is replaced.
    pub struct RestartPolicy {
        /// none, on-failure or any.
        "Condition" => pub condition: Option<RestartCondition>,
        /// Delay between restart attempts.
        "Delay" => pub delay: Option<NanoDuration>,
        /// How many restarts to try before giving up (0 = no limit).
        "MaxAttempts" => pub max_attempts: Option<u64>,
        /// The window in which restarts are counted.
        "Window" => pub window: Option<NanoDuration>,
    }
}

open_enum! {
    /// When a stopped task is restarted.
    pub enum RestartCondition / Other {
        /// Never.
        None => "none",
        /// Only after a non-zero exit.
        OnFailure => "on-failure",
        /// Always.
        Any => "any",
    }
}

model! {
    /// Scheduling rules: constraints, spread preferences, replica caps and platforms.
    pub struct Placement {
        /// Constraint expressions such as `node.role==manager`.
        "Constraints" => pub constraints: Vec<String>,
        /// Spread preferences, applied in order.
        "Preferences" => pub preferences: Vec<PlacementPreference>,
        /// At most this many replicas per node (0 = no limit).
        "MaxReplicas" => pub max_replicas: Option<u64>,
        /// Platforms the image supports.
        "Platforms" => pub platforms: Vec<Platform>,
    }
}

model! {
    /// One placement preference.
    pub struct PlacementPreference {
        /// Spread tasks evenly over the values of a node label.
        "Spread" => pub spread: Option<SpreadOver>,
    }
}

model! {
    /// The label a spread preference spreads over.
    pub struct SpreadOver {
        /// A label such as `node.labels.datacenter`.
        "SpreadDescriptor" => pub spread_descriptor: Option<String>,
    }
}

model! {
    /// An OS and architecture pair.
    pub struct Platform {
        /// The CPU architecture (`amd64`, `arm64`, ...).
        "Architecture" => pub architecture: Option<String>,
        /// The operating system (`linux`, `windows`).
        "OS" => pub os: Option<String>,
    }
}

model! {
    /// A network a task should be attached to.
    pub struct NetworkAttachmentConfig {
        /// The network's ID or name.
        "Target" => pub target: Option<String>,
        /// Extra DNS names for the task on this network.
        "Aliases" => pub aliases: Vec<String>,
        /// Driver options for this attachment.
        "DriverOpts" => pub driver_opts: BTreeMap<String, String>,
    }
}

model! {
    /// A driver name with options: log drivers, network drivers, IPAM drivers, volume drivers.
    pub struct Driver {
        /// The driver's name.
        "Name" => pub name: Option<String>,
        /// Driver-specific options.
        "Options" => pub options: BTreeMap<String, String>,
    }
}
