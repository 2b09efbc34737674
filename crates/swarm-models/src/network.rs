//! Network attachments of a task, with the whole network object the daemon embeds.

use std::collections::BTreeMap;

use crate::model::model;
use crate::shared::Shared;

use crate::spec::Driver;
use crate::task::ObjectVersion;
use crate::time::Timestamp;

model! {
    /// A network a task is attached to, and its addresses on it.
    pub struct NetworkAttachment {
        /// The network.
        "Network" => pub network: Option<Shared<Network>>,
        /// The task's addresses on it, in CIDR form.
        "Addresses" => pub addresses: Vec<String>,
    }
}

model! {
    /// A swarm network object.
    pub struct Network {
        /// The network's ID.
        "ID" => pub id: Option<String>,
        /// The object version.
        "Version" => pub version: Option<ObjectVersion>,
        /// When it was created.
        "CreatedAt" => pub created_at: Option<Timestamp>,
        /// When it last changed.
        "UpdatedAt" => pub updated_at: Option<Timestamp>,
        /// What the user asked for.
        "Spec" => pub spec: Option<NetworkSpec>,
        /// The driver's state (e.g. the overlay's VXLAN IDs).
        "DriverState" => pub driver_state: Option<Driver>,
        /// The address management in effect.
        "IPAMOptions" => pub ipam_options: Option<IpamOptions>,
    }
}

model! {
    /// The spec of a swarm network.
    pub struct NetworkSpec {
        /// The network's name.
        "Name" => pub name: Option<String>,
        /// The network's labels.
        "Labels" => pub labels: BTreeMap<String, String>,
        /// The network driver and its options.
        "DriverConfiguration" => pub driver_configuration: Option<Driver>,
        /// IPv6 is on.
        "IPv6Enabled" => pub ipv6_enabled: Option<bool>,
        /// No outside connectivity.
        "Internal" => pub internal: Option<bool>,
        /// Standalone containers may attach.
        "Attachable" => pub attachable: Option<bool>,
        /// This is the routing-mesh network.
        "Ingress" => pub ingress: Option<bool>,
        /// Requested address management.
        "IPAMOptions" => pub ipam_options: Option<IpamOptions>,
        /// A config-only network this one takes its configuration from.
        "ConfigFrom" => pub config_from: Option<ConfigFrom>,
        /// The network's scope (`swarm`, `local`).
        "Scope" => pub scope: Option<String>,
    }
}

model! {
    /// The config-only network a network takes its configuration from.
    pub struct ConfigFrom {
        /// That network's name.
        "Network" => pub network: Option<String>,
    }
}

model! {
    /// Address management: the IPAM driver and its pools.
    pub struct IpamOptions {
        /// The IPAM driver.
        "Driver" => pub driver: Option<Driver>,
        /// Address pools.
        "Configs" => pub configs: Vec<IpamConfig>,
    }
}

model! {
    /// One address pool.
    pub struct IpamConfig {
        /// The subnet, in CIDR form.
        "Subnet" => pub subnet: Option<String>,
        /// The range addresses are taken from.
        "Range" => pub range: Option<String>,
        /// The gateway.
        "Gateway" => pub gateway: Option<String>,
        /// Reserved addresses by name.
        "AuxiliaryAddresses" => pub auxiliary_addresses: BTreeMap<String, String>,
    }
}
