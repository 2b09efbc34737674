//! Display rows for `service ps` / `node ps`, derived from tasks, services and nodes.
//!
//! Everything here is a pure function over data already fetched, so the one-shot calls
//! ([`Client::service_ps`](crate::Client::service_ps), [`Client::rows`](crate::Client::rows))
//! and a future watch stream produce exactly the same rows from the same objects. The rules
//! are docker's (docker/cli `cli/command/task`): a task is named `service.slot`, or
//! `service.nodeID` when it has no slot (global services and global jobs); rows sort by name
//! in natural order (`.2` before `.10`), then newest first; the older tasks of a slot follow
//! the newest one and are marked as history.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

use serde::Serialize;
use swarm_models::{Node, PortConfig, Service, ServiceNames, Task, TaskState, Timestamp};

use crate::ps::PsOptions;

/// One task as `docker service ps` shows it, with the whole task kept beside the columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskRow {
    /// The task itself, unchanged (for `--format json`, IDs and anything not in a column).
    pub task: Task,
    /// docker's display name: `service.slot`, or `service.nodeID` for tasks without a slot
    /// (global services and global jobs). With `no_resolve` the service part is its ID.
    pub name: String,
    /// The service's name (its ID with `no_resolve`, or when the service is unknown).
    pub service_name: String,
    /// The node's hostname (its ID with `no_resolve`, or when the node is unknown); `None`
    /// while the task is not assigned to a node.
    pub node_name: Option<String>,
    /// The image as the task spec gives it, digest included; see [`TaskRow::display_image`].
    pub image: Option<String>,
    /// The state the orchestrator wants.
    pub desired_state: Option<TaskState>,
    /// The state the task is in.
    pub current_state: Option<TaskState>,
    /// When the task entered its current state (`Status.Timestamp`).
    pub since: Option<Timestamp>,
    /// The task's error (`Status.Err`), if any.
    pub error: Option<String>,
    /// Ports published directly on the node (`Status.PortStatus.Ports`).
    pub ports: Vec<PortConfig>,
    /// True for an older task of the same slot, listed right after the newest one; docker
    /// renders it as ` \_ name`.
    pub is_history: bool,
}

impl TaskRow {
    /// The row of one task, its names looked up in `names`; `is_history` is false until
    /// [`mark_history`] runs over sorted rows.
    pub fn new(task: Task, names: &NameIndex) -> Self {
        row_for(task, names)
    }

    /// The image as docker shows it without `--no-trunc`: see [`display_image`].
    pub fn display_image(&self) -> Option<String> {
        self.image
            .as_deref()
            .map(|image| display_image(image).into_owned())
    }

    /// The task ID.
    pub fn id(&self) -> &str {
        &self.task.id
    }
}

/// The image as `docker service ps` shows it by default: for a tagged reference, the
/// familiar name and tag without the digest (`docker.io/library/nginx:1.25@sha256:ab..`
/// becomes `nginx:1.25`). A reference without a tag, or one that does not parse as a
/// reference, is shown unchanged, digest included, as docker does.
///
/// ```
/// use swarm_tasks::rows::display_image;
///
/// assert_eq!(display_image("busybox:1.36@sha256:abc"), "busybox:1.36");
/// assert_eq!(display_image("docker.io/library/redis:7"), "redis:7");
/// assert_eq!(display_image("busybox@sha256:abc"), "busybox@sha256:abc");
/// ```
pub fn display_image(image: &str) -> Cow<'_, str> {
    let name_and_tag = image.split_once('@').map_or(image, |(before, _)| before);
    let last_slash = name_and_tag.rfind('/').map_or(0, |idx| idx + 1);
    let Some(colon) = name_and_tag[last_slash..]
        .rfind(':')
        .map(|idx| idx + last_slash)
    else {
        return Cow::Borrowed(image);
    };
    let (name, tag) = (&name_and_tag[..colon], &name_and_tag[colon + 1..]);
    if !is_valid_tag(tag) || !is_valid_name(name) {
        return Cow::Borrowed(image);
    }
    Cow::Owned(format!("{}:{tag}", familiar_name(name)))
}

/// Compares two strings the way docker's `sortorder.NaturalLess` orders task names: runs of
/// digits compare as numbers (`web.2` < `web.10`), everything else byte by byte. Strings that
/// are numerically equal but spelled differently (`a.01`, `a.1`) still get a stable order.
pub fn natural_cmp(left: &str, right: &str) -> Ordering {
    let (mut a, mut b) = (left.as_bytes(), right.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return left.cmp(right),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let a_len = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let b_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (a_digits, a_rest) = a.split_at(a_len);
                let (b_digits, b_rest) = b.split_at(b_len);
                let a_num = trim_zeros(a_digits);
                let b_num = trim_zeros(b_digits);
                let by_value = a_num.len().cmp(&b_num.len()).then_with(|| a_num.cmp(b_num));
                let by_spelling = by_value.then_with(|| a_len.cmp(&b_len));
                if by_spelling != Ordering::Equal {
                    return by_spelling;
                }
                (a, b) = (a_rest, b_rest);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

/// Looks up service and node names by ID, for building rows.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    services: ServiceNames,
    nodes: HashMap<String, String>,
}

impl NameIndex {
    /// Indexes service names and node hostnames.
    pub fn new(services: &[Service], nodes: &[Node]) -> Self {
        Self {
            services: ServiceNames::new(services),
            nodes: nodes
                .iter()
                .filter_map(|node| Some((node.id.clone(), node.hostname()?.to_owned())))
                .collect(),
        }
    }

    /// An index that resolves nothing: every name is the ID (docker's `--no-resolve`).
    pub fn ids_only() -> Self {
        Self::default()
    }

    /// The service's name, or the ID when unknown.
    pub fn service<'a>(&'a self, id: &'a str) -> &'a str {
        self.services.name_or_id(id)
    }

    /// The node's hostname, or the ID when unknown.
    pub fn node<'a>(&'a self, id: &'a str) -> &'a str {
        self.nodes.get(id).map_or(id, String::as_str)
    }
}

/// Turns tasks into rows: names, docker's order, history marks, then the `latest` and
/// `states` options of [`PsOptions`] (the `filter` was applied by the daemon already).
///
/// `latest` keeps the newest task of each slot; `states` then keeps rows whose current state
/// is listed; history marks are computed over what remains, so the first row of each slot is
/// never history. With `no_resolve`, `names` is ignored and IDs are shown.
pub fn build_rows(tasks: Vec<Task>, names: &NameIndex, options: &PsOptions) -> Vec<TaskRow> {
    let ids_only = NameIndex::ids_only();
    let names = if options.no_resolve { &ids_only } else { names };
    let mut rows: Vec<TaskRow> = tasks.into_iter().map(|task| row_for(task, names)).collect();
    sort_rows(&mut rows);
    if options.latest {
        mark_history(&mut rows);
        rows.retain(|row| !row.is_history);
    }
    if !options.states.is_empty() {
        rows.retain(|row| {
            row.current_state
                .as_ref()
                .is_some_and(|state| options.states.contains(state))
        });
    }
    mark_history(&mut rows);
    rows
}

/// Sorts rows in docker's order: name in natural order, then newest (`CreatedAt`) first.
/// The sort is stable, so tasks with equal names and times keep their input order.
pub fn sort_rows(rows: &mut [TaskRow]) {
    rows.sort_by(|left, right| {
        natural_cmp(&left.name, &right.name)
            .then_with(|| right.task.created_at.cmp(&left.task.created_at))
    });
}

/// Marks each row whose name equals the previous row's name as history (rows must be sorted).
pub fn mark_history(rows: &mut [TaskRow]) {
    let mut previous: Option<String> = None;
    for row in rows.iter_mut() {
        row.is_history = previous.as_deref() == Some(row.name.as_str());
        if !row.is_history {
            previous = Some(row.name.clone());
        }
    }
}

fn row_for(task: Task, names: &NameIndex) -> TaskRow {
    let service_id = task.service_id.as_deref().unwrap_or("");
    let service_name = names.service(service_id).to_owned();
    let node_name = task
        .node_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .map(|id| names.node(id).to_owned());
    TaskRow {
        name: task.display_name(&service_name),
        service_name,
        node_name,
        image: task.image().map(str::to_owned),
        desired_state: task.desired_state.clone(),
        current_state: task.status.state.clone(),
        since: task.status.timestamp,
        error: task.error().map(str::to_owned),
        ports: task
            .status
            .port_status
            .as_ref()
            .map(|status| status.ports.clone())
            .unwrap_or_default(),
        is_history: false,
        task,
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|c| **c == b'0').count();
    &digits[zeros..]
}

/// A docker tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    let first_ok = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric() || first == '_');
    first_ok
        && tag.len() <= 128
        && chars.all(|character| {
            character.is_ascii_alphanumeric() || matches!(character, '_' | '.' | '-')
        })
}

/// A repository name with an optional domain: path components are lowercase.
fn is_valid_name(name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let (_, path) = split_domain(name);
    !path.is_empty()
        && path.split('/').all(|component| {
            !component.is_empty()
                && component.chars().all(|character| {
                    character.is_ascii_lowercase()
                        || character.is_ascii_digit()
                        || matches!(character, '.' | '_' | '-')
                })
        })
}

/// Splits `registry.example:5000/team/app` into the domain and the path, the way the docker
/// reference library decides whether the first component is a registry.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// The name without `docker.io/` and `library/`, as docker prints it.
fn familiar_name(name: &str) -> &str {
    let (domain, path) = split_domain(name);
    match domain {
        Some("docker.io" | "index.docker.io") | None => match path.strip_prefix("library/") {
            Some(short) if !short.contains('/') => short,
            _ => path,
        },
        Some(_) => name,
    }
}

#[cfg(test)]
#[path = "rows_tests.rs"]
mod tests;
