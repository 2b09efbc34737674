//! [`Node`]: what `GET /nodes` returns, with what naming and placement checks need.

use std::collections::BTreeMap;

use crate::model::model;

use crate::open_enum::open_enum;
use crate::resources::Resources;
use crate::spec::Platform;
use crate::task::ObjectVersion;
use crate::time::Timestamp;

model! {
    #[as_sent]
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
    pub struct Node {
        /// The node ID.
        "ID" => pub id: String,
        /// The object version.
        "Version" => pub version: Option<ObjectVersion>,
        /// When the node joined.
        "CreatedAt" => pub created_at: Option<Timestamp>,
        /// When the node object last changed.
        "UpdatedAt" => pub updated_at: Option<Timestamp>,
        /// What the operator set: name, labels, role, availability.
        "Spec" => pub spec: NodeSpec,
        /// What the node reports about itself.
        "Description" => pub description: Option<NodeDescription>,
        /// Whether the node is up.
        "Status" => pub status: Option<NodeStatus>,
        /// Raft status, for managers.
        "ManagerStatus" => pub manager_status: Option<ManagerStatus>,
    }
}

impl Node {
    /// The node's hostname, as it reports it.
    pub fn hostname(&self) -> Option<&str> {
        self.description
            .as_ref()
            .and_then(|description| description.hostname.as_deref())
    }
}

model! {
    /// What an operator sets on a node.
    pub struct NodeSpec {
        /// An optional name.
        "Name" => pub name: Option<String>,
        /// Node labels (`node.labels.*` in constraints).
        "Labels" => pub labels: BTreeMap<String, String>,
        /// worker or manager.
        "Role" => pub role: Option<NodeRole>,
        /// active, pause or drain.
        "Availability" => pub availability: Option<NodeAvailability>,
    }
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

model! {
    /// What a node reports about itself.
    pub struct NodeDescription {
        /// The hostname.
        "Hostname" => pub hostname: Option<String>,
        /// OS and architecture.
        "Platform" => pub platform: Option<Platform>,
        /// CPU, memory and generic resources the node offers.
        "Resources" => pub resources: Option<Resources>,
        /// The engine: version, labels, plugins.
        "Engine" => pub engine: Option<EngineDescription>,
        /// The node's TLS trust material.
        "TLSInfo" => pub tls_info: Option<TlsInfo>,
        /// CSI plugins on the node.
        "CSIInfo" => pub csi_info: Vec<CsiInfo>,
    }
}

model! {
    /// A node's engine.
    pub struct EngineDescription {
        /// The engine's version.
        "EngineVersion" => pub engine_version: Option<String>,
        /// Engine labels.
        "Labels" => pub labels: BTreeMap<String, String>,
        /// Installed plugins.
        "Plugins" => pub plugins: Vec<PluginDescription>,
    }
}

model! {
    /// A plugin on a node.
    pub struct PluginDescription {
        /// The plugin type (`Volume`, `Network`, `Log`, ...).
        "Type" => pub r#type: Option<String>,
        /// The plugin's name.
        "Name" => pub name: Option<String>,
    }
}

model! {
    /// TLS trust material of a node.
    pub struct TlsInfo {
        /// The root CA certificate, PEM.
        "TrustRoot" => pub trust_root: Option<String>,
        /// The issuer's subject, base64 DER.
        "CertIssuerSubject" => pub cert_issuer_subject: Option<String>,
        /// The issuer's public key, base64 DER.
        "CertIssuerPublicKey" => pub cert_issuer_public_key: Option<String>,
    }
}

model! {
    /// A CSI plugin on a node.
    pub struct CsiInfo {
        /// The plugin's name.
        "PluginName" => pub plugin_name: Option<String>,
        /// The node's ID as the plugin knows it.
        "NodeID" => pub node_id: Option<String>,
        /// How many volumes the plugin may publish here.
        "MaxVolumesPerNode" => pub max_volumes_per_node: Option<u64>,
    }
}

model! {
    /// Whether a node is up.
    pub struct NodeStatus {
        /// unknown, down, ready or disconnected.
        "State" => pub state: Option<NodeState>,
        /// Why, when it is not ready.
        "Message" => pub message: Option<String>,
        /// The node's address.
        "Addr" => pub addr: Option<String>,
    }
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

model! {
    /// Raft status of a manager.
    pub struct ManagerStatus {
        /// This manager leads the Raft cluster.
        "Leader" => pub leader: Option<bool>,
        /// unknown, unreachable or reachable.
        "Reachability" => pub reachability: Option<String>,
        /// The manager's Raft address.
        "Addr" => pub addr: Option<String>,
    }
}
