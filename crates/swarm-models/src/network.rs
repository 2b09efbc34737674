//! Network attachments of a task, with the whole network object the daemon embeds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;
use crate::spec::Driver;
use crate::task::ObjectVersion;
use crate::time::Timestamp;

/// A network a task is attached to, and its addresses on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct NetworkAttachment {
    /// The network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// The task's addresses on it, in CIDR form.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub addresses: Vec<String>,
}

/// A swarm network object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct Network {
    /// The network's ID.
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The object version.
    #[serde(rename = "Version", skip_serializing_if = "Option::is_none")]
    pub version: Option<ObjectVersion>,
    /// When it was created.
    #[serde(rename = "CreatedAt", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(rename = "UpdatedAt", skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// What the user asked for.
    #[serde(rename = "Spec", skip_serializing_if = "Option::is_none")]
    pub spec: Option<NetworkSpec>,
    /// The driver's state (e.g. the overlay's VXLAN IDs).
    #[serde(rename = "DriverState", skip_serializing_if = "Option::is_none")]
    pub driver_state: Option<Driver>,
    /// The address management in effect.
    #[serde(rename = "IPAMOptions", skip_serializing_if = "Option::is_none")]
    pub ipam_options: Option<IpamOptions>,
}

/// The spec of a swarm network.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct NetworkSpec {
    /// The network's name.
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The network's labels.
    #[serde(
        rename = "Labels",
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// The network driver and its options.
    #[serde(
        rename = "DriverConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub driver_configuration: Option<Driver>,
    /// IPv6 is on.
    #[serde(rename = "IPv6Enabled", skip_serializing_if = "Option::is_none")]
    pub ipv6_enabled: Option<bool>,
    /// No outside connectivity.
    #[serde(rename = "Internal", skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
    /// Standalone containers may attach.
    #[serde(rename = "Attachable", skip_serializing_if = "Option::is_none")]
    pub attachable: Option<bool>,
    /// This is the routing-mesh network.
    #[serde(rename = "Ingress", skip_serializing_if = "Option::is_none")]
    pub ingress: Option<bool>,
    /// Requested address management.
    #[serde(rename = "IPAMOptions", skip_serializing_if = "Option::is_none")]
    pub ipam_options: Option<IpamOptions>,
    /// A config-only network this one takes its configuration from.
    #[serde(rename = "ConfigFrom", skip_serializing_if = "Option::is_none")]
    pub config_from: Option<ConfigFrom>,
    /// The network's scope (`swarm`, `local`).
    #[serde(rename = "Scope", skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The config-only network a network takes its configuration from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ConfigFrom {
    /// That network's name.
    #[serde(rename = "Network", skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
}

/// Address management: the IPAM driver and its pools.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct IpamOptions {
    /// The IPAM driver.
    #[serde(rename = "Driver", skip_serializing_if = "Option::is_none")]
    pub driver: Option<Driver>,
    /// Address pools.
    #[serde(
        rename = "Configs",
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub configs: Vec<IpamConfig>,
}

/// One address pool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct IpamConfig {
    /// The subnet, in CIDR form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// The range addresses are taken from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// Reserved addresses by name.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub auxiliary_addresses: BTreeMap<String, String>,
}
