//! The monitoring commands' output, run against a simulated swarm on tokio's paused clock.

use std::time::Duration;

use serde_json::json;
use swarm_tasks::Client;
use swarm_tasks::monitor::WaitConfig;
use swarm_testkit::sim::{self, SimSwarm};

use super::wait::{WaitAction, run as run_wait};
use super::watch::{WatchAction, run as run_watch};
use crate::exit::ExitCode;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A scale-up from 1 to 3 over a minute: tasks move through their states, one fails and is
/// replaced, the daemon is away for a while, and the service converges at the end.
fn sixty_seconds() -> SimSwarm {
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(1))],
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
        vec![sim::node("n1", "vm", "active")],
    ));
    sim.at(secs(2), |swarm| {
        swarm.services_mut()[0]["Spec"]["Mode"] = sim::replicated(3);
        swarm
            .tasks_mut()
            .push(sim::task("t2", "s1", 2, "", "pending", "running", 2));
        swarm
            .tasks_mut()
            .push(sim::task("t3", "s1", 3, "", "pending", "running", 3));
    });
    sim.at(secs(10), |swarm| {
        swarm.set_task_state("t2", "running", "started");
        swarm.set_task_state("t3", "starting", "starting");
    });
    sim.at(secs(20), |swarm| {
        swarm.set_task_state("t3", "failed", "task: non-zero exit (1)");
        swarm.set_task_err("t3", Some("task: non-zero exit (1)"));
        swarm.set_desired_state("t3", "shutdown");
        swarm
            .tasks_mut()
            .push(sim::task("t4", "s1", 3, "n1", "starting", "running", 30));
    });
    sim.down(secs(25), secs(35));
    sim.at(secs(45), |swarm| {
        swarm.set_task_state("t4", "running", "started");
    });
    sim
}

#[tokio::test(start_paused = true)]
async fn non_terminal_wait_output_holds_only_change_lines() {
    let sim = sixty_seconds();
    let action = WaitAction {
        services: vec!["web".into()],
        config: WaitConfig::default().timeout(secs(120)),
        bars: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let start = tokio::time::Instant::now();
    let exit_code = run_wait(&Client::new(sim.transport()), action, &mut out, &mut err)
        .await
        .unwrap();
    assert_eq!(exit_code, ExitCode::Ok);
    assert!(start.elapsed() >= secs(50), "{:?}", start.elapsed());
    let err = String::from_utf8(err).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "web: 1 of 1 tasks running, waiting 5s for them to stay up",
            "2024-01-01T00:00:02Z web.2 t2 added: pending (desired running)",
            "2024-01-01T00:00:03Z web.3 t3 added: pending (desired running)",
            "web: 1 of 3 tasks running; web.2: pending: the scheduler cannot place it: pending; web.3: pending: the scheduler cannot place it: pending",
            "2024-01-01T00:00:03Z web.2 t2 pending -> running",
            "2024-01-01T00:00:04Z web.3 t3 pending -> starting",
            "web: 2 of 3 tasks running; web.3: starting: starting (starting)",
            "2024-01-01T00:00:05Z web.3 t3 starting -> failed (desired running -> shutdown); error: task: non-zero exit (1)",
            // t4 takes slot 3 over in the same state: the service line does not change.
            "2024-01-01T00:00:30Z web.3 t4 added: starting (desired running)",
            "cannot reach the daemon, retrying: cannot reach the docker daemon at sim",
            "the daemon answers again",
            "2024-01-01T00:00:31Z web.3 t4 starting -> running",
            "web: 3 of 3 tasks running, waiting 5s for them to stay up",
            "web: converged",
        ]
    );
    // More polls than lines: the quiet polls printed nothing.
    let n_polls = sim
        .requests()
        .iter()
        .filter(|(_, method)| *method == "list_tasks")
        .count();
    assert!(n_polls > lines.len(), "{n_polls} polls");
    assert_eq!(String::from_utf8(out).unwrap(), "web: converged\n");
}

#[tokio::test(start_paused = true)]
async fn wait_deadline_exits_4_naming_what_is_missing() {
    let mut pending = sim::task("t2", "s1", 2, "", "pending", "running", 2);
    pending["Status"]["Err"] =
        json!("no suitable node (scheduling constraints not satisfied on 1 node)");
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(2))],
        vec![
            sim::task("t1", "s1", 1, "n1", "running", "running", 1),
            pending,
        ],
        vec![sim::node("n1", "vm", "active")],
    ));
    let action = WaitAction {
        services: vec!["web".into()],
        config: WaitConfig::default().timeout(secs(30)),
        bars: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit_code = run_wait(&Client::new(sim.transport()), action, &mut out, &mut err)
        .await
        .unwrap();
    assert_eq!(exit_code, ExitCode::WaitTimedOut);
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with("web: not converged after 30s; still lacking:\n  - 1 of 2 tasks running\n"),
        "{out}"
    );
    assert!(
        out.contains("scheduling constraints not satisfied on 1 node"),
        "{out}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_wait_exits_1_and_explains_the_task_in_full() {
    let long_error = format!("task: non-zero exit (1): {}", "details ".repeat(30));
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(1))],
        vec![sim::task("a1", "s1", 1, "n1", "running", "running", 1)],
        vec![sim::node("n1", "vm", "active")],
    ));
    let error = long_error.clone();
    sim.at(secs(1), move |swarm| {
        swarm.services_mut()[0]["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = json!("app:2");
        swarm.set_desired_state("a1", "shutdown");
        let mut new = sim::task("b1", "s1", 1, "n1", "failed", "running", 5);
        new["Spec"]["ContainerSpec"]["Image"] = json!("app:2");
        new["Status"]["Err"] = json!(error);
        new["Status"]["ContainerStatus"]["ExitCode"] = json!(1);
        swarm.tasks_mut().push(new);
        swarm.services_mut()[0]["UpdateStatus"] = json!({"State": "paused", "Message": "update paused due to failure or early termination of task b1"});
    });
    let action = WaitAction {
        services: vec!["web".into()],
        config: WaitConfig::default(),
        bars: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit_code = run_wait(&Client::new(sim.transport()), action, &mut out, &mut err)
        .await
        .unwrap();
    assert_eq!(exit_code, ExitCode::Failure);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out,
        format!(
            "web: failed: the update paused: update paused due to failure or early termination of task b1\n  web.1 (task b1)\n    - failed: exit code 1; error: {long_error}\n"
        )
    );
}

#[tokio::test(start_paused = true)]
async fn watch_prints_one_json_object_per_event_and_ends_at_the_timeout() {
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(1))],
        vec![sim::task("t1", "s1", 1, "n1", "starting", "running", 1)],
        vec![sim::node("n1", "vm", "active")],
    ));
    sim.at(secs(2), |swarm| {
        swarm.set_task_state("t1", "running", "started");
    });
    let action = WatchAction {
        filter: swarm_tasks::models::TaskFilter::new(),
        json: true,
        duration: Some(secs(4)),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit_code = run_watch(&Client::new(sim.transport()), action, &mut out, &mut err)
        .await
        .unwrap();
    assert_eq!(exit_code, ExitCode::Ok);
    let events: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|event: &serde_json::Value| event["event"] != "synced")
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        (events[0]["event"].as_str(), events[0]["name"].as_str()),
        (Some("initial"), Some("web.1"))
    );
    assert_eq!(events[1]["event"], "state_changed");
    assert_eq!(
        (
            events[1]["from"].as_str(),
            events[1]["task"]["Status"]["State"].as_str()
        ),
        (Some("starting"), Some("running"))
    );
}

#[tokio::test(start_paused = true)]
async fn watch_names_the_tasks_of_a_service_created_during_the_watch() {
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(1))],
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
        vec![sim::node("n1", "vm", "active")],
    ));
    sim.at(secs(2), |swarm| {
        swarm
            .services_mut()
            .push(sim::service("s2", "api", sim::replicated(1)));
        swarm
            .tasks_mut()
            .push(sim::task("a1", "s2", 1, "n1", "new", "running", 5));
    });
    let action = WatchAction {
        filter: swarm_tasks::models::TaskFilter::new(),
        json: false,
        duration: Some(secs(5)),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    run_watch(&Client::new(sim.transport()), action, &mut out, &mut err)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out,
        "2024-01-01T00:00:01Z web.1 t1 running (desired running)\n2024-01-01T00:00:05Z api.1 a1 added: new (desired running)\n"
    );
}
