//! Listing tasks with the docker CLI, which has no "list all tasks" command.
//!
//! 1. Services: `docker service ls` + `docker service inspect` (full IDs, names, labels), and
//!    nodes (`docker node ls -q` + `docker node inspect`) when the filter has a `node` key.
//! 2. The filter is resolved against them with [`TaskFilter::resolve`], exactly as the daemon
//!    does it: an unknown service or node is an error, an ambiguous prefix too.
//! 3. `service` and `label` pick the services to ask about (`label` matches SERVICE labels);
//!    `id`, `name`, `desired-state`, `runtime` and the resolved node IDs are passed on to
//!    `docker service ps -q --no-trunc --no-resolve`, several services per call, so the daemon filters.
//! 4. `docker inspect --type task` in chunks, concurrently; then every task is checked again
//!    with [`ResolvedTaskFilter::matches`](swarm_models::ResolvedTaskFilter::matches), so the
//!    result is exactly what `GET /tasks?filters=...` returns, sorted by ID as the daemon does.
//!
//! Limitation: tasks without a service (network attachment tasks of `docker run --network`)
//! never show in `docker service ps`, so `runtime=attachment` finds none here.

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};
use swarm_models::{FilterError, FilterKey, Node, Service, Task, TaskFilter};

use super::CliTransport;
use super::command::chunk_ids;
use super::stderr::object_failure;
use crate::Transport;
use crate::error::{Error, ObjectKind, Result};

/// Filter keys handed to `docker service ps` as they are.
const PASSED_KEYS: [FilterKey; 4] = [
    FilterKey::Id,
    FilterKey::Name,
    FilterKey::DesiredState,
    FilterKey::Runtime,
];

pub(super) async fn list_tasks(transport: &CliTransport, filter: &TaskFilter) -> Result<Vec<Task>> {
    let wants_nodes = filter.values(FilterKey::Node).next().is_some();
    let nodes_future = async {
        if wants_nodes {
            transport.list_nodes().await
        } else {
            Ok(Vec::new())
        }
    };
    let (services, nodes) = futures::try_join!(transport.list_services(), nodes_future)?;
    let service_ids = services_in_scope(filter, &services)?;
    let resolved = filter.resolve(&services, &nodes).map_err(filter_error)?;
    if service_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ps_filters = ps_filter_args(filter, &nodes)?;
    let task_ids = service_ps(transport, &service_ids, &ps_filters).await?;
    let inspected = transport
        .inspect_many::<Task>(&["inspect", "--type", "task"], &task_ids, ObjectKind::Task)
        .await?;
    let mut tasks = Vec::with_capacity(inspected.len());
    for outcome in inspected {
        match outcome {
            Ok(task) if resolved.matches(&task) => tasks.push(task),
            Ok(_) => {}
            // Removed between `service ps` and `inspect`: the daemon would not list it now.
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(err),
        }
    }
    tasks.sort_by(|a, b| a.id.cmp(&b.id));
    tasks.dedup_by(|a, b| a.id == b.id);
    Ok(tasks)
}

/// The services whose tasks can match: the `service` values resolved (name, ID, unique
/// prefix), intersected with the services carrying every wanted `label`.
fn services_in_scope(filter: &TaskFilter, services: &[Service]) -> Result<Vec<String>> {
    let mut scope = TaskFilter::new();
    for key in [FilterKey::Service, FilterKey::Label] {
        for value in filter.values(key) {
            scope.insert(key, value);
        }
    }
    let resolved = scope.resolve(services, &[]).map_err(filter_error)?;
    Ok(services
        .iter()
        .filter(|service| {
            let probe = Task {
                service_id: Some(service.id.clone()),
                ..Task::default()
            };
            resolved.matches(&probe)
        })
        .map(|service| service.id.clone())
        .collect())
}

/// `--filter=key=value` arguments for `docker service ps`: the keys the daemon evaluates
/// per task, and `node` as resolved IDs (the CLI would otherwise resolve each name itself).
fn ps_filter_args(filter: &TaskFilter, nodes: &[Node]) -> Result<Vec<String>> {
    let mut args = Vec::new();
    for key in PASSED_KEYS {
        args.extend(
            filter
                .values(key)
                .map(|value| format!("--filter={key}={value}")),
        );
    }
    if filter.values(FilterKey::Node).next().is_some() {
        let mut scope = TaskFilter::new();
        for value in filter.values(FilterKey::Node) {
            scope.insert(FilterKey::Node, value);
        }
        let resolved = scope.resolve(&[], nodes).map_err(filter_error)?;
        for node in nodes {
            let probe = Task {
                node_id: Some(node.id.clone()),
                ..Task::default()
            };
            if resolved.matches(&probe) {
                args.push(format!("--filter=node={}", node.id));
            }
        }
    }
    Ok(args)
}

/// Task IDs of the services, several services per `docker service ps` call, calls run
/// concurrently. A service removed meanwhile (`no such service: X`) is skipped.
async fn service_ps(
    transport: &CliTransport,
    service_ids: &[String],
    filters: &[String],
) -> Result<Vec<String>> {
    let chunks = chunk_ids(
        service_ids,
        transport.inner.batch_size,
        transport.inner.batch_bytes,
    );
    let pending: Vec<_> = chunks
        .into_iter()
        .map(|chunk| service_ps_chunk(transport, chunk, filters))
        .collect();
    let per_chunk: Vec<Vec<String>> = futures::stream::iter(pending)
        .buffered(transport.inner.concurrency)
        .try_collect()
        .await?;
    let mut seen = HashSet::new();
    Ok(per_chunk
        .into_iter()
        .flatten()
        .filter(|id| seen.insert(id.clone()))
        .collect())
}

async fn service_ps_chunk(
    transport: &CliTransport,
    chunk: &[String],
    filters: &[String],
) -> Result<Vec<String>> {
    let args = ps_args(chunk, filters);
    // A second try covers a service removed after the CLI resolved it but before the daemon
    // listed its tasks: the daemon then fails the whole call, the CLI's next try skips it.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let output = transport.inner.invocation.run(&args).await?;
        let ids = super::id_lines(&output.stdout);
        if output.success {
            return Ok(ids);
        }
        let lines: Vec<&str> = output
            .stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        let only_vanished = !lines.is_empty()
            && lines.iter().all(|line| {
                line.starts_with("WARNING") || object_failure(line, ObjectKind::Service).is_some()
            });
        if !only_vanished {
            return Err(super::stderr::classify(
                &output.stderr,
                transport.context(&output),
            ));
        }
        if !ids.is_empty() || attempt >= 2 {
            return Ok(ids);
        }
    }
}

/// `service ps -q --no-trunc --no-resolve FILTERS -- SERVICE...` (`--no-resolve` spares the
/// client a request per node and service to print names that `-q` never shows).
fn ps_args(services: &[String], filters: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["service", "ps", "-q", "--no-trunc", "--no-resolve"]
        .map(str::to_owned)
        .into();
    args.extend(filters.iter().cloned());
    args.push(String::from("--"));
    args.extend(services.iter().cloned());
    args
}

/// A filter that does not resolve fails like the daemon's answer would.
fn filter_error(err: FilterError) -> Error {
    match err {
        FilterError::ServiceNotFound { value } => Error::NotFound {
            kind: ObjectKind::Service,
            id: value,
        },
        FilterError::NodeNotFound { value } => Error::NotFound {
            kind: ObjectKind::Node,
            id: value,
        },
        FilterError::Ambiguous {
            kind,
            value,
            matches,
        } => Error::Ambiguous {
            kind: if kind == "node" {
                ObjectKind::Node
            } else {
                ObjectKind::Service
            },
            id: value,
            matches,
        },
        other => Error::InvalidFilter {
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarm_models::TaskState;

    fn service(id: &str, name: &str, labels: &[(&str, &str)]) -> Service {
        let labels: serde_json::Map<String, serde_json::Value> = labels
            .iter()
            .map(|(key, value)| ((*key).to_owned(), serde_json::Value::from(*value)))
            .collect();
        serde_json::from_value(
            serde_json::json!({"ID": id, "Spec": {"Name": name, "Labels": labels}}),
        )
        .unwrap_or_default()
    }

    fn node(id: &str, hostname: &str) -> Node {
        serde_json::from_value(serde_json::json!({"ID": id, "Description": {"Hostname": hostname}}))
            .unwrap_or_default()
    }

    fn services() -> Vec<Service> {
        vec![
            service("s1aaa", "web", &[("tier", "front")]),
            service("s2bbb", "api", &[("tier", "back")]),
            service("s3ccc", "db", &[]),
        ]
    }

    #[test]
    fn scope_by_service_name_id_prefix_and_label() {
        let all = services();
        let scope = |filter: TaskFilter| services_in_scope(&filter, &all).unwrap_or_default();
        assert_eq!(scope(TaskFilter::new()), ["s1aaa", "s2bbb", "s3ccc"]);
        assert_eq!(
            scope(TaskFilter::new().service("web").service("s2")),
            ["s1aaa", "s2bbb"]
        );
        assert_eq!(scope(TaskFilter::new().label("tier")), ["s1aaa", "s2bbb"]);
        assert_eq!(scope(TaskFilter::new().label("tier=back")), ["s2bbb"]);
        assert!(scope(TaskFilter::new().service("web").label("tier=back")).is_empty());
    }

    #[test]
    fn unknown_or_ambiguous_services_fail_like_the_daemon() {
        let all = services();
        let err = services_in_scope(&TaskFilter::new().service("nope"), &all).err();
        assert!(
            matches!(
                err,
                Some(Error::NotFound {
                    kind: ObjectKind::Service,
                    ..
                })
            ),
            "{err:?}"
        );
        let err = services_in_scope(&TaskFilter::new().service("s"), &all).err();
        assert!(
            matches!(
                err,
                Some(Error::Ambiguous {
                    kind: ObjectKind::Service,
                    matches: 3,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn ps_filters_pass_task_keys_and_resolved_nodes() {
        let nodes = vec![node("n1xyz", "node-1"), node("n2xyz", "node-2")];
        let filter = TaskFilter::new()
            .desired_state(TaskState::Running)
            .id("abc")
            .node("node-2")
            .label("tier")
            .service("web");
        let args = ps_filter_args(&filter, &nodes).unwrap_or_default();
        assert_eq!(
            args,
            [
                "--filter=id=abc",
                "--filter=desired-state=running",
                "--filter=node=n2xyz"
            ]
        );
        let err = ps_filter_args(&TaskFilter::new().node("n"), &nodes).err();
        assert!(
            matches!(
                err,
                Some(Error::Ambiguous {
                    kind: ObjectKind::Node,
                    ..
                })
            ),
            "{err:?}"
        );
        let err = ps_filter_args(&TaskFilter::new().node("node-9"), &nodes).err();
        assert!(
            matches!(
                err,
                Some(Error::NotFound {
                    kind: ObjectKind::Node,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    #[test]
    fn ps_args_put_services_after_a_double_dash() {
        let args = ps_args(
            &["s1".to_owned(), "s2".to_owned()],
            &["--filter=id=a".to_owned()],
        );
        assert_eq!(
            args,
            [
                "service",
                "ps",
                "-q",
                "--no-trunc",
                "--no-resolve",
                "--filter=id=a",
                "--",
                "s1",
                "s2"
            ]
        );
    }
}
