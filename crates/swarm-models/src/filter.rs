//! [`TaskFilter`]: the daemon's task filter keys as a builder, turned into the Engine API's
//! `filters` JSON or into `docker --filter` arguments, and evaluated against tasks the way
//! the daemon evaluates them (for the replay transport and the fake engine).
//!
//! Values of one key are OR'ed, except `label`: every given label must be on the service (the
//! daemon matches labels with `MatchKVList`). Keys are AND'ed. `service` and `node` accept a
//! name, an ID or a unique ID prefix; [`TaskFilter::resolve`] turns them into IDs first, and
//! fails like the daemon does when one matches nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::lookup::{self, LookupError};
use crate::naming::ServiceNames;
use crate::node::Node;
use crate::service::Service;
use crate::spec::Runtime;
use crate::state::TaskState;
use crate::task::Task;

/// The filter keys the daemon accepts on `GET /tasks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FilterKey {
    /// Task ID prefix.
    Id,
    /// Prefix of the task's internal name (`service.slot.taskid` or `service.nodeid.taskid`).
    Name,
    /// Service name, ID or unique ID prefix.
    Service,
    /// Node hostname, ID or unique ID prefix.
    Node,
    /// A label of the task's SERVICE: `key` or `key=value`.
    Label,
    /// The task's desired state.
    DesiredState,
    /// The runtime: container (the daemon's default), plugin or attachment.
    Runtime,
}

impl FilterKey {
    /// Every key, in the daemon's spelling.
    pub const ALL: [FilterKey; 7] = [
        Self::Id,
        Self::Name,
        Self::Service,
        Self::Node,
        Self::Label,
        Self::DesiredState,
        Self::Runtime,
    ];

    /// The key as the daemon spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
            Self::Service => "service",
            Self::Node => "node",
            Self::Label => "label",
            Self::DesiredState => "desired-state",
            Self::Runtime => "runtime",
        }
    }
}

impl fmt::Display for FilterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FilterKey {
    type Err = FilterError;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|known| known.as_str() == key)
            .ok_or_else(|| FilterError::UnknownKey {
                key: key.to_owned(),
            })
    }
}

/// Why a filter is not valid, or could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The key is not one the daemon accepts for tasks.
    #[error(
        "invalid filter '{key}': task filters are id, name, service, node, label, desired-state, runtime"
    )]
    UnknownKey {
        /// The key as given.
        key: String,
    },
    /// A `key=value` argument without `=`.
    #[error("bad format of filter {arg:?} (expected key=value)")]
    MissingEquals {
        /// The argument as given.
        arg: String,
    },
    /// The filters JSON is neither `{"k":["v"]}` nor `{"k":{"v":true}}`.
    #[error("invalid filters JSON: {reason}")]
    BadJson {
        /// What is wrong with it.
        reason: String,
    },
    /// A `service` or `node` value names no object, or several (see [`crate::lookup`]).
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

/// A task filter: a set of values per key.
///
/// ```
/// use swarm_models::{TaskFilter, TaskState};
///
/// let filter = TaskFilter::new()
///     .service("web")
///     .desired_state(TaskState::Running)
///     .label("tier=front");
/// assert_eq!(
///     filter.to_filters_json(),
///     r#"{"desired-state":["running"],"label":["tier=front"],"service":["web"]}"#
/// );
/// assert_eq!(filter.to_cli_args()[..2], ["--filter".to_string(), "service=web".to_string()]);
///
/// let parsed: TaskFilter = "node=worker-1".parse().unwrap();
/// assert!("colour=red".parse::<TaskFilter>().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct TaskFilter {
    values: BTreeMap<FilterKey, BTreeSet<String>>,
}

impl TaskFilter {
    /// An empty filter (matches every container task).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value for a key.
    pub fn with(mut self, key: FilterKey, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// Adds a value for a key, in place.
    pub fn insert(&mut self, key: FilterKey, value: impl Into<String>) {
        self.values.entry(key).or_default().insert(value.into());
    }

    /// Tasks whose ID starts with `prefix`.
    pub fn id(self, prefix: impl Into<String>) -> Self {
        self.with(FilterKey::Id, prefix)
    }

    /// Tasks whose internal name starts with `prefix`.
    pub fn name(self, prefix: impl Into<String>) -> Self {
        self.with(FilterKey::Name, prefix)
    }

    /// Tasks of a service (name, ID or unique ID prefix).
    pub fn service(self, service: impl Into<String>) -> Self {
        self.with(FilterKey::Service, service)
    }

    /// Tasks on a node (hostname, ID or unique ID prefix).
    pub fn node(self, node: impl Into<String>) -> Self {
        self.with(FilterKey::Node, node)
    }

    /// Tasks whose service has a label: `key` or `key=value`.
    pub fn label(self, label: impl Into<String>) -> Self {
        self.with(FilterKey::Label, label)
    }

    /// Tasks with this desired state.
    pub fn desired_state(self, state: TaskState) -> Self {
        self.with(FilterKey::DesiredState, state.as_str())
    }

    /// Tasks with this runtime (without one, the daemon lists container tasks only).
    pub fn runtime(self, runtime: Runtime) -> Self {
        self.with(FilterKey::Runtime, runtime.as_str())
    }

    /// Parses and adds a `key=value` argument as `docker --filter` takes it.
    pub fn push_arg(&mut self, arg: &str) -> Result<(), FilterError> {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| FilterError::MissingEquals {
                arg: arg.to_owned(),
            })?;
        let key: FilterKey = key.trim().parse()?;
        self.insert(key, value);
        Ok(())
    }

    /// True when no key has a value.
    pub fn is_empty(&self) -> bool {
        self.values.values().all(BTreeSet::is_empty)
    }

    /// The values of one key, sorted.
    pub fn values(&self, key: FilterKey) -> impl Iterator<Item = &str> {
        self.values
            .get(&key)
            .into_iter()
            .flat_map(|values| values.iter().map(String::as_str))
    }

    /// Every key with its values, keys in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (FilterKey, &str)> {
        self.values
            .iter()
            .flat_map(|(key, values)| values.iter().map(move |value| (*key, value.as_str())))
    }

    /// The Engine API's `filters` query value: `{"key":["value",...]}`, keys sorted.
    pub fn to_filters_json(&self) -> String {
        let map: BTreeMap<&str, Vec<&str>> = self
            .values
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(key, values)| (key.as_str(), values.iter().map(String::as_str).collect()))
            .collect();
        // Serializing a map of strings to string lists cannot fail.
        serde_json::to_string(&map).unwrap_or_else(|_| String::from("{}"))
    }

    /// Parses the Engine API's `filters` value, in either shape the daemon accepts:
    /// `{"k":["v"]}` or `{"k":{"v":true}}`. An unknown key is an error, as on the daemon.
    pub fn from_filters_json(json: &str) -> Result<Self, FilterError> {
        let mut filter = Self::new();
        for (key, values) in parse_filters_json(json)? {
            let key: FilterKey = key.parse()?;
            for value in values {
                filter.insert(key, value);
            }
        }
        Ok(filter)
    }

    /// `docker` arguments: `--filter key=value` for every value.
    pub fn to_cli_args(&self) -> Vec<String> {
        self.iter()
            .flat_map(|(key, value)| ["--filter".to_owned(), format!("{key}={value}")])
            .collect()
    }

    /// Resolves `service` and `node` values to IDs against the swarm's objects, as the
    /// daemon does, by the rule of [`crate::lookup`] (services by name, nodes by hostname).
    pub fn resolve(
        &self,
        services: &[Service],
        nodes: &[Node],
    ) -> Result<ResolvedTaskFilter, FilterError> {
        let mut service_ids = None;
        if self.values.contains_key(&FilterKey::Service) {
            let ids = self
                .values(FilterKey::Service)
                .map(|value| Ok(lookup::find(services, value)?.id.clone()))
                .collect::<Result<_, LookupError>>()?;
            service_ids = Some(ids);
        }
        let mut node_ids = None;
        if self.values.contains_key(&FilterKey::Node) {
            let ids = self
                .values(FilterKey::Node)
                .map(|value| Ok(lookup::find(nodes, value)?.id.clone()))
                .collect::<Result<_, LookupError>>()?;
            node_ids = Some(ids);
        }
        let service_names = ServiceNames::new(services);
        let service_labels = services
            .iter()
            .map(|s| (s.id.clone(), s.spec.labels.clone()))
            .collect();
        Ok(ResolvedTaskFilter {
            filter: self.clone(),
            service_ids,
            node_ids,
            service_names,
            service_labels,
        })
    }
}

impl FromStr for TaskFilter {
    type Err = FilterError;

    /// Parses one `key=value` argument.
    fn from_str(arg: &str) -> Result<Self, Self::Err> {
        let mut filter = Self::new();
        filter.push_arg(arg)?;
        Ok(filter)
    }
}

/// A [`TaskFilter`] whose service and node values were resolved to IDs; it can test tasks.
#[derive(Debug, Clone)]
pub struct ResolvedTaskFilter {
    filter: TaskFilter,
    service_ids: Option<BTreeSet<String>>,
    node_ids: Option<BTreeSet<String>>,
    service_names: ServiceNames,
    service_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl ResolvedTaskFilter {
    /// True when the daemon would return this task for the filter.
    pub fn matches(&self, task: &Task) -> bool {
        let filter = &self.filter;
        let any = |key: FilterKey, test: &dyn Fn(&str) -> bool| {
            let mut values = filter.values(key).peekable();
            values.peek().is_none() || values.any(test)
        };
        let service_id = task.service_id.as_deref().unwrap_or("");
        let node_id = task.node_id.as_deref().unwrap_or("");
        if let Some(ids) = &self.service_ids {
            if !ids.contains(service_id) {
                return false;
            }
        }
        if let Some(ids) = &self.node_ids {
            if !ids.contains(node_id) {
                return false;
            }
        }
        if !any(FilterKey::Id, &|prefix| task.id.starts_with(prefix)) {
            return false;
        }
        // The name is built (a string per task) only when a name filter needs it.
        let mut names = filter.values(FilterKey::Name).peekable();
        if names.peek().is_some() {
            let internal_name = self.service_names.internal_name(task);
            if !names.any(|prefix| internal_name.starts_with(prefix)) {
                return false;
            }
        }
        let desired = task
            .desired_state
            .as_ref()
            .map(TaskState::as_str)
            .unwrap_or("");
        // The daemon upper-cases the value before matching: `Running` works too.
        if !any(FilterKey::DesiredState, &|state| {
            state.eq_ignore_ascii_case(desired)
        }) {
            return false;
        }
        let mut wanted = filter.values(FilterKey::Label).peekable();
        if wanted.peek().is_some() {
            let labels = self.service_labels.get(service_id);
            if !labels.is_some_and(|labels| labels_match(labels, wanted)) {
                return false;
            }
        }
        let runtime = task.runtime();
        let mut runtimes = filter.values(FilterKey::Runtime).peekable();
        if runtimes.peek().is_none() {
            runtime == Runtime::Container
        } else {
            runtimes.any(|wanted| wanted == runtime.as_str())
        }
    }
}

/// The daemon's label rule (`MatchKVList`), for tasks (their service's labels), services
/// and nodes alike: every wanted `key` or `key=value` must be in `labels` (several values
/// are AND'ed, not OR'ed like other filter keys; checked on Engine 20.10), and `key=` with
/// an empty value asks for the key only.
///
/// ```
/// use std::collections::BTreeMap;
/// use swarm_models::labels_match;
///
/// let labels = BTreeMap::from([("tier".to_owned(), "front".to_owned())]);
/// assert!(labels_match(&labels, ["tier=front", "tier"]));
/// assert!(!labels_match(&labels, ["tier=front", "zone"]));
/// ```
pub fn labels_match<'w>(
    labels: &BTreeMap<String, String>,
    wanted: impl IntoIterator<Item = &'w str>,
) -> bool {
    wanted.into_iter().all(|label| match label.split_once('=') {
        Some((key, value)) if !value.is_empty() => {
            labels.get(key).is_some_and(|have| have == value)
        }
        Some((key, _)) => labels.contains_key(key),
        None => labels.contains_key(label),
    })
}

/// Parses an Engine API `filters` value of any route, in either shape the daemon accepts
/// (`{"k":["v"]}` or `{"k":{"v":true}}`), into values per key without checking the keys
/// (each route knows its own; [`TaskFilter::from_filters_json`] checks the task keys).
pub fn parse_filters_json(json: &str) -> Result<BTreeMap<String, BTreeSet<String>>, FilterError> {
    let bad = |reason: String| FilterError::BadJson { reason };
    let raw: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|err| bad(err.to_string()))?;
    let mut parsed = BTreeMap::new();
    for (key, values) in raw {
        let mut set = BTreeSet::new();
        match values {
            serde_json::Value::Array(items) => {
                for item in items {
                    match item {
                        serde_json::Value::String(value) => {
                            set.insert(value);
                        }
                        other => return Err(bad(format!("{key}: {other} is not a string"))),
                    }
                }
            }
            serde_json::Value::Object(items) => {
                for (value, enabled) in items {
                    if enabled == serde_json::Value::Bool(true) {
                        set.insert(value);
                    }
                }
            }
            other => return Err(bad(format!("{key}: {other} is neither a list nor a map"))),
        }
        parsed.insert(key, set);
    }
    Ok(parsed)
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
