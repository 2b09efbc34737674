//! Property and robustness tests of `Task` serialization: any task the models can hold
//! survives serialize-then-parse unchanged, and input from a newer daemon (unknown states,
//! unknown keys at any depth, `null` anywhere) parses without error.

// Tests: a panic is a failure. Values are built field by field from strategy tuples, which
// reads closer to the wire format than one struct literal per type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default
)]

use std::collections::BTreeMap;

use chrono::DateTime;
use proptest::collection::{btree_map, vec};
use proptest::option::of as opt;
use proptest::prelude::*;
use swarm_models::{
    ContainerSpec, ContainerStatus, DiscreteGenericResource, Driver, GenericResource, HealthConfig,
    Limit, Mount, MountType, NanoDuration, Network, NetworkAttachment, NetworkAttachmentConfig,
    NetworkAttachmentSpec, NetworkSpec, ObjectVersion, Placement, PlacementPreference, PortConfig,
    PortProtocol, PortStatus, PublishMode, ResourceRequirements, Resources, RestartCondition,
    RestartPolicy, Runtime, SpreadOver, Task, TaskSpec, TaskState, TaskStatus, Timestamp,
    VolumeAttachment,
};

/// Go's zero time and 9999-12-31T23:59:59Z, the range RFC 3339 can write.
const MIN_SECS: i64 = -62_135_596_800;
const MAX_SECS: i64 = 253_402_300_799;

fn timestamp() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        Just(Timestamp::unix_epoch()),
        Just(Timestamp::go_zero()),
        (MIN_SECS..=MAX_SECS, 0u32..1_000_000_000).prop_map(|(secs, nanos)| {
            Timestamp::from_datetime(DateTime::from_timestamp(secs, nanos).unwrap())
        }),
    ]
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn id() -> impl Strategy<Value = String> {
    "[a-z0-9]{25}"
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map("[a-z.]{1,10}", text(), 0..3)
}

fn strings() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

/// Any value of an open enum: a known one or arbitrary text (kept in the fallback).
fn open<T: for<'a> From<&'a str> + std::fmt::Debug>(
    known: &'static [&'static str],
) -> impl Strategy<Value = T> {
    prop_oneof![
        proptest::sample::select(known).prop_map(T::from),
        "[a-z_-]{0,12}".prop_map(|raw| T::from(raw.as_str())),
    ]
}

fn state() -> impl Strategy<Value = TaskState> {
    open::<TaskState>(TaskState::KNOWN)
}

fn duration() -> impl Strategy<Value = NanoDuration> {
    any::<i64>().prop_map(NanoDuration)
}

fn version() -> impl Strategy<Value = ObjectVersion> {
    any::<u64>().prop_map(|index| ObjectVersion {
        index,
        ..Default::default()
    })
}

fn port() -> impl Strategy<Value = PortConfig> {
    (
        opt(text()),
        opt(open::<PortProtocol>(PortProtocol::KNOWN)),
        opt(any::<u32>()),
        opt(any::<u32>()),
        opt(open::<PublishMode>(PublishMode::KNOWN)),
    )
        .prop_map(|(name, protocol, target, published, mode)| {
            let mut port = PortConfig::default();
            port.name = name;
            port.protocol = protocol;
            port.target_port = target;
            port.published_port = published;
            port.publish_mode = mode;
            port
        })
}

fn status() -> impl Strategy<Value = TaskStatus> {
    (
        opt(timestamp()),
        opt(state()),
        opt(text()),
        opt(text()),
        opt((opt(id()), opt(any::<i64>()), opt(any::<i64>()))),
        opt(vec(port(), 0..3)),
    )
        .prop_map(|(timestamp, state, message, err, container, ports)| {
            let mut status = TaskStatus::default();
            status.timestamp = timestamp;
            status.state = state;
            status.message = message;
            status.err = err;
            status.container_status = container.map(|(container_id, pid, exit_code)| {
                let mut container = ContainerStatus::default();
                container.container_id = container_id;
                container.pid = pid;
                container.exit_code = exit_code;
                container
            });
            status.port_status = ports.map(|ports| {
                let mut port_status = PortStatus::default();
                port_status.ports = ports;
                port_status
            });
            status
        })
}

fn container_spec() -> impl Strategy<Value = ContainerSpec> {
    (
        (opt(text()), labels(), strings(), strings(), strings()),
        (opt(text()), opt(any::<bool>()), opt(duration())),
        opt((
            strings(),
            opt(duration()),
            opt(duration()),
            opt(any::<i64>()),
        )),
        vec(
            (
                opt(open::<MountType>(MountType::KNOWN)),
                opt(text()),
                opt(text()),
            ),
            0..2,
        ),
    )
        .prop_map(
            |((image, labels, command, args, env), (dir, init, grace), health, mounts)| {
                let mut spec = ContainerSpec::default();
                spec.image = image;
                spec.labels = labels;
                spec.command = command;
                spec.args = args;
                spec.env = env;
                spec.dir = dir;
                spec.init = init;
                spec.stop_grace_period = grace;
                spec.healthcheck = health.map(|(test, interval, timeout, retries)| {
                    let mut health = HealthConfig::default();
                    health.test = test;
                    health.interval = interval;
                    health.timeout = timeout;
                    health.retries = retries;
                    health
                });
                spec.mounts = mounts
                    .into_iter()
                    .map(|(kind, source, target)| {
                        let mut mount = Mount::default();
                        mount.r#type = kind;
                        mount.source = source;
                        mount.target = target;
                        mount
                    })
                    .collect();
                spec
            },
        )
}

fn resources() -> impl Strategy<Value = ResourceRequirements> {
    (
        opt((opt(any::<i64>()), opt(any::<i64>()), opt(any::<i64>()))),
        opt((
            opt(any::<i64>()),
            opt(any::<i64>()),
            vec((opt(text()), opt(any::<i64>())), 0..2),
        )),
        opt(any::<i64>()),
    )
        .prop_map(|(limits, reservations, swap)| {
            let mut requirements = ResourceRequirements::default();
            requirements.limits = limits.map(|(nano_cpus, memory_bytes, pids)| {
                let mut limit = Limit::default();
                limit.nano_cpus = nano_cpus;
                limit.memory_bytes = memory_bytes;
                limit.pids = pids;
                limit
            });
            requirements.reservations = reservations.map(|(nano_cpus, memory_bytes, generic)| {
                let mut reserved = Resources::default();
                reserved.nano_cpus = nano_cpus;
                reserved.memory_bytes = memory_bytes;
                reserved.generic_resources = generic.into_iter().map(discrete).collect();
                reserved
            });
            requirements.swap_bytes = swap;
            requirements
        })
}

fn discrete((kind, value): (Option<String>, Option<i64>)) -> GenericResource {
    let mut spec = DiscreteGenericResource::default();
    spec.kind = kind;
    spec.value = value;
    let mut resource = GenericResource::default();
    resource.discrete_resource_spec = Some(spec);
    resource
}

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (
        opt(container_spec()),
        opt(opt(id())),
        opt(resources()),
        opt((
            opt(open::<RestartCondition>(RestartCondition::KNOWN)),
            opt(duration()),
            opt(any::<u64>()),
        )),
        opt((strings(), vec(opt(text()), 0..2), opt(any::<u64>()))),
        vec((opt(id()), strings(), labels()), 0..2),
        opt((opt(text()), labels())),
        opt(any::<u64>()),
        opt(open::<Runtime>(Runtime::KNOWN)),
    )
        .prop_map(
            |(
                container,
                attachment,
                resources,
                restart,
                placement,
                networks,
                log,
                force,
                runtime,
            )| {
                let mut spec = TaskSpec::default();
                spec.container_spec = container;
                spec.network_attachment_spec = attachment.map(|container_id| {
                    let mut attachment = NetworkAttachmentSpec::default();
                    attachment.container_id = container_id;
                    attachment
                });
                spec.resources = resources;
                spec.restart_policy = restart.map(|(condition, delay, max_attempts)| {
                    let mut policy = RestartPolicy::default();
                    policy.condition = condition;
                    policy.delay = delay;
                    policy.max_attempts = max_attempts;
                    policy
                });
                spec.placement = placement.map(|(constraints, spreads, max_replicas)| {
                    let mut placement = Placement::default();
                    placement.constraints = constraints;
                    placement.preferences = spreads
                        .into_iter()
                        .map(|descriptor| {
                            let mut spread = SpreadOver::default();
                            spread.spread_descriptor = descriptor;
                            let mut preference = PlacementPreference::default();
                            preference.spread = Some(spread);
                            preference
                        })
                        .collect();
                    placement.max_replicas = max_replicas;
                    placement
                });
                spec.networks = networks
                    .into_iter()
                    .map(|(target, aliases, driver_opts)| {
                        let mut network = NetworkAttachmentConfig::default();
                        network.target = target;
                        network.aliases = aliases;
                        network.driver_opts = driver_opts;
                        network
                    })
                    .collect();
                spec.log_driver = log.map(|(name, options)| {
                    let mut driver = Driver::default();
                    driver.name = name;
                    driver.options = options;
                    driver
                });
                spec.force_update = force;
                spec.runtime = runtime;
                spec
            },
        )
}

fn network_attachment() -> impl Strategy<Value = NetworkAttachment> {
    (
        opt((
            opt(id()),
            opt(version()),
            opt(timestamp()),
            opt((opt(text()), labels())),
        )),
        strings(),
    )
        .prop_map(|(network, addresses)| {
            let mut attachment = NetworkAttachment::default();
            attachment.network = network.map(|(id, version, created_at, spec)| {
                let mut network = Network::default();
                network.id = id;
                network.version = version;
                network.created_at = created_at;
                network.spec = spec.map(|(name, labels)| {
                    let mut spec = NetworkSpec::default();
                    spec.name = name;
                    spec.labels = labels;
                    spec
                });
                network.into()
            });
            attachment.addresses = addresses;
            attachment
        })
}

fn task() -> impl Strategy<Value = Task> {
    (
        (
            id(),
            opt(version()),
            opt(timestamp()),
            opt(timestamp()),
            opt(text()),
            labels(),
        ),
        (
            task_spec(),
            opt(id()),
            opt(any::<u64>()),
            opt(id()),
            status(),
            opt(state()),
        ),
        (
            vec(network_attachment(), 0..2),
            opt(version()),
            vec((opt(id()), opt(text()), opt(text())), 0..2),
            vec((opt(text()), opt(any::<i64>())), 0..2),
        ),
    )
        .prop_map(|(head, body, tail)| {
            let (id, version, created_at, updated_at, name, labels) = head;
            let (spec, service_id, slot, node_id, status, desired_state) = body;
            let (networks_attachments, job_iteration, volumes, generic) = tail;
            let mut task = Task::default();
            task.id = id;
            task.version = version;
            task.created_at = created_at;
            task.updated_at = updated_at;
            task.name = name;
            task.labels = labels;
            task.spec = spec.into();
            task.service_id = service_id;
            task.slot = slot;
            task.node_id = node_id;
            task.status = status;
            task.desired_state = desired_state;
            task.networks_attachments = networks_attachments;
            task.job_iteration = job_iteration;
            task.volumes = volumes
                .into_iter()
                .map(|(id, source, target)| {
                    let mut volume = VolumeAttachment::default();
                    volume.id = id;
                    volume.source = source;
                    volume.target = target;
                    volume
                })
                .collect();
            task.generic_resources = generic.into_iter().map(discrete).collect();
            task
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn task_survives_serialize_then_parse(task in task()) {
        let bytes = serde_json::to_vec(&task).unwrap();
        let parsed: Task = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(&parsed, &task);
        // And the second round writes the very same bytes.
        prop_assert_eq!(serde_json::to_vec(&parsed).unwrap(), bytes);
    }

    #[test]
    fn timestamp_text_round_trips(ts in timestamp()) {
        let text = ts.to_string();
        prop_assert_eq!(text.parse::<Timestamp>().unwrap(), ts);
    }
}

#[test]
fn unknown_states_and_keys_at_every_depth_parse() {
    let body = br#"[
      {"ID": "t1", "FutureTopLevel": {"a": [1, 2]}, "DesiredState": "levitating",
       "Spec": {"Brand": "new", "ContainerSpec": {"Image": "busybox", "NewThing": [{"x": null}]},
                "Placement": {"Constraints": ["node.role==manager"], "Extra": null},
                "RestartPolicy": {"Condition": "when-bored", "Delay": 5000000000}},
       "Status": {"State": "hibernating", "Shiny": true, "Timestamp": "2024-05-01T10:00:00.123456789Z",
                  "ContainerStatus": {"ExitCode": 0, "Extra": "x"},
                  "PortStatus": {"Ports": [{"TargetPort": 80, "Protocol": "quic", "Weird": 1}]}},
       "NetworksAttachments": [{"Network": {"ID": "n1", "Spec": {"Name": "ingress", "Unknown": {}}},
                                "Addresses": ["10.0.0.2/24"], "Zzz": 1}]},
      {"ID": "t2", "Status": {"State": "running"}}
    ]"#;
    let tasks: Vec<Task> = serde_json::from_slice(body).unwrap();
    assert_eq!(tasks.len(), 2, "one unknown state must not fail the list");
    let task = &tasks[0];
    assert_eq!(
        task.state(),
        Some(&TaskState::Unknown("hibernating".into()))
    );
    assert_eq!(
        task.desired_state,
        Some(TaskState::Unknown("levitating".into()))
    );
    assert_eq!(task.image(), Some("busybox"));
    let condition = task
        .spec
        .restart_policy
        .as_ref()
        .and_then(|p| p.condition.clone());
    assert_eq!(
        condition,
        Some(RestartCondition::Other("when-bored".into()))
    );
    let ports = &task.status.port_status.as_ref().unwrap().ports;
    assert_eq!(ports[0].protocol, Some(PortProtocol::Other("quic".into())));
    assert_eq!(
        task.status
            .timestamp
            .unwrap()
            .as_datetime()
            .timestamp_subsec_nanos(),
        123_456_789
    );
    assert_eq!(tasks[1].state(), Some(&TaskState::Running));

    // Unknown values are written back unchanged.
    let out = serde_json::to_value(task).unwrap();
    assert_eq!(out["Status"]["State"], "hibernating");
    assert_eq!(out["DesiredState"], "levitating");
    assert_eq!(out["Spec"]["RestartPolicy"]["Condition"], "when-bored");
    assert_eq!(out["Status"]["PortStatus"]["Ports"][0]["Protocol"], "quic");
}

#[test]
fn null_reads_like_absent_everywhere() {
    let body = br#"{"ID": "t1", "Labels": null, "Spec": null, "Volumes": null, "Slot": null,
                   "NetworksAttachments": null, "GenericResources": null, "JobIteration": null,
                   "Status": {"State": null, "PortStatus": null, "ContainerStatus": null}}"#;
    let task: Task = serde_json::from_slice(body).unwrap();
    assert_eq!(task.id, "t1");
    assert_eq!(task.state(), None);
    assert!(task.labels.is_empty() && task.volumes.is_empty());
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        serde_json::json!({"ID": "t1", "Spec": {}, "Status": {}})
    );
}

#[test]
fn swagger_name_of_generic_resources_is_read() {
    let body = br#"{"ID": "t1", "AssignedGenericResources": [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}]}"#;
    let task: Task = serde_json::from_slice(body).unwrap();
    assert_eq!(
        task.generic_resources,
        vec![discrete((Some("gpu".into()), Some(2)))]
    );
    let out = serde_json::to_value(&task).unwrap();
    assert_eq!(
        out["GenericResources"][0]["DiscreteResourceSpec"]["Value"],
        2
    );
}
