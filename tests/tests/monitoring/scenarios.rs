//! The monitoring scenarios, each run through both transports.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use swarm_tasks::models::{TaskFilter, TaskState};
use swarm_tasks::monitor::{
    Explained, Failure, Reason, ServiceResult, TaskEvent, TaskStreamExt, WaitConfig, WatchConfig,
};
use swarm_tasks_cli::commands::wait::{WaitAction, run as run_wait};
use swarm_tasks_cli::exit::ExitCode;
use swarm_testkit::real_engine::{self, ServiceGuard};

use crate::{Check, Suite, ensure};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Runs the `wait` command's code path and returns the exit code and stdout.
fn wait_command(
    suite: &Suite,
    client: &swarm_tasks::Client,
    service: &str,
    config: WaitConfig,
) -> Result<(ExitCode, String), String> {
    let action = WaitAction {
        services: vec![service.to_owned()],
        config,
        bars: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit_code = suite
        .block(run_wait(client, action, &mut out, &mut err))
        .map_err(|error| format!("{error:#}"))?;
    Ok((exit_code, String::from_utf8_lossy(&out).into_owned()))
}

pub(crate) fn wait_on_update(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    let name = suite.create(
        guard,
        "upd",
        &[
            "--replicas",
            "2",
            "--update-monitor",
            "2s",
            "--update-parallelism",
            "1",
        ],
        None,
        &["sleep", "3600"],
    )?;
    let config = WaitConfig::default().timeout(secs(180)).stable(secs(2));
    let (exit_code, out) = wait_command(suite, &suite.clients[0].1, &name, config)?;
    ensure!(
        exit_code == ExitCode::Ok,
        "initial deploy: {exit_code:?} {out}"
    );
    for (round, (transport, client)) in suite.clients.iter().enumerate() {
        let env = format!("E2E_ROUND={round}");
        real_engine::docker(["service", "update", "--detach", "--env-add", &env, &name])
            .map_err(|err| err.to_string())?;
        let (exit_code, out) = wait_command(suite, client, &name, config)?;
        ensure!(
            exit_code == ExitCode::Ok && out == format!("{name}: converged\n"),
            "{transport}: {exit_code:?} {out}"
        );
        // Converged means the update really finished: every running task has the new env.
        let tasks = suite
            .block(
                client.list(
                    &TaskFilter::new()
                        .service(&name)
                        .desired_state(TaskState::Running),
                ),
            )
            .map_err(|err| err.to_string())?;
        let updated = tasks.iter().filter(|task| {
            task.state() == Some(&TaskState::Running)
                && task
                    .spec
                    .container_spec
                    .as_ref()
                    .is_some_and(|spec| spec.env.contains(&env))
        });
        ensure!(
            updated.count() == 2,
            "{transport}: not every running task has {env}"
        );
    }
    Ok(())
}

pub(crate) fn wait_on_rollback(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    for (transport, client) in &suite.clients {
        let name = suite.create(
            guard,
            &format!("rb{transport}"),
            &[
                "--replicas",
                "1",
                "--update-failure-action",
                "rollback",
                "--update-monitor",
                "3s",
                "--update-max-failure-ratio",
                "0",
                "--rollback-monitor",
                "1s",
            ],
            None,
            &["sleep", "3600"],
        )?;
        let (exit_code, out) = wait_command(
            suite,
            client,
            &name,
            WaitConfig::default().timeout(secs(180)).stable(secs(1)),
        )?;
        ensure!(
            exit_code == ExitCode::Ok,
            "{transport}: initial deploy: {exit_code:?} {out}"
        );
        real_engine::docker([
            "service",
            "update",
            "--detach",
            "--args",
            "sh -c 'exit 3'",
            &name,
        ])
        .map_err(|err| err.to_string())?;
        let outcome = suite
            .block(client.wait(
                std::slice::from_ref(&name),
                WaitConfig::default().timeout(secs(180)),
            ))
            .map_err(|err| err.to_string())?;
        ensure!(
            matches!(
                &outcome.services[0].result,
                ServiceResult::Failed(Failure::RolledBack { .. })
            ),
            "{transport}: {outcome:?}"
        );
        ensure!(
            swarm_tasks_cli::commands::wait::exit_code(&outcome) == ExitCode::Failure,
            "{transport}: exit code"
        );
        let lines = swarm_tasks_cli::commands::wait::outcome_lines(&outcome, None);
        ensure!(
            lines[0].starts_with(&format!("{name}: failed: the update was rolled back")),
            "{transport}: {lines:?}"
        );
    }
    Ok(())
}

pub(crate) fn wait_times_out(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    let name = suite.create(
        guard,
        "never",
        &["--constraint", "node.labels.e2e-nowhere==true"],
        None,
        &["sleep", "3600"],
    )?;
    for (transport, client) in &suite.clients {
        let (exit_code, out) = wait_command(
            suite,
            client,
            &name,
            WaitConfig::default().timeout(secs(15)),
        )?;
        ensure!(
            exit_code == ExitCode::WaitTimedOut,
            "{transport}: {exit_code:?} {out}"
        );
        ensure!(
            out.starts_with(&format!(
                "{name}: not converged after 15s; still lacking:\n  - 0 of 1 tasks running\n"
            )),
            "{transport}: {out}"
        );
        ensure!(
            out.contains("scheduling constraints not satisfied")
                && out.contains("node.labels.e2e-nowhere==true"),
            "{transport}: {out}"
        );
    }
    Ok(())
}

pub(crate) fn wait_global_without_eligible_node(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    let name = suite.create(
        guard,
        "glob",
        &[
            "--mode",
            "global",
            "--constraint",
            "node.labels.e2e-nowhere==true",
        ],
        None,
        &["sleep", "3600"],
    )?;
    for (transport, client) in &suite.clients {
        let (exit_code, out) = wait_command(
            suite,
            client,
            &name,
            WaitConfig::default().timeout(secs(120)),
        )?;
        ensure!(
            exit_code == ExitCode::Failure,
            "{transport}: {exit_code:?} {out}"
        );
        ensure!(
            out.starts_with(&format!("{name}: failed: no eligible node: the global service wants no task; 1 of 1 nodes ready and active, placement constraints: node.labels.e2e-nowhere==true")),
            "{transport}: {out}"
        );
    }
    Ok(())
}

pub(crate) fn watch_scale_up(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    let name = suite.create(
        guard,
        "scale",
        &["--replicas", "1"],
        None,
        &["sleep", "3600"],
    )?;
    let (exit_code, out) = wait_command(
        suite,
        &suite.clients[0].1,
        &name,
        WaitConfig::default().timeout(secs(120)).stable(secs(1)),
    )?;
    ensure!(
        exit_code == ExitCode::Ok,
        "initial deploy: {exit_code:?} {out}"
    );
    for (round, (transport, client)) in suite.clients.iter().enumerate() {
        let replicas = round + 2;
        let config = WatchConfig::default()
            .min_interval(Duration::from_millis(200))
            .max_interval(secs(1));
        let stream = client
            .watch(TaskFilter::new().service(&name), config)
            .default_backoff();
        let scale = format!("{name}={replicas}");
        let events: Vec<TaskEvent> = suite.block(async {
            let mut stream = std::pin::pin!(stream);
            let mut events = Vec::new();
            let mut scaled = false;
            let _ = tokio::time::timeout(secs(90), async {
                while let Some(item) = stream.next().await {
                    let Ok(event) = item else { continue };
                    let synced = event.is_synced();
                    events.push(event);
                    if synced && !scaled {
                        scaled = true;
                        let _ = real_engine::docker(["service", "scale", "--detach", &scale]);
                    } else if synced && running(&events) >= replicas {
                        break;
                    }
                }
            })
            .await;
            events
        });
        ensure!(
            running(&events) == replicas,
            "{transport}: {} running after the scale-up",
            running(&events)
        );
        // Every task's observed states move forward in the lifecycle, each reported once.
        let mut seen: HashMap<String, Vec<TaskState>> = HashMap::new();
        for event in &events {
            match event {
                TaskEvent::Added { task } => seen
                    .entry(task.id.clone())
                    .or_default()
                    .extend(task.state().cloned()),
                TaskEvent::StateChanged(change) if change.state_changed() => {
                    let states = seen.entry(change.task.id.clone()).or_default();
                    ensure!(
                        states.last() == change.from.as_ref(),
                        "{transport}: {} from {:?} after {states:?}",
                        change.task.id,
                        change.from
                    );
                    states.extend(change.to().cloned());
                }
                _ => {}
            }
        }
        ensure!(
            seen.len() == 1,
            "{transport}: expected one new task, saw {seen:?}"
        );
        for (id, states) in &seen {
            let order: Vec<usize> = states
                .iter()
                .filter_map(TaskState::lifecycle_index)
                .collect();
            ensure!(
                order.windows(2).all(|pair| pair[0] < pair[1]),
                "{transport}: {id} went {states:?}"
            );
            ensure!(
                states.last() == Some(&TaskState::Running),
                "{transport}: {id} ended {states:?}"
            );
        }
    }
    Ok(())
}

fn running(events: &[TaskEvent]) -> usize {
    let mut last: HashMap<&str, Option<&TaskState>> = HashMap::new();
    for event in events {
        if let Some(task) = event.task() {
            let state = if matches!(event, TaskEvent::Removed { .. }) {
                None
            } else {
                task.state()
            };
            last.insert(task.id.as_str(), state);
        }
    }
    last.values()
        .filter(|state| **state == Some(&TaskState::Running))
        .count()
}

pub(crate) fn explain_real_failures(suite: &Suite, guard: &mut ServiceGuard) -> Check {
    let missing_image = format!("swarm-tasks-missing-{}:none", suite.prefix);
    let rejected = suite.create(
        guard,
        "rej",
        &["--restart-max-attempts", "1"],
        Some(&missing_image),
        &[],
    )?;
    let crashing = suite.create(
        guard,
        "crash",
        &[
            "--restart-condition",
            "on-failure",
            "--restart-max-attempts",
            "1",
            "--restart-delay",
            "100ms",
        ],
        None,
        &["sh", "-c", "exit 3"],
    )?;
    for (transport, client) in &suite.clients {
        let reasons = |service: &str, want: fn(&Reason) -> bool| -> Result<Vec<Reason>, String> {
            swarm_tasks_e2e::wait_for(
                &format!("{transport}: {service} explained"),
                secs(120),
                Duration::from_millis(500),
                || {
                    let explained = suite
                        .block(client.explain(service))
                        .map_err(|err| err.to_string())?;
                    let Explained::Service(explained) = explained else {
                        return Err(format!("not a service: {explained:?}"));
                    };
                    let reasons: Vec<Reason> = explained
                        .tasks
                        .iter()
                        .flat_map(|task| task.reasons.clone())
                        .collect();
                    if reasons.iter().any(want) {
                        Ok(Some(reasons))
                    } else {
                        Err(format!("{reasons:?}"))
                    }
                },
            )
        };
        let rejected_reasons = reasons(&rejected, |reason| {
            matches!(reason, Reason::Rejected { .. })
        })?;
        ensure!(
            rejected_reasons.iter().any(|reason| reason
                .to_string()
                .contains(&format!("No such image: {missing_image}"))),
            "{transport}: {rejected_reasons:?}"
        );
        let failed = reasons(&crashing, |reason| matches!(reason, Reason::Failed { .. }))?;
        ensure!(
            failed.iter().any(|reason| matches!(
                reason,
                Reason::Failed {
                    exit_code: Some(3),
                    ..
                }
            ) && reason
                .to_string()
                .starts_with("failed: exit code 3; error: task: non-zero exit (3)")),
            "{transport}: {failed:?}"
        );
    }
    Ok(())
}
