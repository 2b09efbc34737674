//! Routing of Engine API requests to answers: the `/vX.Y` prefix and its version checks,
//! `/_ping`, `/version`, `/info` and the swarm routes, with the daemon's headers and errors.

use serde_json::Value;

use crate::fault::NotManagerKind;
use crate::http::{Request, Response};
use crate::objects::ENGINE_VERSION;
use crate::query::{self, ApiError};
use crate::swarm::FakeSwarm;

/// What an answer depends on besides the swarm.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub max_api_version: String,
    pub min_api_version: String,
    pub not_manager: Option<NotManagerKind>,
}

/// Splits `/v1.41/tasks` into `(Some("1.41"), "/tasks")`. A path whose first segment is not
/// `v` followed by digits and dots keeps its prefix (and ends up a 404, as on the daemon).
pub(crate) fn split_version(path: &str) -> (Option<&str>, &str) {
    let Some(rest) = path.strip_prefix("/v") else {
        return (None, path);
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let version = &rest[..end];
    if version.is_empty()
        || !version
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
    {
        return (None, path);
    }
    let remainder = &rest[end..];
    (
        Some(version),
        if remainder.is_empty() { "/" } else { remainder },
    )
}

/// What to do with a logs request.
#[derive(Debug)]
pub(crate) enum LogsRoute {
    /// Stream the logs recorded for this full task or service ID.
    Serve { id: String },
    /// Answer this instead (an unknown target, a bad query, a version or swarm error).
    Answer(Response),
}

/// Recognizes `GET [/vX.Y]/tasks/{id}/logs` and `GET [/vX.Y]/services/{id}/logs`; `None`
/// for any other request.
pub(crate) fn logs_route(
    swarm: &FakeSwarm,
    request: &Request,
    context: &Context,
) -> Option<LogsRoute> {
    let (version, path) = split_version(&request.path);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (kind, id) = match segments.as_slice() {
        [kind @ ("tasks" | "services"), id, "logs"] if !id.is_empty() => (*kind, *id),
        _ => return None,
    };
    if request.method != "GET" {
        return None;
    }
    let answer = |response: Response| Some(LogsRoute::Answer(with_headers(response, context)));
    if let Some(Err(response)) = version.map(|version| check_version(version, context)) {
        return answer(response);
    }
    if let Some(not_manager) = context.not_manager {
        return answer(Response::error(503, not_manager.message()));
    }
    let found = if kind == "tasks" {
        query::find_task(swarm, id)
    } else {
        query::find_service(swarm, id)
    };
    let object = match found {
        Ok(object) => object,
        Err(ApiError { status, message }) => return answer(Response::error(status, &message)),
    };
    if !request.query_bool("stdout") && !request.query_bool("stderr") {
        // What Docker 20.10 answers (a 500, not a 400).
        return answer(Response::error(
            500,
            "Bad parameters: you must choose at least one stream",
        ));
    }
    let id = object["ID"].as_str().unwrap_or(id).to_owned();
    Some(LogsRoute::Serve { id })
}

/// The headers every daemon answer carries.
pub(crate) fn with_headers(response: Response, context: &Context) -> Response {
    response
        .header("Api-Version", context.max_api_version.clone())
        .header("Docker-Experimental", "false")
        .header("Ostype", "linux")
        .header("Server", format!("Docker/{ENGINE_VERSION} (linux)"))
}

/// Answers one request; `None` when no route matches (the answer is then "page not found").
pub(crate) fn route(swarm: &FakeSwarm, request: &Request, context: &Context) -> (Response, bool) {
    let (version, path) = split_version(&request.path);
    let (response, known) = match version.map(|version| check_version(version, context)) {
        Some(Err(response)) => (response, true),
        _ => match dispatch(swarm, request, path, context) {
            Some(response) => (response, true),
            None => (page_not_found(), false),
        },
    };
    (with_headers(response, context), known)
}

fn dispatch(
    swarm: &FakeSwarm,
    request: &Request,
    path: &str,
    context: &Context,
) -> Option<Response> {
    let method = request.method.as_str();
    if path == "/_ping" && (method == "GET" || method == "HEAD") {
        return Some(ping(context));
    }
    if method != "GET" {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let swarm_route = matches!(
        segments.first(),
        Some(&("tasks" | "services" | "nodes" | "swarm"))
    );
    if let (true, Some(kind)) = (swarm_route, context.not_manager) {
        return Some(Response::error(503, kind.message()));
    }
    let filters = request.query_param("filters");
    let result = match segments.as_slice() {
        ["version"] => Ok(Response::json(200, &version_body(swarm, context))),
        ["info"] => Ok(Response::json(200, &info_body(swarm, context))),
        ["tasks"] => query::list_tasks(swarm, filters.as_deref())
            .map(|body| Response::json_shared(200, body)),
        ["tasks", id] if !id.is_empty() => query::find_task(swarm, id).map(ok_value),
        ["services"] => {
            query::list_services(swarm, filters.as_deref(), request.query_bool("status"))
                .map(ok_bytes)
        }
        ["services", id] if !id.is_empty() => query::find_service(swarm, id).map(ok_value),
        ["nodes"] => query::list_nodes(swarm, filters.as_deref()).map(ok_bytes),
        ["nodes", id] if !id.is_empty() => query::find_node(swarm, id).map(ok_value),
        ["swarm"] => Ok(Response::json(200, &swarm.info()["Swarm"]["Cluster"])),
        _ => return None,
    };
    Some(result.unwrap_or_else(|ApiError { status, message }| Response::error(status, &message)))
}

fn ok_bytes(bytes: Vec<u8>) -> Response {
    Response::json_bytes(200, bytes)
}

fn ok_value(value: &Value) -> Response {
    Response::json(200, value)
}

/// The daemon's answer to an unknown route.
pub(crate) fn page_not_found() -> Response {
    Response::error(404, "page not found")
}

/// Rejects versions above the maximum (JSON error) or below the minimum (plain text, as the
/// daemon's version middleware writes it).
fn check_version(version: &str, context: &Context) -> Result<(), Response> {
    let requested = parse_version(version);
    if requested > parse_version(&context.max_api_version) {
        return Err(Response::error(
            400,
            &format!(
                "client version {version} is too new. Maximum supported API version is {}",
                context.max_api_version
            ),
        ));
    }
    if requested < parse_version(&context.min_api_version) {
        return Err(Response::text(
            400,
            &format!(
                "client version {version} is too old. Minimum supported API version is {}, please upgrade your client to a newer version\n",
                context.min_api_version
            ),
        ));
    }
    Ok(())
}

/// `"1.41"` as `(1, 41)` so that `1.5 < 1.41`; unparsable parts count as 0.
pub(crate) fn parse_version(version: &str) -> (u64, u64) {
    let mut parts = version.split('.').map(|part| part.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn ping(context: &Context) -> Response {
    let swarm = context
        .not_manager
        .map(NotManagerKind::ping_header)
        .unwrap_or("active/manager");
    Response::text(200, "OK")
        .header("Builder-Version", "2")
        .header("Cache-Control", "no-cache, no-store, must-revalidate")
        .header("Pragma", "no-cache")
        .header("Swarm", swarm)
}

fn version_body(swarm: &FakeSwarm, context: &Context) -> Value {
    let mut body = swarm.version().clone();
    body["ApiVersion"] = Value::from(context.max_api_version.clone());
    body["MinAPIVersion"] = Value::from(context.min_api_version.clone());
    if let Some(details) = body["Components"]
        .get_mut(0)
        .and_then(|engine| engine.get_mut("Details"))
        .and_then(Value::as_object_mut)
    {
        details.insert(
            "ApiVersion".into(),
            Value::from(context.max_api_version.clone()),
        );
        details.insert(
            "MinAPIVersion".into(),
            Value::from(context.min_api_version.clone()),
        );
    }
    body
}

/// The `/info` body; a not-a-manager state shows in `Swarm` as it would on such a daemon.
fn info_body(swarm: &FakeSwarm, context: &Context) -> Value {
    let mut body = swarm.info().clone();
    let Some(kind) = context.not_manager else {
        return body;
    };
    let Some(section) = body.get_mut("Swarm").and_then(Value::as_object_mut) else {
        return body;
    };
    section.insert(
        "LocalNodeState".into(),
        Value::from(kind.local_node_state()),
    );
    section.insert("ControlAvailable".into(), Value::from(false));
    section.remove("Cluster");
    match kind {
        NotManagerKind::NotInSwarm | NotManagerKind::Locked => {
            section.insert("NodeID".into(), Value::from(""));
            section.insert("NodeAddr".into(), Value::from(""));
            section.insert("RemoteManagers".into(), Value::Null);
            section.insert("Nodes".into(), Value::from(0));
            section.insert("Managers".into(), Value::from(0));
        }
        NotManagerKind::CertificatesExpired => {
            section.insert("Error".into(), Value::from(kind.message()));
        }
        NotManagerKind::Worker | NotManagerKind::Preparing => {}
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_prefixes() {
        assert_eq!(split_version("/v1.41/tasks"), (Some("1.41"), "/tasks"));
        assert_eq!(split_version("/v1.41"), (Some("1.41"), "/"));
        assert_eq!(split_version("/tasks"), (None, "/tasks"));
        assert_eq!(split_version("/vfoo/tasks"), (None, "/vfoo/tasks"));
        assert!(parse_version("1.5") < parse_version("1.41"));
    }
}
