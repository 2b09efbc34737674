//! Listing tasks with the docker CLI, which has no "list all tasks" command.
//!
//! 1. Services: `docker service ls` + `docker service inspect` (full IDs, names, labels);
//!    nodes: `docker node ls -q`, plus `docker node inspect` when the filter has a `node` key.
//! 2. The filter is resolved against them with [`TaskFilter::resolve`], exactly as the daemon
//!    does it: an unknown service or node is an error, an ambiguous prefix too.
//! 3. Task IDs come from `docker service ps` (per service) and `docker node ps` (per node),
//!    both `-q --no-trunc --no-resolve`, several objects per call, with `id`, `name`,
//!    `desired-state` and `runtime` passed as `--filter` so the daemon filters:
//!    - with a `service` or `label` key: `service ps` of the services they pick (`label`
//!      matches SERVICE labels), with the resolved nodes as `--filter node=ID`;
//!    - else with a `node` key: `node ps` of the resolved nodes;
//!    - else both, concurrently: `service ps` of every service finds tasks not yet on a node,
//!      `node ps` of every node finds tasks whose service is gone (job tasks linger after
//!      `docker service rm`) and network attachment tasks, which belong to no service.
//! 4. `docker inspect --type task` in chunks, concurrently; then every task is checked again
//!    with [`ResolvedTaskFilter::matches`](swarm_models::ResolvedTaskFilter::matches), so the
//!    result is what `GET /tasks?filters=...` returns, sorted by ID.
//!
//! Limitation: a task with neither a live service nor a node (a pending task of a service
//! being removed) shows in no `ps` and is missed.

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};
use swarm_models::{FilterKey, ItemFailure, Listing, Node, Service, Task, TaskFilter};

use super::CliTransport;
use super::command::chunk_ids;
use super::stderr::object_failure;
use crate::error::{Error, ObjectKind, Result};

/// Filter keys handed to `docker service ps` / `docker node ps` as they are.
const PASSED_KEYS: [FilterKey; 4] = [
    FilterKey::Id,
    FilterKey::Name,
    FilterKey::DesiredState,
    FilterKey::Runtime,
];

/// What `docker node ls` gave: whole nodes when a `node` key needs resolving, else IDs.
enum NodeList {
    Nodes(Vec<Node>),
    Ids(Vec<String>),
    Unneeded,
}

pub(super) async fn list_tasks(
    transport: &CliTransport,
    filter: &TaskFilter,
) -> Result<Listing<Task>> {
    let has = |key: FilterKey| filter.values(key).next().is_some();
    let by_service = has(FilterKey::Service) || has(FilterKey::Label);
    let by_node = has(FilterKey::Node);
    let nodes_future = async {
        if by_node {
            // Undecodable nodes cannot be resolved by name; their tasks are still inspected.
            transport
                .list_nodes_commands()
                .await
                .map(|nodes| NodeList::Nodes(nodes.into_items()))
        } else if by_service {
            Ok(NodeList::Unneeded)
        } else {
            transport.list_ids("node").await.map(NodeList::Ids)
        }
    };
    let (services, node_list) =
        futures::try_join!(transport.list_services_commands(), nodes_future)?;
    let nodes = match &node_list {
        NodeList::Nodes(nodes) => nodes.as_slice(),
        _ => &[],
    };
    let resolved = filter.resolve(&services, nodes)?;
    let passed = passed_filter_args(filter);
    let node_ids = nodes_in_scope(filter, nodes)?;
    let task_ids = if by_service {
        let service_ids = services_in_scope(filter, &services)?;
        let mut with_nodes = passed.clone();
        with_nodes.extend(node_ids.iter().map(|id| format!("--filter=node={id}")));
        ps_each(transport, Object::Service, &service_ids, &with_nodes).await?
    } else if by_node {
        ps_each(transport, Object::Node, &node_ids, &passed).await?
    } else {
        // A service that does not decode still has an ID: its tasks are listed all the same.
        let service_ids: Vec<String> = services
            .iter()
            .map(|service| service.id.clone())
            .chain(
                services
                    .failures
                    .iter()
                    .filter_map(|failure| failure.id.clone()),
            )
            .collect();
        let all_nodes = match node_list {
            NodeList::Ids(ids) => ids,
            _ => Vec::new(),
        };
        let (mut from_services, from_nodes) = futures::try_join!(
            ps_each(transport, Object::Service, &service_ids, &passed),
            ps_each(transport, Object::Node, &all_nodes, &passed),
        )?;
        let seen: HashSet<String> = from_services.iter().cloned().collect();
        from_services.extend(from_nodes.into_iter().filter(|id| !seen.contains(id)));
        from_services
    };
    let inspected = transport
        .inspect_many::<Task>(&["inspect", "--type", "task"], &task_ids, ObjectKind::Task)
        .await?;
    let mut tasks = Listing::new(Vec::with_capacity(inspected.len()));
    for (index, (id, outcome)) in task_ids.iter().zip(inspected).enumerate() {
        match outcome {
            Ok(task) if resolved.matches(&task) => tasks.push(task),
            Ok(_) => {}
            // Removed between `ps` and `inspect`: the daemon would not list it now.
            Err(err) if err.is_not_found() => {}
            // Listed but undecodable: named, the others still listed.
            Err(Error::Decode { source, .. }) => tasks.failures.push(ItemFailure {
                index,
                id: Some(id.clone()),
                message: source.to_string(),
            }),
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
    let resolved = scope.resolve(services, &[])?;
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

/// `--filter=key=value` for the keys the daemon evaluates per task.
fn passed_filter_args(filter: &TaskFilter) -> Vec<String> {
    PASSED_KEYS
        .into_iter()
        .flat_map(|key| {
            filter
                .values(key)
                .map(move |value| format!("--filter={key}={value}"))
        })
        .collect()
}

/// The node IDs a `node` key resolves to (hostname, ID, unique prefix); empty without one.
fn nodes_in_scope(filter: &TaskFilter, nodes: &[Node]) -> Result<Vec<String>> {
    if filter.values(FilterKey::Node).next().is_none() {
        return Ok(Vec::new());
    }
    let mut scope = TaskFilter::new();
    for value in filter.values(FilterKey::Node) {
        scope.insert(FilterKey::Node, value);
    }
    let resolved = scope.resolve(&[], nodes)?;
    Ok(nodes
        .iter()
        .filter(|node| {
            let probe = Task {
                node_id: Some(node.id.clone()),
                ..Task::default()
            };
            resolved.matches(&probe)
        })
        .map(|node| node.id.clone())
        .collect())
}

/// Which `ps` command.
#[derive(Debug, Clone, Copy)]
enum Object {
    Service,
    Node,
}

impl Object {
    fn word(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Node => "node",
        }
    }

    fn kind(self) -> ObjectKind {
        match self {
            Self::Service => ObjectKind::Service,
            Self::Node => ObjectKind::Node,
        }
    }
}

/// Task IDs from `docker service ps` or `docker node ps`, several objects per call, calls run
/// concurrently. An object removed meanwhile (`no such service: X`, `node X not found`) is
/// skipped.
async fn ps_each(
    transport: &CliTransport,
    object: Object,
    object_ids: &[String],
    filters: &[String],
) -> Result<Vec<String>> {
    let chunks = chunk_ids(
        object_ids,
        spread(
            object_ids.len(),
            transport.inner.batch_size,
            transport.inner.concurrency,
        ),
        transport.inner.batch_bytes,
    );
    let pending: Vec<_> = chunks
        .into_iter()
        .map(|chunk| ps_chunk(transport, object, chunk, filters))
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

/// Objects per `ps` call: spread over the concurrent calls, never more than `batch_size`.
/// docker sends requests one after the other (`node ps` two per node), so 101 nodes in one
/// call wait for 202 round trips in a row; in four calls, for about 52.
fn spread(n_objects: usize, batch_size: usize, concurrency: usize) -> usize {
    n_objects
        .div_ceil(concurrency.max(1))
        .clamp(1, batch_size.max(1))
}

async fn ps_chunk(
    transport: &CliTransport,
    object: Object,
    chunk: &[String],
    filters: &[String],
) -> Result<Vec<String>> {
    let args = ps_args(object, chunk, filters);
    // A second try covers an object removed after the CLI resolved it but before the daemon
    // listed its tasks: the daemon then fails the whole call, the CLI's next try skips it.
    let mut attempt = 0;
    loop {
        attempt += 1;
        let output = transport.run(&args).await?;
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
                line.starts_with("WARNING") || object_failure(line, object.kind()).is_some()
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

/// `service|node ps -q --no-trunc --no-resolve FILTERS -- ID...` (`--no-resolve` spares the
/// client a request per node and service to print names that `-q` never shows).
fn ps_args(object: Object, object_ids: &[String], filters: &[String]) -> Vec<String> {
    let mut args: Vec<String> = [object.word(), "ps", "-q", "--no-trunc", "--no-resolve"]
        .map(str::to_owned)
        .into();
    args.extend(filters.iter().cloned());
    args.push(String::from("--"));
    args.extend(object_ids.iter().cloned());
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
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
    fn task_keys_are_passed_and_nodes_resolved() {
        let filter = TaskFilter::new()
            .desired_state(TaskState::Running)
            .id("abc")
            .node("node-2")
            .label("tier")
            .service("web");
        assert_eq!(
            passed_filter_args(&filter),
            ["--filter=id=abc", "--filter=desired-state=running"]
        );
        let nodes = vec![node("n1xyz", "node-1"), node("n2xyz", "node-2")];
        let scope = |filter: TaskFilter| nodes_in_scope(&filter, &nodes);
        assert_eq!(scope(filter).unwrap_or_default(), ["n2xyz"]);
        assert_eq!(
            scope(TaskFilter::new().node("n1").node("node-2")).unwrap_or_default(),
            ["n1xyz", "n2xyz"]
        );
        assert!(scope(TaskFilter::new()).unwrap_or_default().is_empty());
        let err = scope(TaskFilter::new().node("n")).err();
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
        let err = scope(TaskFilter::new().node("node-9")).err();
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
    fn ps_calls_are_spread_over_the_concurrency() {
        assert_eq!(spread(101, 200, 4), 26);
        assert_eq!(spread(1000, 200, 4), 200);
        assert_eq!(spread(3, 200, 4), 1);
        assert_eq!(spread(0, 200, 4), 1);
        assert_eq!(spread(10, 200, 0), 10);
    }

    #[test]
    fn ps_args_put_services_after_a_double_dash() {
        let node_args = ps_args(Object::Node, &["n1".to_owned()], &[]);
        assert_eq!(
            node_args,
            ["node", "ps", "-q", "--no-trunc", "--no-resolve", "--", "n1"]
        );
        let args = ps_args(
            Object::Service,
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
