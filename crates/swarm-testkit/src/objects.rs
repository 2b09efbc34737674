//! Builders for the JSON objects a Swarm manager sends: tasks, services, nodes, `/info` and
//! `/version` bodies, shaped like Docker Engine 20.10 (API 1.41) writes them.
//!
//! Both the hand-made sample swarm and the generated ones go through these builders, so the
//! shape of the JSON (which keys are always there, which are absent, how timestamps and IDs
//! look) is decided in one place. IDs and timestamps come from [`IdGen`] and [`Clock`], which
//! are deterministic so that a seed always gives the same swarm.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};

/// Deterministic generator of swarm object IDs (25 base36 characters) and container IDs.
#[derive(Debug, Clone)]
pub(crate) struct IdGen {
    state: u64,
}

impl IdGen {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            state: seed ^ 0x5DEE_CE66_D1CE_4E5B,
        }
    }

    /// The next pseudo-random number (splitmix64).
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// A swarm object ID: 25 characters of `[0-9a-z]`, like swarmkit's identity.NewID.
    pub(crate) fn swarm_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..25)
            .map(|_| char::from(ALPHABET[self.below(36) as usize]))
            .collect()
    }

    /// A container ID: 64 lowercase hex characters.
    pub(crate) fn container_id(&mut self) -> String {
        (0..4)
            .map(|_| format!("{:016x}", self.next_u64()))
            .collect()
    }
}

/// Deterministic timestamps: a fixed start plus nanosecond offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: DateTime<Utc>,
}

impl Clock {
    /// The clock used by the sample and generated swarms: 2026-11-20T09:00:00Z.
    pub(crate) fn standard() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
            .single()
            .unwrap_or_default();
        Self { start }
    }

    /// The timestamp `nanos` after the start, as Go's RFC3339Nano writes it.
    pub(crate) fn at(self, nanos: i64) -> String {
        let when = self.start + chrono::Duration::nanoseconds(nanos);
        swarm_models::Timestamp::from_datetime(when).to_string()
    }
}

/// What a service looks like to the builders.
#[derive(Debug, Clone)]
pub(crate) struct ServiceDef {
    pub id: String,
    pub name: String,
    pub labels: Value,
    /// The service's `Spec.TaskTemplate`.
    pub task_template: Value,
    /// The service's `Spec.Mode`.
    pub mode: Value,
    /// `Spec.EndpointSpec.Ports` (ingress or host mode).
    pub ports: Vec<Value>,
}

impl ServiceDef {
    /// A service running `image` with default restart policy and resources.
    pub(crate) fn new(id: String, name: &str, image: &str, mode: Value) -> Self {
        let task_template = json!({
            "ContainerSpec": {
                "Image": image,
                "Init": false,
                "StopGracePeriod": 10_000_000_000_i64,
                "DNSConfig": {},
                "Isolation": "default"
            },
            "Resources": {"Limits": {}, "Reservations": {}},
            "RestartPolicy": {"Condition": "any", "Delay": 5_000_000_000_i64, "MaxAttempts": 0},
            "Placement": {},
            "ForceUpdate": 0,
            "Runtime": "container"
        });
        Self {
            id,
            name: name.to_owned(),
            labels: json!({}),
            task_template,
            mode,
            ports: Vec::new(),
        }
    }

    /// The image of the task template.
    pub(crate) fn image(&self) -> &str {
        self.task_template["ContainerSpec"]["Image"]
            .as_str()
            .unwrap_or_default()
    }

    /// Sets a key of the task template's `ContainerSpec`.
    pub(crate) fn container(mut self, key: &str, value: Value) -> Self {
        if let Some(spec) = self.task_template["ContainerSpec"].as_object_mut() {
            spec.insert(key.to_owned(), value);
        }
        self
    }

    /// Sets a key of the task template.
    pub(crate) fn template(mut self, key: &str, value: Value) -> Self {
        if let Some(template) = self.task_template.as_object_mut() {
            template.insert(key.to_owned(), value);
        }
        self
    }
}

/// The `Spec.Mode` of a replicated service.
pub(crate) fn replicated(replicas: u64) -> Value {
    json!({"Replicated": {"Replicas": replicas}})
}

/// The `Spec.Mode` of a global service.
pub(crate) fn global() -> Value {
    json!({"Global": {}})
}

/// The service object as `GET /services/{id}` returns it.
pub(crate) fn service_json(def: &ServiceDef, version: u64, created: &str, updated: &str) -> Value {
    let update_config = json!({
        "Parallelism": 1,
        "FailureAction": "pause",
        "Monitor": 5_000_000_000_i64,
        "MaxFailureRatio": 0,
        "Order": "stop-first"
    });
    let mut spec = json!({
        "Name": def.name,
        "Labels": def.labels,
        "TaskTemplate": def.task_template,
        "Mode": def.mode,
    });
    let is_job = def.mode.get("ReplicatedJob").is_some() || def.mode.get("GlobalJob").is_some();
    if !is_job {
        spec["UpdateConfig"] = update_config.clone();
        spec["RollbackConfig"] = update_config;
    }
    spec["EndpointSpec"] = json!({"Mode": "vip"});
    let mut service = json!({
        "ID": def.id,
        "Version": {"Index": version},
        "CreatedAt": created,
        "UpdatedAt": updated,
        "Spec": spec,
        "Endpoint": {"Spec": {}},
    });
    if !def.ports.is_empty() {
        service["Spec"]["EndpointSpec"]["Ports"] = Value::Array(def.ports.clone());
        service["Endpoint"] = json!({
            "Spec": {"Mode": "vip", "Ports": def.ports},
            "Ports": def.ports,
            "VirtualIPs": [{"NetworkID": INGRESS_NETWORK_ID, "Addr": "10.0.0.3/24"}]
        });
    }
    service
}

/// The ID of the `ingress` network every sample swarm shares.
pub(crate) const INGRESS_NETWORK_ID: &str = "t946bjlbrrlg88yjo051sgew0";

/// One task, in the order of the fields the daemon writes.
#[derive(Debug, Clone)]
pub(crate) struct TaskDef<'a> {
    pub id: String,
    pub service: &'a ServiceDef,
    pub version: u64,
    pub created: String,
    pub updated: String,
    pub slot: Option<u64>,
    pub node_id: Option<String>,
    pub state: &'a str,
    pub desired: &'a str,
    pub message: &'a str,
    pub err: Option<String>,
    /// Container ID, PID and exit code; `None` writes the empty status of an unscheduled task.
    pub container: Option<(String, u64, i64)>,
    /// Host-mode ports published by this task.
    pub ports: Vec<Value>,
    /// The ingress address, for tasks attached to the ingress network.
    pub ingress_address: Option<String>,
    pub job_iteration: Option<u64>,
}

/// The task object as `GET /tasks/{id}` returns it.
pub(crate) fn task_json(def: &TaskDef<'_>) -> Value {
    let mut spec = def.service.task_template.clone();
    if let Some(fields) = spec.as_object_mut() {
        // The daemon does not copy these two from the service to the task.
        fields.remove("Runtime");
        if let Some(container) = fields
            .get_mut("ContainerSpec")
            .and_then(Value::as_object_mut)
        {
            container.remove("StopGracePeriod");
        }
    }
    let mut task = Map::new();
    task.insert("ID".into(), json!(def.id));
    task.insert("Version".into(), json!({"Index": def.version}));
    task.insert("CreatedAt".into(), json!(def.created));
    task.insert("UpdatedAt".into(), json!(def.updated));
    task.insert("Labels".into(), json!({}));
    task.insert("Spec".into(), spec);
    task.insert("ServiceID".into(), json!(def.service.id));
    if let Some(slot) = def.slot {
        task.insert("Slot".into(), json!(slot));
    }
    if let Some(node_id) = &def.node_id {
        task.insert("NodeID".into(), json!(node_id));
    }
    let mut status = Map::new();
    status.insert("Timestamp".into(), json!(def.updated));
    status.insert("State".into(), json!(def.state));
    status.insert("Message".into(), json!(def.message));
    if let Some(err) = &def.err {
        status.insert("Err".into(), json!(err));
    }
    let (container_id, pid, exit_code) = def.container.clone().unwrap_or_default();
    status.insert(
        "ContainerStatus".into(),
        json!({"ContainerID": container_id, "PID": pid, "ExitCode": exit_code}),
    );
    let port_status = if def.ports.is_empty() {
        json!({})
    } else {
        json!({ "Ports": def.ports })
    };
    status.insert("PortStatus".into(), port_status);
    task.insert("Status".into(), Value::Object(status));
    task.insert("DesiredState".into(), json!(def.desired));
    if let Some(address) = &def.ingress_address {
        task.insert(
            "NetworksAttachments".into(),
            json!([{"Network": ingress_network(), "Addresses": [address]}]),
        );
    }
    if let Some(iteration) = def.job_iteration {
        task.insert("JobIteration".into(), json!({"Index": iteration}));
    }
    Value::Object(task)
}

/// The `ingress` network object, as it appears in a task's `NetworksAttachments`.
pub(crate) fn ingress_network() -> Value {
    json!({
        "ID": INGRESS_NETWORK_ID,
        "Version": {"Index": 6},
        "CreatedAt": "2026-11-20T08:59:58.799071007Z",
        "UpdatedAt": "2026-11-20T08:59:58.816995089Z",
        "Spec": {
            "Name": "ingress",
            "Labels": {},
            "DriverConfiguration": {},
            "Ingress": true,
            "IPAMOptions": {"Driver": {}},
            "Scope": "swarm"
        },
        "DriverState": {
            "Name": "overlay",
            "Options": {"com.docker.network.driver.overlay.vxlanid_list": "4096"}
        },
        "IPAMOptions": {
            "Driver": {"Name": "default"},
            "Configs": [{"Subnet": "10.0.0.0/24", "Gateway": "10.0.0.1"}]
        }
    })
}

/// What a node looks like to the builders.
#[derive(Debug, Clone)]
pub(crate) struct NodeDef {
    pub id: String,
    pub hostname: String,
    pub manager: bool,
    pub leader: bool,
    pub addr: String,
    pub labels: Value,
    pub availability: &'static str,
    pub state: &'static str,
}

/// The node object as `GET /nodes/{id}` returns it.
pub(crate) fn node_json(def: &NodeDef, version: u64, created: &str, updated: &str) -> Value {
    let mut node = json!({
        "ID": def.id,
        "Version": {"Index": version},
        "CreatedAt": created,
        "UpdatedAt": updated,
        "Spec": {
            "Labels": def.labels,
            "Role": if def.manager { "manager" } else { "worker" },
            "Availability": def.availability
        },
        "Description": {
            "Hostname": def.hostname,
            "Platform": {"Architecture": "x86_64", "OS": "linux"},
            "Resources": {"NanoCPUs": 4_000_000_000_i64, "MemoryBytes": 8_246_337_536_i64},
            "Engine": {
                "EngineVersion": ENGINE_VERSION,
                "Plugins": [
                    {"Type": "Log", "Name": "json-file"},
                    {"Type": "Log", "Name": "local"},
                    {"Type": "Network", "Name": "bridge"},
                    {"Type": "Network", "Name": "host"},
                    {"Type": "Network", "Name": "overlay"},
                    {"Type": "Volume", "Name": "local"}
                ]
            },
            "TLSInfo": {
                "CertIssuerSubject": "MBMxETAPBgNVBAMTCHN3YXJtLWNh",
                "CertIssuerPublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWSuOOezCz1Pa4WcwHU+OSOZYQhshsaqrMcxQnerju/C/1qog7JveOR4DwOlKbz5ej141EyU0qzCttUhaQpLTeg=="
            }
        },
        "Status": {"State": def.state, "Addr": def.addr}
    });
    if def.manager {
        node["ManagerStatus"] = json!({
            "Leader": def.leader,
            "Reachability": "reachable",
            "Addr": format!("{}:2377", def.addr)
        });
    }
    node
}

/// The engine version the fake engine reports.
pub(crate) const ENGINE_VERSION: &str = "20.10.24";

/// A `GET /info` body for a manager node of a swarm with these nodes.
pub(crate) fn info_json(
    self_node: &NodeDef,
    n_nodes: usize,
    n_managers: usize,
    cluster_id: &str,
) -> Value {
    let plugins = json!({
        "Volume": ["local"],
        "Network": ["bridge", "host", "ipvlan", "macvlan", "null", "overlay"],
        "Authorization": null,
        "Log": ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "syslog"]
    });
    let registry = json!({
        "AllowNondistributableArtifactsCIDRs": [],
        "AllowNondistributableArtifactsHostnames": [],
        "InsecureRegistryCIDRs": ["127.0.0.0/8"],
        "IndexConfigs": {
            "docker.io": {"Name": "docker.io", "Mirrors": [], "Secure": true, "Official": true}
        },
        "Mirrors": []
    });
    let mut info = json!({
        "ID": "KWIR:WOEP:7BSH:XADC:OV2Z:BXST:S6IQ:ZSLP:ZAIH:XBSY:4KXX:F3NT",
        "Containers": 4,
        "ContainersRunning": 4,
        "ContainersPaused": 0,
        "ContainersStopped": 0,
        "Images": 6,
        "Driver": "overlay2",
        "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]],
        "Plugins": plugins,
        "MemoryLimit": true,
        "SwapLimit": true,
        "CpuCfsPeriod": true,
        "CpuCfsQuota": true,
        "CPUShares": true,
        "CPUSet": true,
        "PidsLimit": true,
        "IPv4Forwarding": true,
        "BridgeNfIptables": true,
        "BridgeNfIp6tables": true,
        "Debug": false,
        "NFd": 54,
        "OomKillDisable": true,
        "NGoroutines": 177,
        "SystemTime": "2026-11-20T09:30:00.057693526Z",
        "LoggingDriver": "json-file",
        "CgroupDriver": "systemd",
        "CgroupVersion": "2",
        "NEventsListener": 0,
        "KernelVersion": "6.1.0-27-amd64",
        "OperatingSystem": "Debian GNU/Linux 12 (bookworm)",
        "OSVersion": "12",
        "OSType": "linux",
        "Architecture": "x86_64",
        "IndexServerAddress": "https://index.docker.io/v1/",
        "RegistryConfig": registry,
    });
    let more = json!({
        "NCPU": 4,
        "MemTotal": 8_246_337_536_i64,
        "GenericResources": null,
        "DockerRootDir": "/var/lib/docker",
        "HttpProxy": "",
        "HttpsProxy": "",
        "NoProxy": "",
        "Name": self_node.hostname,
        "Labels": [],
        "ExperimentalBuild": false,
        "ServerVersion": ENGINE_VERSION,
        "Runtimes": {"runc": {"path": "runc"}},
        "DefaultRuntime": "runc",
        "LiveRestoreEnabled": false,
        "Isolation": "",
        "InitBinary": "docker-init",
        "SecurityOptions": ["name=seccomp,profile=default", "name=cgroupns"],
        "Warnings": null
    });
    if let (Some(info), Value::Object(more)) = (info.as_object_mut(), more) {
        info.extend(more);
    }
    info["Swarm"] = swarm_info(self_node, n_nodes, n_managers, cluster_id);
    info
}

/// The `Swarm` section of `/info` on a manager.
fn swarm_info(self_node: &NodeDef, n_nodes: usize, n_managers: usize, cluster_id: &str) -> Value {
    json!({
        "NodeID": self_node.id,
        "NodeAddr": self_node.addr,
        "LocalNodeState": "active",
        "ControlAvailable": true,
        "Error": "",
        "RemoteManagers": [{"NodeID": self_node.id, "Addr": format!("{}:2377", self_node.addr)}],
        "Nodes": n_nodes,
        "Managers": n_managers,
        "Cluster": {
            "ID": cluster_id,
            "Version": {"Index": 10},
            "CreatedAt": "2026-11-20T08:59:58.799020367Z",
            "UpdatedAt": "2026-11-20T08:59:58.918757476Z",
            "Spec": {
                "Name": "default",
                "Labels": {},
                "Orchestration": {"TaskHistoryRetentionLimit": 5},
                "Raft": {
                    "SnapshotInterval": 10000,
                    "KeepOldSnapshots": 0,
                    "LogEntriesForSlowFollowers": 500,
                    "ElectionTick": 10,
                    "HeartbeatTick": 1
                },
                "Dispatcher": {"HeartbeatPeriod": 5_000_000_000_i64},
                "CAConfig": {"NodeCertExpiry": 7_776_000_000_000_000_i64},
                "TaskDefaults": {},
                "EncryptionConfig": {"AutoLockManagers": false}
            },
            "TLSInfo": {
                "CertIssuerSubject": "MBMxETAPBgNVBAMTCHN3YXJtLWNh",
                "CertIssuerPublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWSuOOezCz1Pa4WcwHU+OSOZYQhshsaqrMcxQnerju/C/1qog7JveOR4DwOlKbz5ej141EyU0qzCttUhaQpLTeg=="
            },
            "RootRotationInProgress": false,
            "DefaultAddrPool": ["10.0.0.0/8"],
            "SubnetSize": 24,
            "DataPathPort": 4789
        }
    })
}

/// A `GET /version` body (`ApiVersion` is set by the engine when it answers).
pub(crate) fn version_json() -> Value {
    json!({
        "Platform": {"Name": "Docker Engine - Community"},
        "Components": [{
            "Name": "Engine",
            "Version": ENGINE_VERSION,
            "Details": {
                "ApiVersion": "1.41",
                "Arch": "amd64",
                "BuildTime": "2023-04-04T10:35:06.000000000+00:00",
                "Experimental": "false",
                "GitCommit": "5d6db84",
                "GoVersion": "go1.19.8",
                "KernelVersion": "6.1.0-27-amd64",
                "MinAPIVersion": "1.12",
                "Os": "linux"
            }
        }],
        "Version": ENGINE_VERSION,
        "ApiVersion": "1.41",
        "MinAPIVersion": "1.12",
        "GitCommit": "5d6db84",
        "GoVersion": "go1.19.8",
        "Os": "linux",
        "Arch": "amd64",
        "KernelVersion": "6.1.0-27-amd64",
        "BuildTime": "2023-04-04T10:35:06.000000000+00:00"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base36_and_deterministic() {
        let mut a = IdGen::new(7);
        let mut b = IdGen::new(7);
        let id = a.swarm_id();
        assert_eq!(id, b.swarm_id());
        assert_eq!(id.len(), 25);
        assert!(
            id.bytes()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        );
        assert_eq!(a.container_id().len(), 64);
    }

    #[test]
    fn clock_writes_go_rfc3339_nano() {
        let clock = Clock::standard();
        assert_eq!(clock.at(0), "2026-11-20T09:00:00Z");
        assert_eq!(clock.at(1_500_000_000), "2026-11-20T09:00:01.5Z");
        assert_eq!(clock.at(123), "2026-11-20T09:00:00.000000123Z");
    }

    #[test]
    fn global_task_has_no_slot_and_pending_task_no_node() {
        let service = ServiceDef::new("s".repeat(25), "mon", "busybox", global());
        let task = task_json(&TaskDef {
            id: "t".repeat(25),
            service: &service,
            version: 1,
            created: Clock::standard().at(0),
            updated: Clock::standard().at(1),
            slot: None,
            node_id: None,
            state: "pending",
            desired: "running",
            message: "pending task scheduling",
            err: Some("no suitable node".into()),
            container: None,
            ports: Vec::new(),
            ingress_address: None,
            job_iteration: None,
        });
        assert!(task.get("Slot").is_none());
        assert!(task.get("NodeID").is_none());
        assert!(task["Spec"].get("Runtime").is_none());
        assert_eq!(task["Status"]["ContainerStatus"]["ContainerID"], "");
        assert_eq!(task["Status"]["PortStatus"], json!({}));
    }
}
