//! [`ContainerSpec`] and what it holds: privileges, mounts, health check, DNS, secrets,
//! configs and ulimits.

use std::collections::BTreeMap;

use crate::model::model;

use crate::open_enum::open_enum;
use crate::spec::Driver;
use crate::time::NanoDuration;

model! {
    /// The container a task runs.
    pub struct ContainerSpec {
        /// The image reference, usually pinned to a digest by the daemon.
        "Image" => pub image: Option<String>,
        /// Container labels.
        "Labels" => pub labels: BTreeMap<String, String>,
        /// Replaces the image's entrypoint.
        "Command" => pub command: Vec<String>,
        /// Arguments to the command.
        "Args" => pub args: Vec<String>,
        /// The container's hostname.
        "Hostname" => pub hostname: Option<String>,
        /// Environment variables, `KEY=value`.
        "Env" => pub env: Vec<String>,
        /// The working directory.
        "Dir" => pub dir: Option<String>,
        /// The user to run as.
        "User" => pub user: Option<String>,
        /// Extra groups.
        "Groups" => pub groups: Vec<String>,
        /// Security options.
        "Privileges" => pub privileges: Option<Privileges>,
        /// Run an init process inside the container (`null` means the daemon's default).
        "Init" => pub init: Option<bool>,
        /// The signal that stops the container.
        "StopSignal" => pub stop_signal: Option<String>,
        /// Allocate a pseudo-TTY.
        "TTY" => pub tty: Option<bool>,
        /// Keep stdin open.
        "OpenStdin" => pub open_stdin: Option<bool>,
        /// Mount the root filesystem read-only.
        "ReadOnly" => pub read_only: Option<bool>,
        /// Mounts.
        "Mounts" => pub mounts: Vec<Mount>,
        /// How long to wait after the stop signal before killing.
        "StopGracePeriod" => pub stop_grace_period: Option<NanoDuration>,
        /// The health check.
        "Healthcheck" => pub healthcheck: Option<HealthConfig>,
        /// Extra `/etc/hosts` lines (`IP host...`).
        "Hosts" => pub hosts: Vec<String>,
        /// DNS settings.
        "DNSConfig" => pub dns_config: Option<DnsConfig>,
        /// Secrets given to the container.
        "Secrets" => pub secrets: Vec<SecretReference>,
        /// Configs given to the container.
        "Configs" => pub configs: Vec<ConfigReference>,
        /// Isolation technology (`default`, `process`, `hyperv`).
        "Isolation" => pub isolation: Option<String>,
        /// Namespaced kernel parameters.
        "Sysctls" => pub sysctls: BTreeMap<String, String>,
        /// Capabilities added to the default set.
        "CapabilityAdd" => pub capability_add: Vec<String>,
        /// Capabilities removed from the default set.
        "CapabilityDrop" => pub capability_drop: Vec<String>,
        /// Resource limits (`nofile`, ...).
        "Ulimits" => pub ulimits: Vec<Ulimit>,
        /// OOM killer score adjustment.
        "OomScoreAdj" => pub oom_score_adj: Option<i64>,
    }
}

model! {
    /// Security options of a container.
    pub struct Privileges {
        /// Windows credential spec.
        "CredentialSpec" => pub credential_spec: Option<CredentialSpec>,
        /// SELinux labels.
        "SELinuxContext" => pub selinux_context: Option<SeLinuxContext>,
        /// Seccomp mode and profile.
        "Seccomp" => pub seccomp: Option<SeccompOpts>,
        /// AppArmor mode.
        "AppArmor" => pub app_armor: Option<AppArmorOpts>,
        /// Forbid gaining privileges (setuid binaries).
        "NoNewPrivileges" => pub no_new_privileges: Option<bool>,
    }
}

model! {
    /// A Windows credential spec source (exactly one field is set).
    pub struct CredentialSpec {
        /// A swarm config holding the spec.
        "Config" => pub config: Option<String>,
        /// A file holding the spec.
        "File" => pub file: Option<String>,
        /// A registry value holding the spec.
        "Registry" => pub registry: Option<String>,
    }
}

model! {
    /// SELinux labels of a container.
    pub struct SeLinuxContext {
        /// Disable SELinux labelling.
        "Disable" => pub disable: Option<bool>,
        /// The SELinux user.
        "User" => pub user: Option<String>,
        /// The SELinux role.
        "Role" => pub role: Option<String>,
        /// The SELinux type.
        "Type" => pub r#type: Option<String>,
        /// The SELinux level.
        "Level" => pub level: Option<String>,
    }
}

model! {
    /// Seccomp settings.
    pub struct SeccompOpts {
        /// default, unconfined or custom.
        "Mode" => pub mode: Option<String>,
        /// The custom profile, base64 as the daemon sends it.
        "Profile" => pub profile: Option<String>,
    }
}

model! {
    /// AppArmor settings.
    pub struct AppArmorOpts {
        /// default or disabled.
        "Mode" => pub mode: Option<String>,
    }
}

model! {
    /// A mount in a container.
    pub struct Mount {
        /// bind, volume, tmpfs, npipe, cluster or image.
        "Type" => pub r#type: Option<MountType>,
        /// The host path, volume name or image reference.
        "Source" => pub source: Option<String>,
        /// The path in the container.
        "Target" => pub target: Option<String>,
        /// Mount read-only.
        "ReadOnly" => pub read_only: Option<bool>,
        /// Consistency requirement (`default`, `consistent`, `cached`, `delegated`).
        "Consistency" => pub consistency: Option<String>,
        /// Options for bind mounts.
        "BindOptions" => pub bind_options: Option<BindOptions>,
        /// Options for volume mounts.
        "VolumeOptions" => pub volume_options: Option<VolumeOptions>,
        /// Options for image mounts.
        "ImageOptions" => pub image_options: Option<ImageOptions>,
        /// Options for tmpfs mounts.
        "TmpfsOptions" => pub tmpfs_options: Option<TmpfsOptions>,
        /// Options for cluster volume mounts (currently an empty object).
        "ClusterOptions" => pub cluster_options: Option<ClusterOptions>,
    }
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

model! {
    /// Options for a bind mount.
    pub struct BindOptions {
        /// Mount propagation (`rprivate`, `shared`, ...).
        "Propagation" => pub propagation: Option<String>,
        /// Do not bind submounts.
        "NonRecursive" => pub non_recursive: Option<bool>,
        /// Create the mount point on the host if missing.
        "CreateMountpoint" => pub create_mountpoint: Option<bool>,
        /// Make submounts writable even when the mount is read-only.
        "ReadOnlyNonRecursive" => pub read_only_non_recursive: Option<bool>,
        /// Make submounts read-only too, or fail.
        "ReadOnlyForceRecursive" => pub read_only_force_recursive: Option<bool>,
    }
}

model! {
    /// Options for a volume mount.
    pub struct VolumeOptions {
        /// Do not copy the image's content into a new volume.
        "NoCopy" => pub no_copy: Option<bool>,
        /// Labels for a volume the mount creates.
        "Labels" => pub labels: BTreeMap<String, String>,
        /// A path inside the volume to mount instead of its root.
        "Subpath" => pub subpath: Option<String>,
        /// The volume driver and its options.
        "DriverConfig" => pub driver_config: Option<Driver>,
    }
}

model! {
    /// Options for an image mount.
    pub struct ImageOptions {
        /// A path inside the image to mount instead of its root.
        "Subpath" => pub subpath: Option<String>,
    }
}

model! {
    /// Options for a tmpfs mount.
    pub struct TmpfsOptions {
        /// Size limit in bytes.
        "SizeBytes" => pub size_bytes: Option<i64>,
        /// File mode of the tmpfs root (as an integer, e.g. 1777 octal = 1023).
        "Mode" => pub mode: Option<u32>,
        /// Raw mount options, each `[name]` or `[name, value]`.
        "Options" => pub options: Vec<Vec<String>>,
    }
}

model! {
    /// Options for a cluster volume mount; the daemon defines none yet.
    pub struct ClusterOptions {
    }
}
model! {
    /// A container health check.
    pub struct HealthConfig {
        /// The test: `[]` inherits, `["NONE"]` disables, `["CMD", ...]` or
        /// `["CMD-SHELL", "..."]` runs a command.
        "Test" => pub test: Vec<String>,
        /// Time between checks.
        "Interval" => pub interval: Option<NanoDuration>,
        /// How long a check may take.
        "Timeout" => pub timeout: Option<NanoDuration>,
        /// Grace period before failures count.
        "StartPeriod" => pub start_period: Option<NanoDuration>,
        /// Time between checks during the start period.
        "StartInterval" => pub start_interval: Option<NanoDuration>,
        /// Consecutive failures before the container is unhealthy.
        "Retries" => pub retries: Option<i64>,
    }
}

model! {
    /// DNS settings of a container.
    pub struct DnsConfig {
        /// Name servers.
        "Nameservers" => pub nameservers: Vec<String>,
        /// Search domains.
        "Search" => pub search: Vec<String>,
        /// Resolver options.
        "Options" => pub options: Vec<String>,
    }
}

model! {
    /// A secret given to a container.
    pub struct SecretReference {
        /// Where the secret appears in the container.
        "File" => pub file: Option<FileTarget>,
        /// The secret's ID.
        "SecretID" => pub secret_id: Option<String>,
        /// The secret's name.
        "SecretName" => pub secret_name: Option<String>,
    }
}

model! {
    /// A config given to a container.
    pub struct ConfigReference {
        /// Where the config appears in the container, as a file.
        "File" => pub file: Option<FileTarget>,
        /// The config is used by the runtime (credential specs), not mounted.
        "Runtime" => pub runtime: Option<RuntimeTarget>,
        /// The config's ID.
        "ConfigID" => pub config_id: Option<String>,
        /// The config's name.
        "ConfigName" => pub config_name: Option<String>,
    }
}

model! {
    /// A file target for a secret or config.
    pub struct FileTarget {
        /// The file name in the container.
        "Name" => pub name: Option<String>,
        /// Owner user ID, as a string.
        "UID" => pub uid: Option<String>,
        /// Owner group ID, as a string.
        "GID" => pub gid: Option<String>,
        /// File mode, as an integer.
        "Mode" => pub mode: Option<u32>,
    }
}

model! {
    /// A runtime target for a config; the daemon defines no fields.
    pub struct RuntimeTarget {
    }
}
model! {
    /// A resource limit in the container.
    pub struct Ulimit {
        /// The limit's name (`nofile`, `nproc`, ...).
        "Name" => pub name: Option<String>,
        /// The soft limit.
        "Soft" => pub soft: Option<i64>,
        /// The hard limit.
        "Hard" => pub hard: Option<i64>,
    }
}
