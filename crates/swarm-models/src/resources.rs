//! Resource limits, reservations and generic resources.

use serde::{Deserialize, Serialize};

use crate::de;

/// Limits and reservations of a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct ResourceRequirements {
    /// The most the task may use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limit>,
    /// What the scheduler sets aside for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<Resources>,
    /// Swap limit in bytes (memory + swap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_bytes: Option<i64>,
    /// Memory swappiness, 0 to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_swappiness: Option<i64>,
}

/// Upper bounds on a task's resources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Limit {
    /// CPU in units of 10^-9 CPUs.
    #[serde(rename = "NanoCPUs", skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<i64>,
    /// Memory in bytes.
    #[serde(rename = "MemoryBytes", skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<i64>,
    /// Maximum number of processes.
    #[serde(rename = "Pids", skip_serializing_if = "Option::is_none")]
    pub pids: Option<i64>,
}

/// An amount of resources: a reservation, or what a node offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Resources {
    /// CPU in units of 10^-9 CPUs.
    #[serde(rename = "NanoCPUs", skip_serializing_if = "Option::is_none")]
    pub nano_cpus: Option<i64>,
    /// Memory in bytes.
    #[serde(rename = "MemoryBytes", skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<i64>,
    /// User-defined resources (GPUs, ...).
    #[serde(
        rename = "GenericResources",
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub generic_resources: Vec<GenericResource>,
}

/// A user-defined resource: either a named one (a specific GPU) or a discrete count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct GenericResource {
    /// A named resource, e.g. `{"Kind": "GPU", "Value": "UUID1"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_resource_spec: Option<NamedGenericResource>,
    /// A countable resource, e.g. `{"Kind": "SSD", "Value": 3}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discrete_resource_spec: Option<DiscreteGenericResource>,
}

/// A named generic resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct NamedGenericResource {
    /// The kind (`GPU`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The resource's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A countable generic resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct DiscreteGenericResource {
    /// The kind (`SSD`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// How many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}
