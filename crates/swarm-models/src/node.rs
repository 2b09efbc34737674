//! [`Node`]: what `GET /nodes` returns, with what naming and placement checks need.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;
use crate::open_enum::open_enum;
use crate::resources::Resources;
use crate::spec::Platform;
use crate::task::ObjectVersion;
use crate::time::Timestamp;

/// A swarm node.
///
/// ```
/// use swarm_models::{Node, NodeRole};
///
/// let json = r#"{"ID":"n1","Spec":{"Role":"manager","Availability":"active"},
///                "Description":{"Hostname":"vm"},"Status":{"State":"ready","Addr":"10.0.0.2"}}"#;
/// let node: Node = serde_json::from_str(json).unwrap();
/// assert_eq!(node.hostname(), Some("vm"));
/// assert_eq!(node.spec.role, Some(NodeRole::Manager));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Node {
    /// The node ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// The object version.
    #[serde(rename = "Version", skip_serializing_if = "Option::is_none")]
    pub version: Option<ObjectVersion>,
    /// When the node joined.
    #[serde(rename = "CreatedAt", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the node object last changed.
    #[serde(rename = "UpdatedAt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// What the operator set: name, labels, role, availability.
    #[serde(rename = "Spec", deserialize_with = "de::null_default")]
    pub spec: NodeSpec,
    /// What the node reports about itself.
    #[serde(rename = "Description", skip_serializing_if = "Option::is_none")]
    pub description: Option<NodeDescription>,
    /// Whether the node is up.
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    pub status: Option<NodeStatus>,
    /// Raft status, for managers.
    #[serde(rename = "ManagerStatus", skip_serializing_if = "Option::is_none")]
    pub manager_status: Option<ManagerStatus>,
}

impl Node {
    /// The node's hostname, as it reports it.
    pub fn hostname(&self) -> Option<&str> {
        self.description
            .as_ref()
            .and_then(|description| description.hostname.as_deref())
    }
}

/// What an operator sets on a node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct NodeSpec {
    /// An optional name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Node labels (`node.labels.*` in constraints).
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// worker or manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<NodeRole>,
    /// active, pause or drain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<NodeAvailability>,
}

open_enum! {
    /// A node's role.
    pub enum NodeRole / Other {
        /// Runs tasks only.
        Worker => "worker",
        /// Takes part in the Raft cluster and answers the API.
        Manager => "manager",
    }
}

open_enum! {
    /// Whether the scheduler may place tasks on a node.
    pub enum NodeAvailability / Other {
        /// New tasks may be placed.
        Active => "active",
        /// No new tasks; running ones stay.
        Pause => "pause",
        /// No tasks; running ones are moved away.
        Drain => "drain",
    }
}

/// What a node reports about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NodeDescription {
    /// The hostname.
    #[serde(rename = "Hostname", skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// OS and architecture.
    #[serde(rename = "Platform", skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// CPU, memory and generic resources the node offers.
    #[serde(rename = "Resources", skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// The engine: version, labels, plugins.
    #[serde(rename = "Engine", skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineDescription>,
    /// The node's TLS trust material.
    #[serde(rename = "TLSInfo", skip_serializing_if = "Option::is_none")]
    pub tls_info: Option<TlsInfo>,
    /// CSI plugins on the node.
    #[serde(
        rename = "CSIInfo",
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub csi_info: Vec<CsiInfo>,
}

/// A node's engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct EngineDescription {
    /// The engine's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    /// Engine labels.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// Installed plugins.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub plugins: Vec<PluginDescription>,
}

/// A plugin on a node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct PluginDescription {
    /// The plugin type (`Volume`, `Network`, `Log`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The plugin's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// TLS trust material of a node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct TlsInfo {
    /// The root CA certificate, PEM.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_root: Option<String>,
    /// The issuer's subject, base64 DER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_issuer_subject: Option<String>,
    /// The issuer's public key, base64 DER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_issuer_public_key: Option<String>,
}

/// A CSI plugin on a node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct CsiInfo {
    /// The plugin's name.
    #[serde(rename = "PluginName", skip_serializing_if = "Option::is_none")]
    pub plugin_name: Option<String>,
    /// The node's ID as the plugin knows it.
    #[serde(rename = "NodeID", skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// How many volumes the plugin may publish here.
    #[serde(rename = "MaxVolumesPerNode", skip_serializing_if = "Option::is_none")]
    pub max_volumes_per_node: Option<u64>,
}

/// Whether a node is up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct NodeStatus {
    /// unknown, down, ready or disconnected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<NodeState>,
    /// Why, when it is not ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The node's address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
}

open_enum! {
    /// Whether a node is up.
    pub enum NodeState / Other {
        /// The manager has not heard from it yet.
        Unknown => "unknown",
        /// Down.
        Down => "down",
        /// Up and taking tasks.
        Ready => "ready",
        /// Lost contact.
        Disconnected => "disconnected",
    }
}

/// Raft status of a manager.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct ManagerStatus {
    /// This manager leads the Raft cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<bool>,
    /// unknown, unreachable or reachable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachability: Option<String>,
    /// The manager's Raft address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
}
