//! `wait` failures beyond the update state: a one-shot task that fails, a service removed
//! mid-wait. Simulated timelines on tokio's paused clock, like `monitor_wait.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use serde_json::json;
use swarm_tasks::Client;
use swarm_tasks::monitor::{Failure, ServiceResult, WaitConfig};
use swarm_testkit::sim::{self, SimSwarm};

fn one_service(tasks: Vec<serde_json::Value>) -> SimSwarm {
    SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "once", sim::replicated(1))],
        tasks,
        vec![sim::node("n1", "vm", "active")],
    ))
}

#[tokio::test(start_paused = true)]
async fn a_failed_one_shot_task_is_a_failure_at_once() {
    let sim = one_service(vec![sim::task(
        "o1", "s1", 1, "n1", "running", "running", 1,
    )]);
    sim.at(Duration::ZERO, |swarm| {
        swarm.services_mut()[0]["Spec"]["TaskTemplate"]["RestartPolicy"] =
            json!({"Condition": "none"});
    });
    sim.at(Duration::from_secs(2), |swarm| {
        swarm.set_task_state("o1", "failed", "task: non-zero exit (9)");
        swarm.set_task_err("o1", Some("task: non-zero exit (9)"));
    });
    let outcome = Client::new(sim.transport())
        .wait(
            &["once".to_owned()],
            WaitConfig::default().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap();
    let ServiceResult::Failed(failure @ Failure::TaskFailed { task }) = &outcome.services[0].result
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        failure.to_string(),
        "task once.1 failed and will not be restarted (restart condition none)"
    );
    assert!(
        task.summary().contains("non-zero exit (9)"),
        "{}",
        task.summary()
    );
}

#[tokio::test(start_paused = true)]
async fn a_service_removed_mid_wait_is_a_failure() {
    let sim = one_service(vec![sim::task(
        "t1", "s1", 1, "n1", "starting", "running", 1,
    )]);
    sim.at(Duration::from_secs(2), |swarm| {
        swarm.services_mut().clear();
        swarm.tasks_mut().clear();
    });
    let outcome = Client::new(sim.transport())
        .wait(
            &["once".to_owned()],
            WaitConfig::default().timeout(Duration::from_secs(60)),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome.services[0].result,
        ServiceResult::Failed(Failure::Removed),
        "{outcome:?}"
    );
}
