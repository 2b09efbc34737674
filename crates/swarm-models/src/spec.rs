//! [`TaskSpec`]: what a task should run and under which rules (restart, placement,
//! resources, networks, logging). A service's `TaskTemplate` has the same type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::container::ContainerSpec;
use crate::de;
use crate::open_enum::open_enum;
use crate::resources::ResourceRequirements;
use crate::time::NanoDuration;

/// The spec of a task, or the task template of a service.
///
/// Exactly one of `container_spec`, `plugin_spec` and `network_attachment_spec` is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct TaskSpec {
    /// The container to run (runtime `container`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_spec: Option<ContainerSpec>,
    /// The plugin to install (runtime `plugin`). Its keys are lowercase on the wire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_spec: Option<PluginSpec>,
    /// A network attachment for a standalone container (runtime `attachment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_attachment_spec: Option<NetworkAttachmentSpec>,
    /// CPU, memory and pid limits and reservations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// When and how often failed tasks are replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
    /// Where the task may run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    /// Networks to attach the task to.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub networks: Vec<NetworkAttachmentConfig>,
    /// The log driver for the task's container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_driver: Option<Driver>,
    /// A counter that forces an update when it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_update: Option<u64>,
    /// The runtime: container, plugin or attachment. The daemon sets it on tasks only for
    /// attachment tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
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

/// A plugin a task installs. The daemon writes these keys in lowercase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "lowercase")]
pub struct PluginSpec {
    /// The plugin's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The plugin's remote reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// Privileges the plugin was granted.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub privileges: Vec<PluginPrivilege>,
    /// Whether the plugin is installed disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Environment for the plugin.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub env: Vec<String>,
}

/// One privilege granted to a plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "lowercase")]
pub struct PluginPrivilege {
    /// The privilege's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its values.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub value: Vec<String>,
}

/// The container a network attachment task belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NetworkAttachmentSpec {
    /// The container's ID.
    #[serde(rename = "ContainerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
}

/// When a task that stopped is replaced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct RestartPolicy {
    /// none, on-failure or any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<RestartCondition>,
    /// Delay between restart attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<NanoDuration>,
    /// How many restarts to try before giving up (0 = no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u64>,
    /// The window in which restarts are counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<NanoDuration>,
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

/// Scheduling rules: constraints, spread preferences, replica caps and platforms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct Placement {
    /// Constraint expressions such as `node.role==manager`.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub constraints: Vec<String>,
    /// Spread preferences, applied in order.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub preferences: Vec<PlacementPreference>,
    /// At most this many replicas per node (0 = no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<u64>,
    /// Platforms the image supports.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub platforms: Vec<Platform>,
}

/// One placement preference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct PlacementPreference {
    /// Spread tasks evenly over the values of a node label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<SpreadOver>,
}

/// The label a spread preference spreads over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct SpreadOver {
    /// A label such as `node.labels.datacenter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread_descriptor: Option<String>,
}

/// An OS and architecture pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Platform {
    /// The CPU architecture (`amd64`, `arm64`, ...).
    #[serde(rename = "Architecture", skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// The operating system (`linux`, `windows`).
    #[serde(rename = "OS", skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
}

/// A network a task should be attached to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct NetworkAttachmentConfig {
    /// The network's ID or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Extra DNS names for the task on this network.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub aliases: Vec<String>,
    /// Driver options for this attachment.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub driver_opts: BTreeMap<String, String>,
}

/// A driver name with options: log drivers, network drivers, IPAM drivers, volume drivers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct Driver {
    /// The driver's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Driver-specific options.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub options: BTreeMap<String, String>,
}
