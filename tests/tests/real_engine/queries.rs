//! Scenarios about questions asked of the swarm: `service ps` and `node ps` resolution,
//! inspect of many ids, and a filter per key, each through both transports.

use std::collections::BTreeSet;

use swarm_models::{Node, Task, TaskFilter, TaskState};
use swarm_tasks::PsOptions;
use swarm_tasks_e2e::{complete, summary};
use swarm_transport::Transport;

use crate::{Check, FilterCase, Suite, ensure};

pub(crate) fn service_ps_resolution(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    let services = suite
        .block(suite.http.list_services())
        .map_err(|e| e.to_string())?;
    let id = services
        .iter()
        .find(|s| s.name() == Some(rep.as_str()))
        .map(|s| s.id.clone())
        .ok_or("rep not listed")?;
    let prefix = shortest_unique_prefix(&id, services.iter().map(|s| s.id.as_str()));
    let mut seen = Vec::new();
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        for arg in [&rep, &id, &prefix] {
            let report = suite
                .block(client.service_ps(std::slice::from_ref(arg), &PsOptions::default()))
                .map_err(|e| format!("{label} {arg}: {e}"))?;
            ensure!(
                report.not_found.is_empty(),
                "{label} {arg}: not found {:?}",
                report.not_found
            );
            let ids: BTreeSet<String> = report.rows.iter().map(|row| row.task.id.clone()).collect();
            ensure!(!ids.is_empty(), "{label} {arg}: no rows");
            seen.push(ids);
        }
        let missing = suite
            .block(client.service_ps(&[rep.clone(), format!("{rep}-nope")], &PsOptions::default()))
            .map_err(|e| e.to_string())?;
        ensure!(
            missing.not_found.len() == 1 && !missing.rows.is_empty(),
            "{label}: partial result for one unknown service"
        );
    }
    ensure!(
        seen.windows(2).all(|pair| pair[0] == pair[1]),
        "service ps differs between name, ID, prefix or transports"
    );
    Ok(())
}

pub(crate) fn node_ps_resolution(suite: &Suite) -> Check {
    let nodes: Vec<Node> = complete(
        suite
            .block(suite.http.list_nodes())
            .map_err(|e| e.to_string())?,
    )?;
    let node = nodes.first().ok_or("no node")?;
    let hostname = node.hostname().unwrap_or_default().to_owned();
    let prefix = shortest_unique_prefix(&node.id, nodes.iter().map(|n| n.id.as_str()));
    let rep = suite.name("rep");
    let mut seen = Vec::new();
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        for args in [
            vec![],
            vec!["self".to_owned()],
            vec![hostname.clone()],
            vec![node.id.clone()],
            vec![prefix.clone()],
        ] {
            let options = PsOptions {
                filter: TaskFilter::new().label(format!("e2e.run={}", suite.prefix)),
                ..PsOptions::default()
            };
            let report = suite
                .block(client.node_ps(&args, &options))
                .map_err(|e| format!("{label} {args:?}: {e}"))?;
            ensure!(
                report.rows.iter().any(|row| row.service_name == rep),
                "{label} {args:?}: no task of {rep}"
            );
            ensure!(
                report
                    .rows
                    .iter()
                    .all(|row| row.node_name.as_deref() == Some(hostname.as_str())),
                "{label} {args:?}: node names"
            );
            seen.push(
                report
                    .rows
                    .iter()
                    .map(|row| row.task.id.clone())
                    .collect::<BTreeSet<_>>(),
            );
        }
    }
    ensure!(
        seen.windows(2).all(|pair| pair[0] == pair[1]),
        "node ps differs between self, hostname, ID, prefix or transports"
    );
    Ok(())
}

pub(crate) fn inspect_many_with_unknown(suite: &Suite) -> Check {
    let known = suite.tasks_of(&suite.name("rep"))?;
    let ids = vec![
        known[0].id.clone(),
        "nosuchtask0000000000000000".to_owned(),
        known[1].id.clone(),
    ];
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        let many = suite
            .block(client.inspect_many(&ids))
            .map_err(|e| format!("{label}: {e}"))?;
        ensure!(many.found.len() == 2, "{label}: found {}", many.found.len());
        ensure!(
            many.found[0].id == ids[0] && many.found[1].id == ids[2],
            "{label}: order kept"
        );
        ensure!(
            many.missing.len() == 1
                && many.missing[0].0 == ids[1]
                && many.missing[0].1.is_not_found(),
            "{label}: missing {:?}",
            many.missing
        );
    }
    let outcomes_http = suite
        .block(suite.http.inspect_tasks(&ids))
        .map_err(|e| e.to_string())?;
    let outcomes_cli = suite
        .block(suite.cli.inspect_tasks(&ids))
        .map_err(|e| e.to_string())?;
    for (a, b) in outcomes_http.iter().zip(&outcomes_cli) {
        ensure!(
            a.id == b.id && a.result.is_ok() == b.result.is_ok(),
            "outcome for {} differs",
            a.id
        );
        if let (Ok(x), Ok(y)) = (&a.result, &b.result) {
            ensure!(x == y, "inspected task {} differs between transports", a.id);
        }
    }
    Ok(())
}

pub(crate) fn filter_per_key(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    let scope = format!("e2e.run={}", suite.prefix);
    let rep_tasks = suite.tasks_of(&rep)?;
    let some_task = &rep_tasks[0];
    let node_id = some_task.node_id.clone().ok_or("rep task without node")?;
    let cases: Vec<FilterCase> = vec![
        (
            "id",
            TaskFilter::new().id(&some_task.id[..8]),
            Box::new(|t: &Task| t.id.starts_with(&some_task.id[..8])),
        ),
        (
            "name",
            TaskFilter::new().name(format!("{rep}.1")),
            Box::new(|t: &Task| t.slot == Some(1)),
        ),
        (
            "service",
            TaskFilter::new().service(&rep),
            Box::new(|t: &Task| t.service_id == some_task.service_id),
        ),
        (
            "node",
            TaskFilter::new().node(&node_id).label(&scope),
            Box::new(|t: &Task| t.node_id.as_deref() == Some(node_id.as_str())),
        ),
        (
            "label",
            TaskFilter::new().label("e2e.role=web").label(&scope),
            Box::new(|t: &Task| t.service_id == some_task.service_id),
        ),
        (
            "desired-state",
            TaskFilter::new()
                .desired_state(TaskState::Running)
                .label(&scope),
            Box::new(|t: &Task| t.desired_state == Some(TaskState::Running)),
        ),
        (
            "runtime",
            TaskFilter::new()
                .runtime(swarm_models::Runtime::Container)
                .label(&scope),
            Box::new(|_: &Task| true),
        ),
    ];
    for (key, filter, predicate) in cases {
        let tasks = suite
            .both_list(&filter)
            .map_err(|e| format!("{key}: {e}"))?;
        ensure!(
            !tasks.is_empty(),
            "{key}: no task matched {}",
            filter.to_filters_json()
        );
        ensure!(
            tasks.iter().all(&predicate),
            "{key}: a task does not satisfy the filter: {}",
            summary(&tasks)
        );
    }
    for transport in [&suite.http as &dyn Transport, &suite.cli as &dyn Transport] {
        let unknown =
            suite.block(transport.list_tasks(&TaskFilter::new().service(format!("{rep}-nope"))));
        ensure!(
            unknown.is_err() || unknown.as_ref().is_ok_and(|listing| listing.is_empty()),
            "{}: unknown service filter {unknown:?}",
            transport.endpoint()
        );
    }
    Ok(())
}

fn shortest_unique_prefix<'a>(id: &str, all: impl Iterator<Item = &'a str> + Clone) -> String {
    (1..=id.len())
        .map(|len| &id[..len])
        .find(|prefix| {
            all.clone()
                .filter(|other| other.starts_with(prefix))
                .count()
                == 1
        })
        .unwrap_or(id)
        .to_owned()
}
