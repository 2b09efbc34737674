//! `explain` over the recorded demo swarm, and `watch`/`wait` refusing a replay. (Timelines
//! of `wait` and `watch` are unit tests of `commands`, on a paused clock.)

use std::path::Path;

use crate::util::replay;

fn demo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm"))
}

#[test]
fn explain_a_service_names_the_missing_image() {
    let outcome = replay(demo(), &["explain", "broken"]);
    let stdout = outcome.ok();
    assert!(
        stdout.starts_with("service broken (replicated): 0 of 1 tasks running\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  - rejected by the node: No such image: swarm-tasks-missing:none\n"),
        "{stdout}"
    );
}

#[test]
fn explain_a_pending_service_gives_the_scheduler_message_and_constraints() {
    let outcome = replay(demo(), &["explain", "pending"]);
    assert!(
        outcome.ok().contains(
            "pending: the scheduler cannot place it: no suitable node (scheduling constraints not satisfied on 1 node); placement constraints: node.labels.tier==gpu"
        ),
        "{}",
        outcome.stdout
    );
}

#[test]
fn explain_a_task_by_id_prefix_and_as_json() {
    let ids = replay(demo(), &["service", "ps", "broken", "-q", "--no-trunc"]);
    let id = ids.ok().lines().next().unwrap().to_owned();
    let outcome = replay(demo(), &["explain", &id[..10], "--format", "json"]);
    let explained: serde_json::Value = serde_json::from_str(outcome.ok()).unwrap();
    assert_eq!(explained["kind"], "task");
    assert_eq!(explained["task_id"], id.as_str());
    assert_eq!(explained["reasons"][0]["reason"], "rejected");
    assert_eq!(
        explained["reasons"][0]["error"],
        "No such image: swarm-tasks-missing:none"
    );
}

#[test]
fn explain_of_nothing_is_1() {
    let outcome = replay(demo(), &["explain", "nope"]);
    outcome.code(1);
    assert_eq!(outcome.stderr_lines()[0], "swarm-tasks: no such task: nope");
}

#[test]
fn watch_and_wait_on_a_replay_are_usage_errors() {
    for args in [&["watch"][..], &["wait", "web"][..]] {
        let outcome = replay(demo(), args);
        outcome.code(2);
        assert!(
            outcome.stderr.contains("a snapshot, which never changes"),
            "{}",
            outcome.stderr
        );
    }
}
