//! Scenarios about services reaching their states: replicated, global, failing, pending,
//! rejected, jobs and history from a forced update.

use std::collections::BTreeSet;

use swarm_models::{Task, TaskFilter, TaskState};
use swarm_tasks::PsOptions;
use swarm_testkit::real_engine;

use crate::{Check, Suite, count_in, ensure};

pub(crate) fn replicated_running(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    suite.wait_tasks(&rep, "3 running", |tasks| {
        count_in(tasks, TaskState::Running) == 3
    })?;
    let tasks = suite.both_list(&TaskFilter::new().service(&rep))?;
    let slots: BTreeSet<_> = tasks.iter().filter_map(|task| task.slot).collect();
    ensure!(slots == BTreeSet::from([1, 2, 3]), "slots {slots:?}");
    ensure!(
        tasks
            .iter()
            .all(|task| task.exit_code() == Some(0) || task.exit_code().is_none()),
        "exit codes"
    );
    Ok(())
}

pub(crate) fn global_service(suite: &Suite) -> Check {
    let glob = suite.name("glob");
    let tasks = suite.wait_tasks(&glob, "1 running", |tasks| {
        count_in(tasks, TaskState::Running) == 1
    })?;
    ensure!(
        tasks
            .iter()
            .all(|task| task.slot.is_none() && task.node_id.is_some()),
        "global tasks have a node and no slot"
    );
    suite.both_list(&TaskFilter::new().service(&glob))?;
    let report = suite
        .block(
            suite
                .http_client
                .service_ps(std::slice::from_ref(&glob), &PsOptions::default()),
        )
        .map_err(|e| e.to_string())?;
    let node_id = tasks[0].node_id.clone().unwrap_or_default();
    ensure!(
        report
            .rows
            .iter()
            .any(|row| row.name == format!("{glob}.{node_id}")),
        "global task named service.nodeID"
    );
    Ok(())
}

pub(crate) fn failing_with_restart_limit(suite: &Suite) -> Check {
    let fail = suite.name("fail");
    // One attempt plus one restart, then the orchestrator gives up.
    let tasks = suite.wait_tasks(&fail, "2 failed", |tasks| {
        count_in(tasks, TaskState::Failed) == 2
    })?;
    for task in &tasks {
        ensure!(
            task.exit_code() == Some(3),
            "exit code {:?} of {}",
            task.exit_code(),
            task.id
        );
        ensure!(
            task.error()
                .is_some_and(|err| err.contains("non-zero exit (3)")),
            "Err {:?}",
            task.error()
        );
    }
    suite.both_list(&TaskFilter::new().service(&fail))?;
    Ok(())
}

pub(crate) fn unschedulable(suite: &Suite) -> Check {
    let pend = suite.name("pend");
    let tasks = suite.wait_tasks(&pend, "pending with a reason", |tasks| {
        tasks
            .iter()
            .any(|task| task.state() == Some(&TaskState::Pending) && task.error().is_some())
    })?;
    let err = tasks.iter().find_map(Task::error).unwrap_or_default();
    ensure!(err.contains("no suitable node"), "scheduler reason {err:?}");
    ensure!(
        tasks.iter().all(|task| task.node_id.is_none()),
        "pending tasks have no node"
    );
    suite.both_list(&TaskFilter::new().service(&pend))?;
    Ok(())
}

pub(crate) fn missing_image(suite: &Suite) -> Check {
    let rej = suite.name("rej");
    let tasks = suite.wait_tasks(&rej, "rejected", |tasks| {
        count_in(tasks, TaskState::Rejected) >= 1
    })?;
    let err = tasks.iter().find_map(Task::error).unwrap_or_default();
    ensure!(!err.is_empty(), "rejected task has an Err");
    suite.both_list(
        &TaskFilter::new()
            .service(&rej)
            .desired_state(TaskState::Shutdown),
    )?;
    Ok(())
}

pub(crate) fn job_completes(suite: &Suite) -> Check {
    let job = suite.name("job");
    let tasks = suite.wait_tasks(&job, "2 complete", |tasks| {
        count_in(tasks, TaskState::Complete) == 2
    })?;
    ensure!(
        tasks.iter().all(|task| task.job_iteration.is_some()),
        "job tasks carry JobIteration"
    );
    suite.both_list(&TaskFilter::new().service(&job))?;
    let report = suite
        .block(
            suite
                .cli_client
                .service_ps(std::slice::from_ref(&job), &PsOptions::default()),
        )
        .map_err(|e| e.to_string())?;
    ensure!(report.rows.len() == 2, "job rows {}", report.rows.len());
    Ok(())
}

pub(crate) fn forced_update_history(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    real_engine::docker(["service", "update", "--detach", "--force", &rep])
        .map_err(|err| err.to_string())?;
    suite.wait_tasks(&rep, "3 running + 3 shut down", |tasks| {
        count_in(tasks, TaskState::Running) == 3 && count_in(tasks, TaskState::Shutdown) == 3
    })?;
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        let report = suite
            .block(client.service_ps(std::slice::from_ref(&rep), &PsOptions::default()))
            .map_err(|e| format!("{label}: {e}"))?;
        let history = report.rows.iter().filter(|row| row.is_history).count();
        ensure!(
            report.rows.len() == 6 && history == 3,
            "{label}: {} rows, {history} history",
            report.rows.len()
        );
        ensure!(
            report.rows[0].name == format!("{rep}.1") && !report.rows[0].is_history,
            "{label}: first row {}",
            report.rows[0].name
        );
        ensure!(
            report.rows[1].is_history,
            "{label}: history follows its slot"
        );
        let latest = PsOptions {
            latest: true,
            ..PsOptions::default()
        };
        let latest = suite
            .block(client.service_ps(std::slice::from_ref(&rep), &latest))
            .map_err(|e| e.to_string())?;
        ensure!(
            latest.rows.len() == 3,
            "{label}: --latest rows {}",
            latest.rows.len()
        );
    }
    Ok(())
}
