//! [`ContainerSpec`] and what it holds: privileges, mounts, health check, DNS, secrets,
//! configs and ulimits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de;
use crate::open_enum::open_enum;
use crate::spec::Driver;
use crate::time::NanoDuration;

/// The container a task runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct ContainerSpec {
    /// The image reference, usually pinned to a digest by the daemon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Container labels.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// Replaces the image's entrypoint.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub command: Vec<String>,
    /// Arguments to the command.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub args: Vec<String>,
    /// The container's hostname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Environment variables, `KEY=value`.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub env: Vec<String>,
    /// The working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// The user to run as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Extra groups.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub groups: Vec<String>,
    /// Security options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileges: Option<Privileges>,
    /// Run an init process inside the container (`null` means the daemon's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    /// The signal that stops the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Allocate a pseudo-TTY.
    #[serde(rename = "TTY", skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Keep stdin open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_stdin: Option<bool>,
    /// Mount the root filesystem read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Mounts.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub mounts: Vec<Mount>,
    /// How long to wait after the stop signal before killing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<NanoDuration>,
    /// The health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<HealthConfig>,
    /// Extra `/etc/hosts` lines (`IP host...`).
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub hosts: Vec<String>,
    /// DNS settings.
    #[serde(rename = "DNSConfig", skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<DnsConfig>,
    /// Secrets given to the container.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub secrets: Vec<SecretReference>,
    /// Configs given to the container.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub configs: Vec<ConfigReference>,
    /// Isolation technology (`default`, `process`, `hyperv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    /// Namespaced kernel parameters.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub sysctls: BTreeMap<String, String>,
    /// Capabilities added to the default set.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub capability_add: Vec<String>,
    /// Capabilities removed from the default set.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub capability_drop: Vec<String>,
    /// Resource limits (`nofile`, ...).
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub ulimits: Vec<Ulimit>,
    /// OOM killer score adjustment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i64>,
}

/// Security options of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct Privileges {
    /// Windows credential spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<CredentialSpec>,
    /// SELinux labels.
    #[serde(rename = "SELinuxContext", skip_serializing_if = "Option::is_none")]
    pub selinux_context: Option<SeLinuxContext>,
    /// Seccomp mode and profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp: Option<SeccompOpts>,
    /// AppArmor mode.
    #[serde(rename = "AppArmor", skip_serializing_if = "Option::is_none")]
    pub app_armor: Option<AppArmorOpts>,
    /// Forbid gaining privileges (setuid binaries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_new_privileges: Option<bool>,
}

/// A Windows credential spec source (exactly one field is set).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct CredentialSpec {
    /// A swarm config holding the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// A file holding the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A registry value holding the spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

/// SELinux labels of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct SeLinuxContext {
    /// Disable SELinux labelling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable: Option<bool>,
    /// The SELinux user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The SELinux role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The SELinux type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The SELinux level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// Seccomp settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct SeccompOpts {
    /// default, unconfined or custom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The custom profile, base64 as the daemon sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// AppArmor settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct AppArmorOpts {
    /// default or disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// A mount in a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct Mount {
    /// bind, volume, tmpfs, npipe, cluster or image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#type: Option<MountType>,
    /// The host path, volume name or image reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The path in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Mount read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Consistency requirement (`default`, `consistent`, `cached`, `delegated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    /// Options for bind mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_options: Option<BindOptions>,
    /// Options for volume mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_options: Option<VolumeOptions>,
    /// Options for image mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_options: Option<ImageOptions>,
    /// Options for tmpfs mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmpfs_options: Option<TmpfsOptions>,
    /// Options for cluster volume mounts (currently an empty object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_options: Option<ClusterOptions>,
}

open_enum! {
    /// The kind of a mount.
    pub enum MountType / Other {
        /// A host path.
        Bind => "bind",
        /// A named volume.
        Volume => "volume",
        /// A tmpfs.
        Tmpfs => "tmpfs",
        /// A Windows named pipe.
        Npipe => "npipe",
        /// A swarm cluster volume.
        Cluster => "cluster",
        /// An image's filesystem.
        Image => "image",
    }
}

/// Options for a bind mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct BindOptions {
    /// Mount propagation (`rprivate`, `shared`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
    /// Do not bind submounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub non_recursive: Option<bool>,
    /// Create the mount point on the host if missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_mountpoint: Option<bool>,
    /// Make submounts writable even when the mount is read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_non_recursive: Option<bool>,
    /// Make submounts read-only too, or fail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only_force_recursive: Option<bool>,
}

/// Options for a volume mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct VolumeOptions {
    /// Do not copy the image's content into a new volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_copy: Option<bool>,
    /// Labels for a volume the mount creates.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// A path inside the volume to mount instead of its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
    /// The volume driver and its options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver_config: Option<Driver>,
}

/// Options for an image mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct ImageOptions {
    /// A path inside the image to mount instead of its root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
}

/// Options for a tmpfs mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct TmpfsOptions {
    /// Size limit in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<i64>,
    /// File mode of the tmpfs root (as an integer, e.g. 1777 octal = 1023).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    /// Raw mount options, each `[name]` or `[name, value]`.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub options: Vec<Vec<String>>,
}

/// Options for a cluster volume mount; the daemon defines none yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClusterOptions {}

/// A container health check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct HealthConfig {
    /// The test: `[]` inherits, `["NONE"]` disables, `["CMD", ...]` or
    /// `["CMD-SHELL", "..."]` runs a command.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub test: Vec<String>,
    /// Time between checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<NanoDuration>,
    /// How long a check may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<NanoDuration>,
    /// Grace period before failures count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_period: Option<NanoDuration>,
    /// Time between checks during the start period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_interval: Option<NanoDuration>,
    /// Consecutive failures before the container is unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
}

/// DNS settings of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct DnsConfig {
    /// Name servers.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub nameservers: Vec<String>,
    /// Search domains.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub search: Vec<String>,
    /// Resolver options.
    #[serde(
        deserialize_with = "de::null_default",
        skip_serializing_if = "de::is_empty"
    )]
    pub options: Vec<String>,
}

/// A secret given to a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct SecretReference {
    /// Where the secret appears in the container.
    #[serde(rename = "File", skip_serializing_if = "Option::is_none")]
    pub file: Option<FileTarget>,
    /// The secret's ID.
    #[serde(rename = "SecretID", skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    /// The secret's name.
    #[serde(rename = "SecretName", skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
}

/// A config given to a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ConfigReference {
    /// Where the config appears in the container, as a file.
    #[serde(rename = "File", skip_serializing_if = "Option::is_none")]
    pub file: Option<FileTarget>,
    /// The config is used by the runtime (credential specs), not mounted.
    #[serde(rename = "Runtime", skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeTarget>,
    /// The config's ID.
    #[serde(rename = "ConfigID", skip_serializing_if = "Option::is_none")]
    pub config_id: Option<String>,
    /// The config's name.
    #[serde(rename = "ConfigName", skip_serializing_if = "Option::is_none")]
    pub config_name: Option<String>,
}

/// A file target for a secret or config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct FileTarget {
    /// The file name in the container.
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Owner user ID, as a string.
    #[serde(rename = "UID", skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Owner group ID, as a string.
    #[serde(rename = "GID", skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    /// File mode, as an integer.
    #[serde(rename = "Mode", skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

/// A runtime target for a config; the daemon defines no fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuntimeTarget {}

/// A resource limit in the container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, rename_all = "PascalCase")]
pub struct Ulimit {
    /// The limit's name (`nofile`, `nproc`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The soft limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft: Option<i64>,
    /// The hard limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard: Option<i64>,
}
