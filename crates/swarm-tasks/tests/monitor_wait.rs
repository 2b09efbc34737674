//! `wait` on simulated timelines: each scenario of issue 10 scripted on a `SimSwarm` and run
//! on tokio's paused clock, so the windows and deadlines are simulated time, never slept.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use serde_json::{Value, json};
use swarm_tasks::Client;
use swarm_tasks::models::UpdateState;
use swarm_tasks::monitor::{Failure, ServiceResult, WaitConfig, WaitOutcome};
use swarm_testkit::FakeSwarm;
use swarm_testkit::sim::{self, SimSwarm};
use tokio::time::Instant;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn wait(sim: &SimSwarm, services: &[&str], config: WaitConfig) -> (WaitOutcome, Duration) {
    let start = Instant::now();
    let args: Vec<String> = services.iter().map(|name| (*name).to_owned()).collect();
    let outcome = Client::new(sim.transport())
        .wait(&args, config)
        .await
        .unwrap();
    (outcome, start.elapsed())
}

fn result(outcome: &WaitOutcome) -> &ServiceResult {
    &outcome.services[0].result
}

fn set_image(task: &mut Value, image: &str) {
    task["Spec"]["ContainerSpec"]["Image"] = json!(image);
}

fn add_task(swarm: &mut FakeSwarm, task: Value) {
    swarm.tasks_mut().push(task);
}

fn web(replicas: u64, tasks: Vec<Value>) -> FakeSwarm {
    sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(replicas))],
        tasks,
        vec![sim::node("n1", "vm", "active")],
    )
}

fn set_update(swarm: &mut FakeSwarm, state: &str, started: &str) {
    swarm.services_mut()[0]["UpdateStatus"] =
        json!({"State": state, "StartedAt": started, "Message": format!("update {state}")});
}

fn set_template_image(swarm: &mut FakeSwarm, image: &str) {
    swarm.services_mut()[0]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = json!(image);
}

/// Replaces slot `slot`'s task `old` by `new` running `image`, as a rolling update does.
fn replace(
    swarm: &mut FakeSwarm,
    old: &str,
    new: &str,
    slot: u64,
    image: &str,
    state: &str,
    second: u32,
) {
    swarm.set_desired_state(old, "shutdown");
    swarm.set_task_state(old, "shutdown", "shutdown");
    let mut task = sim::task(new, "s1", slot, "n1", state, "running", second);
    set_image(&mut task, image);
    add_task(swarm, task);
}

#[tokio::test(start_paused = true)]
async fn replicated_scale_up_converges_after_the_window() {
    let sim = SimSwarm::new(web(
        1,
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
    ));
    sim.at(ms(700), |swarm| {
        swarm.services_mut()[0]["Spec"]["Mode"] = sim::replicated(3);
        add_task(swarm, sim::task("t2", "s1", 2, "n1", "new", "running", 2));
        add_task(swarm, sim::task("t3", "s1", 3, "n1", "new", "running", 3));
    });
    sim.at(secs(2), |swarm| {
        swarm.set_task_state("t2", "running", "started");
        swarm.set_task_state("t3", "running", "started");
    });
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(7) && elapsed < secs(9), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rolling_update_converges_only_once_the_new_tasks_are_stable() {
    let mut swarm = web(
        2,
        vec![
            sim::task("a1", "s1", 1, "n1", "running", "running", 1),
            sim::task("a2", "s1", 2, "n1", "running", "running", 2),
        ],
    );
    set_template_image(&mut swarm, "app:2");
    set_update(&mut swarm, "updating", "2024-01-01T01:00:00Z");
    let sim = SimSwarm::new(swarm);
    sim.at(secs(1), |swarm| {
        replace(swarm, "a1", "b1", 1, "app:2", "starting", 10)
    });
    sim.at(secs(2), |swarm| {
        swarm.set_task_state("b1", "running", "started");
    });
    sim.at(secs(3), |swarm| {
        replace(swarm, "a2", "b2", 2, "app:2", "starting", 11)
    });
    sim.at(secs(4), |swarm| {
        swarm.set_task_state("b2", "running", "started");
        set_update(swarm, "completed", "2024-01-01T01:00:00Z");
    });
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(9) && elapsed < secs(11), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_task_dying_inside_the_window_restarts_it() {
    let sim = SimSwarm::new(web(
        2,
        vec![
            sim::task("t1", "s1", 1, "n1", "running", "running", 1),
            sim::task("t2", "s1", 2, "n1", "starting", "running", 2),
        ],
    ));
    sim.at(secs(1), |swarm| {
        swarm.set_task_state("t2", "running", "started");
    });
    sim.at(secs(4), |swarm| {
        swarm.set_task_state("t2", "failed", "started");
        swarm.set_desired_state("t2", "shutdown");
        add_task(
            swarm,
            sim::task("t3", "s1", 2, "n1", "starting", "running", 5),
        );
    });
    sim.at(secs(5), |swarm| {
        swarm.set_task_state("t3", "running", "started");
    });
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(10) && elapsed < secs(12), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_paused_update_fails_naming_the_task_and_its_error() {
    let mut swarm = web(
        1,
        vec![sim::task("a1", "s1", 1, "n1", "running", "running", 1)],
    );
    set_template_image(&mut swarm, "app:2");
    set_update(&mut swarm, "updating", "2024-01-01T01:00:00Z");
    let sim = SimSwarm::new(swarm);
    sim.at(secs(1), |swarm| {
        replace(swarm, "a1", "b1", 1, "app:2", "failed", 10);
        swarm.set_task_err("b1", Some("task: non-zero exit (1)"));
        swarm.services_mut()[0]["UpdateStatus"] = json!({
            "State": "paused", "StartedAt": "2024-01-01T01:00:00Z",
            "Message": "update paused due to failure or early termination of task b1"
        });
    });
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default()).await;
    let ServiceResult::Failed(Failure::UpdatePaused { message, tasks }) = result(&outcome) else {
        panic!("{outcome:?}")
    };
    assert!(message.as_deref().unwrap_or_default().contains("task b1"));
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].name, "web.1");
    assert!(
        tasks[0].summary().contains("task: non-zero exit (1)"),
        "{}",
        tasks[0].summary()
    );
    assert!(elapsed < secs(3), "{elapsed:?}");
}

fn rolling_back() -> SimSwarm {
    let mut swarm = web(
        1,
        vec![sim::task("a1", "s1", 1, "n1", "running", "running", 1)],
    );
    set_template_image(&mut swarm, "app:2");
    set_update(&mut swarm, "updating", "2024-01-01T01:00:00Z");
    let sim = SimSwarm::new(swarm);
    sim.at(secs(1), |swarm| {
        set_template_image(swarm, "app:1");
        set_update(swarm, "rollback_started", "2024-01-01T01:00:05Z");
    });
    sim.at(secs(3), |swarm| {
        set_update(swarm, "rollback_completed", "2024-01-01T01:00:05Z")
    });
    sim
}

#[tokio::test(start_paused = true)]
async fn a_rollback_is_a_failure_unless_accepted() {
    let (outcome, _) = wait(&rolling_back(), &["web"], WaitConfig::default()).await;
    assert!(
        matches!(
            result(&outcome),
            ServiceResult::Failed(Failure::RolledBack {
                state: UpdateState::RollbackStarted,
                ..
            })
        ),
        "{outcome:?}"
    );
    let (outcome, elapsed) = wait(
        &rolling_back(),
        &["web"],
        WaitConfig::default().rollback_ok(true),
    )
    .await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(
        elapsed >= secs(8),
        "converged before the rollback completed and stayed stable: {elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_completed_rollback_is_a_failure() {
    let mut swarm = web(
        1,
        vec![sim::task("a1", "s1", 1, "n1", "running", "running", 1)],
    );
    set_update(&mut swarm, "updating", "2024-01-01T01:00:00Z");
    let sim = SimSwarm::new(swarm);
    sim.at(secs(2), |swarm| {
        set_update(swarm, "rollback_completed", "2024-01-01T01:00:05Z")
    });
    let (outcome, _) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(
        matches!(
            result(&outcome),
            ServiceResult::Failed(Failure::RolledBack {
                state: UpdateState::RollbackCompleted,
                ..
            })
        ),
        "{outcome:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_global_service_over_three_nodes_with_one_drained_converges() {
    let mut service = sim::service("g1", "agent", sim::global());
    service["ServiceStatus"] = json!({"RunningTasks": 2, "DesiredTasks": 2, "CompletedTasks": 0});
    let sim = SimSwarm::new(sim::swarm(
        vec![service],
        vec![
            sim::task("x1", "g1", 0, "n1", "running", "running", 1),
            sim::task("x2", "g1", 0, "n2", "starting", "running", 2),
        ],
        vec![
            sim::node("n1", "a", "active"),
            sim::node("n2", "b", "active"),
            sim::node("n3", "c", "drain"),
        ],
    ));
    sim.at(secs(1), |swarm| {
        swarm.set_task_state("x2", "running", "started");
    });
    let (outcome, elapsed) = wait(&sim, &["agent"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(6), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_global_service_with_no_eligible_node_is_reported_at_once() {
    let mut service = sim::service("g1", "agent", sim::global());
    service["Spec"]["TaskTemplate"]["Placement"] =
        json!({"Constraints": ["node.labels.zone==mars"]});
    service["ServiceStatus"] = json!({"RunningTasks": 0, "DesiredTasks": 0, "CompletedTasks": 0});
    let sim = SimSwarm::new(sim::swarm(
        vec![service],
        Vec::new(),
        vec![
            sim::node("n1", "a", "active"),
            sim::node("n2", "b", "active"),
            sim::node("n3", "c", "drain"),
        ],
    ));
    let (outcome, elapsed) = wait(&sim, &["agent"], WaitConfig::default().timeout(secs(600))).await;
    let ServiceResult::Failed(
        failure @ Failure::NoEligibleNode {
            constraints,
            nodes,
            available_nodes,
        },
    ) = result(&outcome)
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        (constraints.as_slice(), *nodes, *available_nodes),
        (&["node.labels.zone==mars".to_owned()][..], 3, 2)
    );
    assert!(
        failure.to_string().contains("node.labels.zone==mars"),
        "{failure}"
    );
    // Reported once the zero has lasted 2 s, at the next poll: never waited on to the deadline.
    assert!(elapsed >= secs(2) && elapsed <= secs(4), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_replicated_job_completes_and_old_iterations_do_not_count() {
    let mut service = sim::service("j1", "migrate", sim::replicated_job(2, 3));
    service["JobStatus"] = json!({"JobIteration": {"Index": 7}});
    let job_task = |id: &str, slot: u64, state: &str, iteration: u64, second: u32| {
        let mut task = sim::task(id, "j1", slot, "n1", state, "complete", second);
        task["JobIteration"] = json!({"Index": iteration});
        task
    };
    let sim = SimSwarm::new(sim::swarm(
        vec![service],
        vec![
            job_task("old1", 1, "complete", 6, 1),
            job_task("old2", 2, "complete", 6, 2),
            job_task("k1", 1, "running", 7, 3),
        ],
        vec![sim::node("n1", "vm", "active")],
    ));
    sim.at(secs(1), move |swarm| {
        swarm.set_task_state("k1", "complete", "finished");
        add_task(swarm, job_task("k2", 2, "complete", 7, 4));
    });
    sim.at(secs(3), move |swarm| {
        add_task(swarm, job_task("k3", 3, "complete", 7, 5))
    });
    let (outcome, elapsed) = wait(&sim, &["migrate"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(3) && elapsed < secs(5), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_global_job_completes_on_every_node() {
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("j2", "sweep", sim::global_job())],
        vec![
            sim::task("y1", "j2", 0, "n1", "running", "complete", 1),
            sim::task("y2", "j2", 0, "n2", "running", "complete", 2),
        ],
        vec![
            sim::node("n1", "a", "active"),
            sim::node("n2", "b", "active"),
        ],
    ));
    sim.at(secs(1), |swarm| {
        swarm.set_task_state("y1", "complete", "finished");
    });
    sim.at(secs(2), |swarm| {
        swarm.set_task_state("y2", "complete", "finished");
    });
    let (outcome, elapsed) = wait(&sim, &["sweep"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(elapsed >= secs(2) && elapsed < secs(4), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_one_shot_service_that_completes_converges() {
    let mut swarm = web(
        2,
        vec![
            sim::task("o1", "s1", 1, "n1", "running", "running", 1),
            sim::task("o2", "s1", 2, "n1", "running", "running", 2),
        ],
    );
    swarm.services_mut()[0]["Spec"]["TaskTemplate"]["RestartPolicy"] = json!({"Condition": "none"});
    let sim = SimSwarm::new(swarm);
    sim.at(secs(1), |swarm| {
        swarm.set_task_state("o1", "complete", "finished");
    });
    sim.at(secs(2), |swarm| {
        swarm.set_task_state("o2", "complete", "finished");
    });
    let (outcome, _) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
}

#[tokio::test(start_paused = true)]
async fn a_stale_completed_does_not_end_the_wait_while_a_newer_update_is_pending() {
    let mut swarm = web(
        1,
        vec![sim::task("a1", "s1", 1, "n1", "running", "running", 1)],
    );
    set_update(&mut swarm, "completed", "2024-01-01T00:00:00Z");
    set_template_image(&mut swarm, "app:2");
    let sim = SimSwarm::new(swarm);
    // The orchestrator only picks the update up after the stability window would be over.
    sim.at(secs(8), |swarm| {
        set_update(swarm, "updating", "2024-01-01T02:00:00Z")
    });
    sim.at(secs(9), |swarm| {
        replace(swarm, "a1", "b1", 1, "app:2", "running", 10)
    });
    sim.at(secs(10), |swarm| {
        set_update(swarm, "completed", "2024-01-01T02:00:00Z")
    });
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(
        elapsed >= secs(14),
        "ended on the stale completed status: {elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_reports_what_is_missing() {
    let mut pending = sim::task("t2", "s1", 2, "", "pending", "running", 2);
    pending["Status"]["Err"] =
        json!("no suitable node (scheduling constraints not satisfied on 1 node)");
    let sim = SimSwarm::new(web(
        2,
        vec![
            sim::task("t1", "s1", 1, "n1", "running", "running", 1),
            pending,
        ],
    ));
    let (outcome, elapsed) = wait(&sim, &["web"], WaitConfig::default().timeout(secs(30))).await;
    assert!(
        outcome.is_timed_out() && !outcome.is_failed(),
        "{outcome:?}"
    );
    let ServiceResult::TimedOut { lacking } = result(&outcome) else {
        panic!("{outcome:?}")
    };
    assert_eq!(lacking[0], "1 of 2 tasks running");
    assert!(
        lacking[1].starts_with("web.2: pending") && lacking[1].contains("not satisfied on 1 node"),
        "{lacking:?}"
    );
    assert_eq!(elapsed, secs(30));
    assert_eq!(outcome.unreachable, None);
}

#[tokio::test(start_paused = true)]
async fn the_daemon_going_away_mid_wait_does_not_end_it() {
    let sim = SimSwarm::new(web(
        2,
        vec![
            sim::task("t1", "s1", 1, "n1", "running", "running", 1),
            sim::task("t2", "s1", 2, "n1", "starting", "running", 2),
        ],
    ));
    sim.down(secs(1), secs(20));
    sim.at(secs(10), |swarm| {
        swarm.set_task_state("t2", "running", "started");
    });
    let mut failed_polls = 0;
    let start = Instant::now();
    let outcome = Client::new(sim.transport())
        .wait_with(
            &["web".to_owned()],
            WaitConfig::default().timeout(secs(120)),
            |event| {
                if matches!(event, swarm_tasks::monitor::WaitEvent::PollFailed(_)) {
                    failed_polls += 1;
                }
            },
        )
        .await
        .unwrap();
    assert!(outcome.is_converged(), "{outcome:?}");
    assert!(failed_polls >= 3, "{failed_polls}");
    assert!(start.elapsed() >= secs(25), "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_deadline_while_the_daemon_is_away_says_since_when() {
    let sim = SimSwarm::new(web(
        2,
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
    ));
    sim.down(secs(5), secs(1000));
    let (outcome, _) = wait(&sim, &["web"], WaitConfig::default().timeout(secs(60))).await;
    assert!(outcome.is_timed_out());
    let unreachable = outcome.unreachable.expect("unreachable at the end");
    assert!((50..=56).contains(&unreachable.for_secs), "{unreachable:?}");
}

#[tokio::test(start_paused = true)]
async fn at_most_two_requests_per_poll_and_no_nodes_for_replicated_services() {
    let sim = SimSwarm::new(web(
        1,
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
    ));
    let (outcome, _) = wait(&sim, &["web"], WaitConfig::default()).await;
    assert!(outcome.is_converged());
    let requests = sim.requests();
    let services = requests
        .iter()
        .filter(|(_, method)| *method == "list_services")
        .count();
    let tasks = requests
        .iter()
        .filter(|(_, method)| *method == "list_tasks")
        .count();
    assert_eq!(services, tasks, "{requests:?}");
    assert_eq!(requests.len(), services + tasks, "{requests:?}");
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_daemon_or_unknown_service_at_the_start_is_an_error() {
    let sim = SimSwarm::new(web(1, Vec::new()));
    let error = Client::new(sim.transport())
        .wait(&["nope".to_owned()], WaitConfig::default())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let down = SimSwarm::new(web(1, Vec::new()));
    down.down(Duration::ZERO, secs(1000));
    let error = Client::new(down.transport())
        .wait(&["web".to_owned()], WaitConfig::default())
        .await
        .unwrap_err();
    assert!(error.is_connection(), "{error}");
}

#[tokio::test(start_paused = true)]
async fn a_slot_that_keeps_failing_is_a_failure() {
    let sim = SimSwarm::new(web(
        1,
        vec![sim::task("f0", "s1", 1, "n1", "starting", "running", 1)],
    ));
    for round in 0..4_u32 {
        let (old, new) = (format!("f{round}"), format!("f{}", round + 1));
        sim.at(secs(u64::from(2 * round + 1)), move |swarm| {
            swarm.set_task_state(&old, "failed", "task: non-zero exit (2)");
            swarm.set_task_err(&old, Some("task: non-zero exit (2)"));
            swarm.set_desired_state(&old, "shutdown");
            add_task(
                swarm,
                sim::task(&new, "s1", 1, "n1", "starting", "running", 10 + round),
            );
        });
    }
    let (outcome, _) = wait(&sim, &["web"], WaitConfig::default()).await;
    let ServiceResult::Failed(Failure::SlotFailing {
        slot,
        failures,
        task,
    }) = result(&outcome)
    else {
        panic!("{outcome:?}")
    };
    assert_eq!((slot.as_str(), *failures), ("web.1", 3));
    assert!(
        task.summary().contains("non-zero exit (2)"),
        "{}",
        task.summary()
    );
}
