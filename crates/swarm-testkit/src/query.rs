//! The swarm routes' logic: listing with filters and looking up one object by ID, name or
//! prefix, with the daemon's status codes and messages.
//!
//! Nothing here has rules of its own: filters are parsed by `swarm_models::parse_filters_json`,
//! task filters evaluated by `swarm_models::TaskFilter` (shared with the replay transport),
//! labels matched by `swarm_models::labels_match` and objects looked up by
//! `swarm_models::lookup`, so the fake engine cannot drift from what the library claims.
//! Only which keys each route accepts, and the daemon's status codes, are written here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, MutexGuard, PoisonError};

use serde::Deserialize;
use serde_json::Value;
use swarm_models::lookup::{self, Lookup, LookupError, ObjectKind};
use swarm_models::{
    FilterError, FilterKey, Node, Service, ServiceNames, TaskFilter, TaskState, labels_match,
    parse_filters_json,
};

use crate::swarm::{FakeSwarm, Parsed};

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

/// How many task list bodies a swarm keeps (`Parsed::task_lists`).
const KEPT_TASK_LISTS: usize = 4;

/// `GET /tasks?filters=...`: the matching tasks, serialized, with the newline Go's encoder
/// ends a body with. A body is kept until the swarm changes, and sent again as it was when
/// the same `filters` ask again.
pub(crate) fn list_tasks(
    swarm: &FakeSwarm,
    filters: Option<&str>,
) -> Result<Arc<Vec<u8>>, ApiError> {
    let parsed = swarm.parsed();
    let key = filters.unwrap_or("");
    if let Some((_, body)) = kept_lists(parsed).iter().find(|(kept, _)| kept == key) {
        return Ok(body.clone());
    }
    let body = Arc::new(match_tasks(swarm, filters)?);
    let mut kept = kept_lists(parsed);
    if kept.len() >= KEPT_TASK_LISTS {
        kept.remove(0);
    }
    kept.push((key.to_owned(), body.clone()));
    Ok(body)
}

/// The task list bodies a swarm keeps. A panic elsewhere leaves them as good as they were.
fn kept_lists(parsed: &Parsed) -> MutexGuard<'_, Vec<(String, Arc<Vec<u8>>)>> {
    parsed
        .task_lists
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// The body of `GET /tasks?filters=...`, made now.
fn match_tasks(swarm: &FakeSwarm, filters: Option<&str>) -> Result<Vec<u8>, ApiError> {
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
            FilterError::Lookup(lookup) => lookup_error(&lookup),
            other => ApiError::new(400, other.to_string()),
        })?;
    // The tasks' JSON is written once per change of the swarm (`Parsed::task_json`); a list
    // is those texts joined, byte for byte what serializing the matching values gives.
    let matching: Vec<&[u8]> = parsed
        .task_json
        .iter()
        .zip(&parsed.tasks)
        .filter(|(_, task)| match task {
            Some(task) => resolved.matches(task),
            None => filter.is_empty(),
        })
        .map(|(json, _)| json.as_slice())
        .collect();
    let size = matching.iter().map(|json| json.len() + 1).sum::<usize>() + 2;
    let mut body = Vec::with_capacity(size);
    body.push(b'[');
    for (index, json) in matching.into_iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        body.extend_from_slice(json);
    }
    body.extend_from_slice(b"]\n");
    Ok(body)
}

/// The daemon's answer to a reference that names no object (404) or several (400).
fn lookup_error(err: &LookupError) -> ApiError {
    let status = match err {
        LookupError::Ambiguous { .. } => 400,
        _ => 404,
    };
    ApiError::new(status, err.to_string())
}

/// `GET /tasks/{id}`: [`lookup::find_task`] (full ID, internal name, unique ID prefix).
pub(crate) fn find_task<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    let parsed = swarm.parsed();
    let names = ServiceNames::new(&parsed.services);
    let tasks: Vec<(&Value, Option<&swarm_models::Task>)> = swarm
        .tasks()
        .iter()
        .zip(parsed.tasks.iter().map(Option::as_ref))
        .collect();
    lookup::find_by(
        ObjectKind::Task,
        &tasks,
        id,
        |(raw, _)| raw["ID"].as_str().unwrap_or_default(),
        |(_, task)| !id.is_empty() && task.is_some_and(|task| names.internal_name(task) == id),
    )
    .map(|(raw, _)| *raw)
    .map_err(|err| lookup_error(&err))
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
        let model = Service::deserialize(service).unwrap_or_default();
        let keep = prefix_any(&raw, "id", &model.id)
            && prefix_any(&raw, "name", model.name().unwrap_or_default())
            && labels_all(&raw, "label", &model.spec.labels)
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

/// `GET /services/{id}`: [`lookup::find`] (full ID, name, unique ID prefix).
pub(crate) fn find_service<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    find_object::<Service>(swarm.services(), id)
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
            let model = Node::deserialize(*node).unwrap_or_default();
            let description = model.description.clone().unwrap_or_default();
            let engine_labels = description
                .engine
                .map(|engine| engine.labels)
                .unwrap_or_default();
            // The daemon's node `name` filter is a prefix of the HOSTNAME, as its lookup.
            prefix_any(&raw, "id", &model.id)
                && prefix_any(&raw, "name", model.hostname().unwrap_or_default())
                && labels_all(&raw, "node.label", &model.spec.labels)
                && labels_all(&raw, "label", &engine_labels)
                && values_any(&raw, "role", |role| node["Spec"]["Role"] == role)
                && values_any(&raw, "membership", |membership| {
                    node["Spec"]["Membership"].as_str().unwrap_or("accepted") == membership
                })
        })
        .collect();
    Ok(serde_json::to_vec(&matching).unwrap_or_default())
}

/// `GET /nodes/{id}`: [`lookup::find`] (full ID, hostname, unique ID prefix).
pub(crate) fn find_node<'a>(swarm: &'a FakeSwarm, id: &str) -> Result<&'a Value, ApiError> {
    find_object::<Node>(swarm.nodes(), id)
}

/// The raw object `id` names, by the models' lookup rule for `T`.
fn find_object<'a, T>(objects: &'a [Value], id: &str) -> Result<&'a Value, ApiError>
where
    T: Lookup + for<'de> Deserialize<'de>,
{
    let pairs: Vec<(&Value, Option<T>)> = objects
        .iter()
        .map(|raw| (raw, T::deserialize(raw).ok()))
        .collect();
    lookup::find_by(
        T::KIND,
        &pairs,
        id,
        |(raw, _)| raw["ID"].as_str().unwrap_or_default(),
        |(_, model)| model.as_ref().is_some_and(|model| model.has_name(id)),
    )
    .map(|(raw, _)| *raw)
    .map_err(|err| lookup_error(&err))
}

/// Parses the `filters` parameter (`swarm_models::parse_filters_json`) and rejects keys
/// not in `accepted`.
fn parse_filters(
    filters: Option<&str>,
    accepted: &[&str],
) -> Result<BTreeMap<String, BTreeSet<String>>, ApiError> {
    let Some(json) = filters.filter(|json| !json.trim().is_empty()) else {
        return Ok(BTreeMap::new());
    };
    let parsed = parse_filters_json(json).map_err(|_| ApiError::new(400, "invalid filter"))?;
    if let Some(key) = parsed.keys().find(|key| !accepted.contains(&key.as_str())) {
        return Err(ApiError::new(400, format!("invalid filter '{key}'")));
    }
    Ok(parsed)
}

/// True when the key has no values or any value passes.
fn values_any(
    raw: &BTreeMap<String, BTreeSet<String>>,
    key: &str,
    test: impl Fn(&str) -> bool,
) -> bool {
    raw.get(key)
        .is_none_or(|values| values.is_empty() || values.iter().any(|value| test(value)))
}

fn prefix_any(raw: &BTreeMap<String, BTreeSet<String>>, key: &str, have: &str) -> bool {
    values_any(raw, key, |prefix| have.starts_with(prefix))
}

/// Label filters: EVERY wanted label must match (`swarm_models::labels_match`).
fn labels_all(
    raw: &BTreeMap<String, BTreeSet<String>>,
    key: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    raw.get(key)
        .is_none_or(|wanted| labels_match(labels, wanted.iter().map(String::as_str)))
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

    /// `text` with the newline a body ends with.
    fn line(mut text: Vec<u8>) -> Vec<u8> {
        text.push(b'\n');
        text
    }

    /// The joined texts are what serializing the matching values gives (and a newline),
    /// empty list included; a list asked again is the body kept, and a change of the tasks
    /// is served at once.
    #[test]
    fn a_task_list_is_the_serialized_matching_tasks() {
        let mut swarm = FakeSwarm::sample();
        let all = serde_json::to_vec(swarm.tasks()).unwrap();
        let first = list_tasks(&swarm, None).unwrap();
        assert_eq!(*first, line(all));
        let web: Vec<&Value> = swarm
            .tasks()
            .iter()
            .filter(|task| {
                let service = task["ServiceID"].as_str().unwrap_or_default();
                swarm
                    .services()
                    .iter()
                    .any(|s| s["ID"].as_str() == Some(service) && s["Spec"]["Name"] == "web")
            })
            .collect();
        assert!(!web.is_empty());
        assert_eq!(
            *list_tasks(&swarm, Some(r#"{"service":["web"]}"#)).unwrap(),
            line(serde_json::to_vec(&web).unwrap())
        );
        assert_eq!(
            *list_tasks(&swarm, Some(r#"{"id":["nosuchtask"]}"#)).unwrap(),
            b"[]\n"
        );
        assert!(Arc::ptr_eq(&first, &list_tasks(&swarm, None).unwrap()));
        swarm.tasks_mut().truncate(1);
        assert_eq!(count(&list_tasks(&swarm, None).unwrap()), 1);
    }

    /// At most a few bodies are kept; the oldest goes first.
    #[test]
    fn a_few_task_lists_are_kept() {
        let swarm = FakeSwarm::sample();
        let first = list_tasks(&swarm, None).unwrap();
        for id in 0..KEPT_TASK_LISTS {
            list_tasks(&swarm, Some(&format!(r#"{{"id":["{id}"]}}"#))).unwrap();
        }
        let again = list_tasks(&swarm, None).unwrap();
        assert_eq!(first, again);
        assert!(!Arc::ptr_eq(&first, &again), "the oldest body was dropped");
        assert_eq!(
            swarm.parsed().task_lists.lock().unwrap().len(),
            KEPT_TASK_LISTS
        );
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
