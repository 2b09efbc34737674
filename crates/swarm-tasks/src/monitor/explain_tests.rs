//! Unit tests of the reasons `explain` gives, one per kind of trouble.

use serde_json::json;

use super::*;

fn task(value: serde_json::Value) -> Task {
    serde_json::from_value(value).unwrap()
}

fn reasons(task: &Task) -> Vec<String> {
    explain_task(task, None, &[task], "web", &NameIndex::ids_only())
        .reasons
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn pending_gives_the_scheduler_message_and_constraints() {
    let pending = task(json!({
        "ID": "t1", "ServiceID": "s", "Slot": 1, "DesiredState": "running",
        "Spec": {"Placement": {"Constraints": ["node.labels.zone==mars"]}},
        "Status": {"State": "pending", "Message": "pending task scheduling",
                   "Err": "no suitable node (scheduling constraints not satisfied on 3 nodes)"}
    }));
    assert_eq!(
        reasons(&pending),
        [
            "pending: the scheduler cannot place it: no suitable node (scheduling constraints not satisfied on 3 nodes); placement constraints: node.labels.zone==mars"
        ]
    );
}

#[test]
fn rejected_keeps_the_whole_error() {
    let long = format!("No such image: registry.example/{}:latest", "x".repeat(200));
    let rejected = task(json!({"ID": "t", "Status": {"State": "rejected", "Err": long}}));
    assert_eq!(
        reasons(&rejected),
        [format!("rejected by the node: {long}")]
    );
}

#[test]
fn exit_137_with_a_memory_limit_is_likely_out_of_memory() {
    let killed = task(json!({
        "ID": "t", "Spec": {"Resources": {"Limits": {"MemoryBytes": 67108864}}},
        "Status": {"State": "failed", "Err": "task: non-zero exit (137)",
                   "ContainerStatus": {"ExitCode": 137}}
    }));
    assert_eq!(
        reasons(&killed),
        [
            "failed: exit code 137, killed (SIGKILL), most likely out of memory (memory limit 64 MiB); error: task: non-zero exit (137)"
        ]
    );
    let no_limit = task(
        json!({"ID": "t", "Status": {"State": "failed", "ContainerStatus": {"ExitCode": 137}}}),
    );
    assert_eq!(
        reasons(&no_limit),
        ["failed: exit code 137, killed (SIGKILL)"]
    );
}

#[test]
fn exit_143_is_terminated_and_others_are_plain() {
    let terminated = task(
        json!({"ID": "t", "Status": {"State": "failed", "ContainerStatus": {"ExitCode": 143}}}),
    );
    assert_eq!(
        reasons(&terminated),
        ["failed: exit code 143, terminated (SIGTERM)"]
    );
    let exited = task(
        json!({"ID": "t", "Status": {"State": "failed", "Err": "task: non-zero exit (3)", "ContainerStatus": {"ExitCode": 3}}}),
    );
    assert_eq!(
        reasons(&exited),
        ["failed: exit code 3; error: task: non-zero exit (3)"]
    );
}

#[test]
fn shutdown_and_orphaned() {
    let shutdown = task(
        json!({"ID": "t", "DesiredState": "shutdown", "Status": {"State": "shutdown", "Message": "shutdown"}}),
    );
    assert_eq!(reasons(&shutdown), ["shut down: shutdown"]);
    let orphaned = task(json!({"ID": "t", "Status": {"State": "orphaned"}}));
    assert_eq!(reasons(&orphaned), ["orphaned: the node it ran on is gone"]);
}

#[test]
fn three_failures_of_a_slot_within_the_window_are_a_restart_loop() {
    let failed = |id: &str, second: u32| {
        task(json!({
            "ID": id, "ServiceID": "s", "Slot": 2, "CreatedAt": format!("2024-01-01T00:00:{second:02}Z"),
            "Status": {"State": "failed", "Timestamp": format!("2024-01-01T00:00:{second:02}Z"),
                       "ContainerStatus": {"ExitCode": 1}}
        }))
    };
    let tasks = vec![failed("a", 1), failed("b", 20), failed("c", 40)];
    let history = slot_history(&tasks[2], &tasks);
    let explanation = explain_task(&tasks[2], None, &history, "web", &NameIndex::ids_only());
    assert_eq!(explanation.name, "web.2");
    assert_eq!(
        explanation.reasons[1].to_string(),
        "restarting in a loop: 3 failed tasks in this slot within 5m"
    );
    let two = slot_history(&tasks[2], &tasks[1..]);
    let explanation = explain_task(&tasks[2], None, &two, "web", &NameIndex::ids_only());
    assert_eq!(explanation.reasons.len(), 1);
}

#[test]
fn a_service_lists_only_slots_that_are_not_fine() {
    let service: Service = serde_json::from_value(json!({
        "ID": "s", "Spec": {"Name": "web", "Mode": {"Replicated": {"Replicas": 2}}},
        "ServiceStatus": {"RunningTasks": 1, "DesiredTasks": 2},
        "UpdateStatus": {"State": "paused", "Message": "update paused due to failure or early termination of task t2"}
    }))
    .unwrap();
    let tasks = vec![
        task(
            json!({"ID": "t1", "ServiceID": "s", "Slot": 1, "DesiredState": "running", "Status": {"State": "running"}}),
        ),
        task(
            json!({"ID": "t2", "ServiceID": "s", "Slot": 2, "DesiredState": "running",
                    "Status": {"State": "failed", "Err": "task: non-zero exit (1)", "ContainerStatus": {"ExitCode": 1}}}),
        ),
    ];
    let explained = explain_service(&service, &tasks, &[], &NameIndex::ids_only());
    assert_eq!(explained.tasks.len(), 1);
    assert_eq!(explained.tasks[0].name, "web.2");
    assert_eq!(
        explained.problems[0].to_string(),
        "the update paused: update paused due to failure or early termination of task t2"
    );
    assert_eq!((explained.running, explained.desired), (Some(1), Some(2)));
}
