//! Unit tests of [`super`]: names, natural order, history grouping, options.

use std::cmp::Ordering;

use serde_json::json;
use swarm_models::{Node, Service, Task, TaskState};

use super::*;
use crate::ps::PsOptions;

fn task(
    id: &str,
    service: &str,
    slot: Option<u64>,
    node: &str,
    created: &str,
    state: &str,
) -> Task {
    let mut value = json!({
        "ID": id, "ServiceID": service, "NodeID": node,
        "CreatedAt": created, "DesiredState": "running",
        "Spec": {"ContainerSpec": {"Image": "busybox:1.36@sha256:0123"}},
        "Status": {"State": state, "Timestamp": created, "Err": if state == "failed" { "task: non-zero exit (1)" } else { "" },
                   "PortStatus": {"Ports": [{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "host"}]}}
    });
    if let Some(slot) = slot {
        value["Slot"] = json!(slot);
    }
    serde_json::from_value(value).unwrap()
}

fn names() -> NameIndex {
    let services: Vec<Service> = serde_json::from_value(json!([
        {"ID": "svc-web", "Spec": {"Name": "web"}},
        {"ID": "svc-agent", "Spec": {"Name": "agent", "Mode": {"Global": {}}}}
    ]))
    .unwrap();
    let nodes: Vec<Node> = serde_json::from_value(json!([
        {"ID": "node-a", "Description": {"Hostname": "alpha"}},
        {"ID": "node-b", "Description": {"Hostname": "beta"}}
    ]))
    .unwrap();
    NameIndex::new(&services, &nodes)
}

fn sample() -> Vec<Task> {
    vec![
        task(
            "t10",
            "svc-web",
            Some(10),
            "node-a",
            "2024-01-01T00:00:10Z",
            "running",
        ),
        task(
            "t2-old",
            "svc-web",
            Some(2),
            "node-a",
            "2024-01-01T00:00:01Z",
            "failed",
        ),
        task(
            "t2-new",
            "svc-web",
            Some(2),
            "node-b",
            "2024-01-01T00:00:05Z",
            "running",
        ),
        task(
            "t2-mid",
            "svc-web",
            Some(2),
            "node-b",
            "2024-01-01T00:00:03Z",
            "shutdown",
        ),
        task(
            "g-b",
            "svc-agent",
            None,
            "node-b",
            "2024-01-01T00:00:02Z",
            "running",
        ),
        task(
            "g-a",
            "svc-agent",
            None,
            "node-a",
            "2024-01-01T00:00:02Z",
            "failed",
        ),
    ]
}

fn ids(rows: &[TaskRow]) -> Vec<(&str, bool)> {
    rows.iter()
        .map(|row| (row.task.id.as_str(), row.is_history))
        .collect()
}

#[test]
fn natural_order_compares_numbers_as_numbers() {
    assert_eq!(natural_cmp("web.2", "web.10"), Ordering::Less);
    assert_eq!(natural_cmp("web.10", "web.9"), Ordering::Greater);
    assert_eq!(natural_cmp("web.2", "web.2"), Ordering::Equal);
    assert_eq!(natural_cmp("web-api.1", "web.1"), Ordering::Less);
    assert_eq!(natural_cmp("a.01", "a.1"), Ordering::Greater);
    assert_eq!(natural_cmp("a", "a.1"), Ordering::Less);
    assert_eq!(natural_cmp("a2b10", "a2b9"), Ordering::Greater);
    assert_eq!(
        natural_cmp("a99999999999999999999999", "a100000000000000000000000"),
        Ordering::Less
    );
}

#[test]
fn names_follow_docker_for_replicated_global_and_jobs() {
    let replicated = task(
        "t",
        "svc-web",
        Some(3),
        "node-a",
        "2024-01-01T00:00:00Z",
        "running",
    );
    assert_eq!(replicated.display_name("web"), "web.3");
    // Global services and global jobs have no slot (or slot 0): docker uses the node ID.
    let global = task(
        "t",
        "svc-agent",
        None,
        "node-a",
        "2024-01-01T00:00:00Z",
        "running",
    );
    assert_eq!(global.display_name("agent"), "agent.node-a");
    let global_job = task(
        "t",
        "svc-agent",
        Some(0),
        "node-b",
        "2024-01-01T00:00:00Z",
        "complete",
    );
    assert_eq!(global_job.display_name("once"), "once.node-b");
    // Replicated jobs have slots like replicated services.
    let replicated_job = task(
        "t",
        "svc-job",
        Some(4),
        "node-a",
        "2024-01-01T00:00:00Z",
        "complete",
    );
    assert_eq!(replicated_job.display_name("migrate"), "migrate.4");
    // A global task not yet assigned has an empty node part, as in docker.
    let unassigned = Task {
        slot: None,
        node_id: None,
        ..Task::default()
    };
    assert_eq!(unassigned.display_name("agent"), "agent.");
}

#[test]
fn rows_sort_naturally_then_newest_first_with_history() {
    let rows = build_rows(sample(), &names(), &PsOptions::default());
    assert_eq!(
        ids(&rows),
        [
            ("g-a", false),
            ("g-b", false),
            ("t2-new", false),
            ("t2-mid", true),
            ("t2-old", true),
            ("t10", false),
        ]
    );
    let first_web = &rows[2];
    assert_eq!(first_web.name, "web.2");
    assert_eq!(first_web.service_name, "web");
    assert_eq!(first_web.node_name.as_deref(), Some("beta"));
    assert_eq!(first_web.current_state, Some(TaskState::Running));
    assert_eq!(first_web.desired_state, Some(TaskState::Running));
    assert_eq!(
        first_web.since.map(|ts| ts.to_string()).as_deref(),
        Some("2024-01-01T00:00:05Z")
    );
    assert_eq!(first_web.ports.len(), 1);
    assert_eq!(first_web.image.as_deref(), Some("busybox:1.36@sha256:0123"));
    assert_eq!(first_web.display_image().as_deref(), Some("busybox:1.36"));
    assert_eq!(rows[0].name, "agent.node-a");
    assert_eq!(rows[4].error.as_deref(), Some("task: non-zero exit (1)"));
    assert_eq!(rows[2].error, None);
}

#[test]
fn latest_keeps_the_newest_task_of_each_slot() {
    let options = PsOptions {
        latest: true,
        ..PsOptions::default()
    };
    let rows = build_rows(sample(), &names(), &options);
    assert_eq!(
        ids(&rows),
        [
            ("g-a", false),
            ("g-b", false),
            ("t2-new", false),
            ("t10", false)
        ]
    );
}

#[test]
fn states_filter_on_current_state_and_regroups() {
    let options = PsOptions {
        states: vec![TaskState::Failed],
        ..PsOptions::default()
    };
    let rows = build_rows(sample(), &names(), &options);
    // t2-old is the only failed task of slot 2 left, so it heads its group.
    assert_eq!(ids(&rows), [("g-a", false), ("t2-old", false)]);
    // With latest, only slots whose newest task failed remain.
    let options = PsOptions {
        states: vec![TaskState::Failed],
        latest: true,
        ..PsOptions::default()
    };
    assert_eq!(
        ids(&build_rows(sample(), &names(), &options)),
        [("g-a", false)]
    );
}

#[test]
fn no_resolve_shows_ids() {
    let options = PsOptions {
        no_resolve: true,
        ..PsOptions::default()
    };
    let rows = build_rows(sample(), &names(), &options);
    assert_eq!(rows[0].name, "svc-agent.node-a");
    assert_eq!(rows[0].service_name, "svc-agent");
    assert_eq!(rows[0].node_name.as_deref(), Some("node-a"));
}

#[test]
fn unknown_services_and_nodes_fall_back_to_ids() {
    let tasks = vec![task(
        "x",
        "svc-gone",
        Some(1),
        "node-gone",
        "2024-01-01T00:00:00Z",
        "running",
    )];
    let rows = build_rows(tasks, &names(), &PsOptions::default());
    assert_eq!(rows[0].name, "svc-gone.1");
    assert_eq!(rows[0].node_name.as_deref(), Some("node-gone"));
    let pending = Task {
        id: "p".into(),
        service_id: Some("svc-web".into()),
        slot: Some(1),
        ..Task::default()
    };
    let rows = build_rows(vec![pending], &names(), &PsOptions::default());
    assert_eq!(rows[0].node_name, None);
    assert_eq!(rows[0].current_state, None);
}

#[test]
fn equal_names_and_times_keep_input_order() {
    let tasks = vec![
        task(
            "first",
            "svc-web",
            Some(1),
            "node-a",
            "2024-01-01T00:00:00Z",
            "running",
        ),
        task(
            "second",
            "svc-web",
            Some(1),
            "node-a",
            "2024-01-01T00:00:00Z",
            "running",
        ),
    ];
    let rows = build_rows(tasks, &names(), &PsOptions::default());
    assert_eq!(ids(&rows), [("first", false), ("second", true)]);
}

#[test]
fn display_image_strips_digest_only_with_a_tag() {
    assert_eq!(display_image("busybox:1.36@sha256:abc"), "busybox:1.36");
    assert_eq!(display_image("busybox@sha256:abc"), "busybox@sha256:abc");
    assert_eq!(
        display_image("registry:5000/team/app@sha256:abc"),
        "registry:5000/team/app@sha256:abc"
    );
    assert_eq!(
        display_image("registry:5000/team/app:v2@sha256:abc"),
        "registry:5000/team/app:v2"
    );
    assert_eq!(display_image("docker.io/library/nginx:1.25"), "nginx:1.25");
    assert_eq!(
        display_image("docker.io/grafana/grafana:10"),
        "grafana/grafana:10"
    );
    assert_eq!(display_image("quay.io/x/y"), "quay.io/x/y");
}

#[test]
fn images_lose_digest_and_default_registry() {
    let cases = [
        ("nginx:1.25@sha256:0123abcd", "nginx:1.25"),
        ("docker.io/library/nginx:1.25", "nginx:1.25"),
        ("docker.io/team/app:v2@sha256:aa", "team/app:v2"),
        ("library/busybox:1.36", "busybox:1.36"),
        (
            "registry.example:5000/app:v1@sha256:ff",
            "registry.example:5000/app:v1",
        ),
        ("localhost:5000/app:dev", "localhost:5000/app:dev"),
        // No tag: docker leaves the reference alone, digest included.
        ("busybox@sha256:0123", "busybox@sha256:0123"),
        ("busybox", "busybox"),
        ("registry.example:5000/app", "registry.example:5000/app"),
        // Not a reference: unchanged.
        ("Not An Image:1", "Not An Image:1"),
    ];
    for (image, shown) in cases {
        assert_eq!(display_image(image), shown, "{image}");
    }
}
