//! The swarm routes' logic: listing with filters and looking up one object by ID, name or
//! prefix, with the daemon's status codes and messages.
//!
//! Task filters are evaluated by `swarm_models::TaskFilter` (the daemon's semantics live
//! there, shared with the replay transport); service and node filters are small enough to be
//! evaluated here.

use std::collections::BTreeMap;

use serde_json::Value;
use swarm_models::{FilterError, FilterKey, TaskFilter, TaskState};

use crate::swarm::FakeSwarm;

/// An error answer: status and the daemon's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

/// The filter keys `GET /tasks` accepts (`_up-to-date` is internal to the docker CLI).
const TASK_KEYS: &[&str] = &[
    "id",
    "name",
    "service",
    "node",
    "label",
    "desired-state",
    "runtime",
    "_up-to-date",
];
const SERVICE_KEYS: &[&str] = &["id", "label", "mode", "name", "runtime"];
const NODE_KEYS: &[&str] = &["id", "label", "name", "node.label", "membership", "role"];

/// `GET /tasks?filters=...`: the matching tasks, serialized.
pub(crate) fn list_tasks(swarm: &FakeSwarm, filters: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let raw = parse_filters(filters, TASK_KEYS)?;
    let mut filter = TaskFilter::new();
    for (key, values) in &raw {
        if key == "_up-to-date" {
            continue;
        }
        let key: FilterKey = key
            .parse()
            .map_err(|_| ApiError::new(400, format!("invalid filter '{key}'")))?;
        for value in values {
            if key == FilterKey::DesiredState {
                let lower = value.to_ascii_lowercase();
                let unknown = TaskState::from(lower.as_str()).is_unknown();
                if unknown && !value.is_empty() {
                    return Err(ApiError::new(
                        500,
                        format!("Invalid desired-state filter: '{value}'"),
                    ));
                }
                filter.insert(key, lower);
            } else {
                filter.insert(key, value.clone());
            }
        }
    }
    let parsed = swarm.parsed();
    let resolved = filter
        .resolve(&parsed.services, &parsed.nodes)
        .map_err(|err| match err {
            FilterError::ServiceNotFound { .. } | FilterError::NodeNotFound { .. } => {
                ApiError::new(404, err.to_string())
            }
            other => ApiError::new(400, other.to_string()),
        })?;
    let matching: Vec<&Value> = swarm
        .tasks()
        .iter()
        .zip(&parsed.tasks)
        .filter(|(_, task)| match task {
            Some(task) => resolved.matches(task),
            None => filter.is_empty(),
        })
        .map(|(raw, _)| raw)
        .collect();
    Ok(serde_json::to_vec(&matching).unwrap_or_default())
}

/// `GET /tasks/{id}`: full ID, then exact internal name, then unique ID prefix.
pub(crate) fn find_task<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    let tasks = swarm.tasks();
    if let Some(task) = tasks.iter().find(|task| task["ID"] == id) {
        return Ok(task);
    }
    let parsed = swarm.parsed();
    let names = TaskFilter::new()
        .resolve(&parsed.services, &parsed.nodes)
        .map_err(|err| ApiError::new(500, err.to_string()))?;
    let by_name: Vec<&Value> = tasks
        .iter()
        .zip(&parsed.tasks)
        .filter(|(_, task)| {
            task.as_ref()
                .is_some_and(|task| names.internal_name(task) == id)
        })
        .map(|(raw, _)| raw)
        .collect();
    let candidates = if by_name.is_empty() {
        tasks
            .iter()
            .filter(|task| {
                task["ID"]
                    .as_str()
                    .is_some_and(|task_id| task_id.starts_with(id))
            })
            .collect()
    } else {
        by_name
    };
    unique("task", id, candidates)
}

/// `GET /services`: with `status`, adds `ServiceStatus` task counts.
pub(crate) fn list_services(
    swarm: &FakeSwarm,
    filters: Option<&str>,
    status: bool,
) -> Result<Vec<u8>, ApiError> {
    let raw = parse_filters(filters, SERVICE_KEYS)?;
    let parsed = swarm.parsed();
    let mut matching = Vec::new();
    for service in swarm.services() {
        let name = service["Spec"]["Name"].as_str().unwrap_or_default();
        let keep = prefix_any(&raw, "id", service["ID"].as_str().unwrap_or_default())
            && prefix_any(&raw, "name", name)
            && labels_any(&raw, "label", &service["Spec"]["Labels"])
            && values_any(&raw, "mode", |mode| service_mode_is(service, mode))
            && values_any(&raw, "runtime", |runtime| {
                service["Spec"]["TaskTemplate"]["Runtime"]
                    .as_str()
                    .unwrap_or("container")
                    == runtime
            });
        if !keep {
            continue;
        }
        let mut service = service.clone();
        if status {
            service["ServiceStatus"] = service_status(&service, parsed);
        }
        matching.push(service);
    }
    Ok(serde_json::to_vec(&matching).unwrap_or_default())
}

/// `GET /services/{id}`: full ID, exact name, unique ID prefix.
pub(crate) fn find_service<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    find_object("service", swarm.services(), id, |service| {
        service["Spec"]["Name"].as_str() == Some(id)
    })
}

/// `GET /nodes`.
pub(crate) fn list_nodes(swarm: &FakeSwarm, filters: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let raw = parse_filters(filters, NODE_KEYS)?;
    for role in raw.get("role").into_iter().flatten() {
        if role != "manager" && role != "worker" {
            return Err(ApiError::new(500, format!("Invalid role filter: '{role}'")));
        }
    }
    for membership in raw.get("membership").into_iter().flatten() {
        if membership != "accepted" && membership != "pending" {
            return Err(ApiError::new(
                500,
                format!("Invalid membership filter: '{membership}'"),
            ));
        }
    }
    let matching: Vec<&Value> = swarm
        .nodes()
        .iter()
        .filter(|node| {
            let spec_name = node["Spec"]["Name"].as_str().unwrap_or_default();
            let hostname = node["Description"]["Hostname"].as_str().unwrap_or_default();
            prefix_any(&raw, "id", node["ID"].as_str().unwrap_or_default())
                && (prefix_any(&raw, "name", spec_name) || prefix_any(&raw, "name", hostname))
                && labels_any(&raw, "node.label", &node["Spec"]["Labels"])
                && labels_any(&raw, "label", &node["Description"]["Engine"]["Labels"])
                && values_any(&raw, "role", |role| node["Spec"]["Role"] == role)
                && values_any(&raw, "membership", |membership| {
                    node["Spec"]["Membership"].as_str().unwrap_or("accepted") == membership
                })
        })
        .collect();
    Ok(serde_json::to_vec(&matching).unwrap_or_default())
}

/// `GET /nodes/{id}`: full ID, exact name or hostname, unique ID prefix.
pub(crate) fn find_node<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    find_object("node", swarm.nodes(), id, |node| {
        node["Spec"]["Name"].as_str() == Some(id)
            || node["Description"]["Hostname"].as_str() == Some(id)
    })
}

fn find_object<'a>(
    kind: &str,
    objects: &'a [Value],
    id: &str,
    has_name: impl Fn(&Value) -> bool,
) -> Result<&'a Value, ApiError> {
    if let Some(object) = objects.iter().find(|object| object["ID"] == id) {
        return Ok(object);
    }
    let by_name: Vec<&Value> = objects.iter().filter(|object| has_name(object)).collect();
    let candidates = if by_name.is_empty() {
        objects
            .iter()
            .filter(|object| {
                object["ID"]
                    .as_str()
                    .is_some_and(|object_id| object_id.starts_with(id))
            })
            .collect()
    } else {
        by_name
    };
    unique(kind, id, candidates)
}

fn unique<'a>(kind: &str, id: &str, candidates: Vec<&'a Value>) -> Result<&'a Value, ApiError> {
    match candidates.as_slice() {
        [only] => Ok(only),
        [] => Err(ApiError::new(404, format!("{kind} {id} not found"))),
        many => Err(ApiError::new(
            400,
            format!("{kind} {id} is ambiguous ({} matches found)", many.len()),
        )),
    }
}

/// Parses the `filters` parameter in either shape and rejects keys not in `accepted`.
fn parse_filters(
    filters: Option<&str>,
    accepted: &[&str],
) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
    let mut parsed = BTreeMap::new();
    let Some(json) = filters.filter(|json| !json.trim().is_empty()) else {
        return Ok(parsed);
    };
    let invalid = || ApiError::new(400, "invalid filter");
    let raw: BTreeMap<String, Value> = serde_json::from_str(json).map_err(|_| invalid())?;
    for (key, values) in raw {
        if !accepted.contains(&key.as_str()) {
            return Err(ApiError::new(400, format!("invalid filter '{key}'")));
        }
        let values: Vec<String> = match values {
            Value::Array(items) => items
                .into_iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or_else(invalid))
                .collect::<Result<_, _>>()?,
            Value::Object(items) => items
                .into_iter()
                .filter(|(_, enabled)| *enabled == Value::Bool(true))
                .map(|(value, _)| value)
                .collect(),
            _ => return Err(invalid()),
        };
        parsed.insert(key, values);
    }
    Ok(parsed)
}

/// True when the key has no values or any value passes.
fn values_any(raw: &BTreeMap<String, Vec<String>>, key: &str, test: impl Fn(&str) -> bool) -> bool {
    raw.get(key)
        .is_none_or(|values| values.is_empty() || values.iter().any(|value| test(value)))
}

fn prefix_any(raw: &BTreeMap<String, Vec<String>>, key: &str, have: &str) -> bool {
    values_any(raw, key, |prefix| have.starts_with(prefix))
}

/// Label filters: every wanted `key` or `key=value` must be present (the daemon ANDs labels).
fn labels_any(raw: &BTreeMap<String, Vec<String>>, key: &str, labels: &Value) -> bool {
    raw.get(key).is_none_or(|wanted| {
        wanted.iter().all(|label| match label.split_once('=') {
            Some((name, value)) if !value.is_empty() => labels[name] == value,
            Some((name, _)) => labels.get(name).is_some(),
            None => labels.get(label).is_some(),
        })
    })
}

fn service_mode_is(service: &Value, mode: &str) -> bool {
    let spec_mode = &service["Spec"]["Mode"];
    let key = match mode {
        "replicated" => "Replicated",
        "global" => "Global",
        "replicated-job" => "ReplicatedJob",
        "global-job" => "GlobalJob",
        _ => return false,
    };
    spec_mode.get(key).is_some()
}

/// `ServiceStatus` as swarmkit's ListServiceStatuses computes it (one definition, in
/// swarm-models, shared with the replay transport).
fn service_status(service: &Value, parsed: &crate::swarm::Parsed) -> Value {
    let service: swarm_models::Service =
        serde_json::from_value(service.clone()).unwrap_or_default();
    let status = swarm_models::ServiceStatus::from_tasks(&service, parsed.tasks.iter().flatten());
    serde_json::to_value(status).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(bytes: &[u8]) -> usize {
        serde_json::from_slice::<Vec<Value>>(bytes).unwrap().len()
    }

    #[test]
    fn task_filters_and_errors() {
        let swarm = FakeSwarm::sample();
        assert_eq!(
            count(&list_tasks(&swarm, None).unwrap()),
            swarm.tasks().len()
        );
        assert_eq!(
            count(&list_tasks(&swarm, Some(r#"{"service":["web"]}"#)).unwrap()),
            5
        );
        assert_eq!(
            count(
                &list_tasks(
                    &swarm,
                    Some(r#"{"service":{"web":true},"desired-state":{"Running":true}}"#)
                )
                .unwrap()
            ),
            3
        );
        let err = list_tasks(&swarm, Some(r#"{"colour":["red"]}"#)).unwrap_err();
        assert_eq!(err, ApiError::new(400, "invalid filter 'colour'"));
        let err = list_tasks(&swarm, Some(r#"{"service":["nope"]}"#)).unwrap_err();
        assert_eq!(err, ApiError::new(404, "service nope not found"));
        let err = list_tasks(&swarm, Some(r#"{"desired-state":["zzz"]}"#)).unwrap_err();
        assert_eq!(err.status, 500);
    }

    #[test]
    fn service_status_counts() {
        let swarm = FakeSwarm::sample();
        let services: Vec<Value> =
            serde_json::from_slice(&list_services(&swarm, None, true).unwrap()).unwrap();
        let web = services
            .iter()
            .find(|s| s["Spec"]["Name"] == "web")
            .unwrap();
        assert_eq!(web["ServiceStatus"]["RunningTasks"], 3);
        assert_eq!(web["ServiceStatus"]["DesiredTasks"], 3);
        let monitor = services
            .iter()
            .find(|s| s["Spec"]["Name"] == "monitor")
            .unwrap();
        assert_eq!(monitor["ServiceStatus"]["DesiredTasks"], 3);
        let migrate = services
            .iter()
            .find(|s| s["Spec"]["Name"] == "migrate")
            .unwrap();
        assert_eq!(migrate["ServiceStatus"]["CompletedTasks"], 2);
    }
}
