//! The fake engine's Engine API: routes, version prefixes, the daemon's filter semantics,
//! name resolution and error messages, request recording, state updates, the unix socket and
//! a 50,000-task swarm.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod support;

use serde_json::Value;
use support::{encode, get, ids, request, task_ids};
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

fn sample_engine() -> (FakeEngine, FakeSwarm) {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let swarm = engine.swarm();
    (engine, swarm)
}

fn id_of(task: &Value) -> String {
    task["ID"].as_str().unwrap().to_owned()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn ping_answers_get_and_head_with_the_daemon_headers() {
    let (engine, _) = sample_engine();
    for target in ["/_ping", "/v1.41/_ping"] {
        let reply = get(&engine.host(), target);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, b"OK");
        assert_eq!(reply.header("Api-Version"), Some("1.41"));
        assert_eq!(reply.header("Swarm"), Some("active/manager"));
        assert_eq!(reply.header("Ostype"), Some("linux"));
        assert_eq!(reply.header("Docker-Experimental"), Some("false"));
    }
    let head = request(&engine.host(), "HEAD", "/_ping").unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("0"));
    assert_eq!(head.header("Api-Version"), Some("1.41"));
}

#[test]
fn version_prefixes_are_checked_against_the_configured_range() {
    let (engine, _) = sample_engine();
    let host = engine.host();
    assert_eq!(get(&host, "/tasks").status, 200);
    assert_eq!(get(&host, "/v1.24/tasks").status, 200);
    let too_new = get(&host, "/v1.50/tasks");
    assert_eq!(too_new.status, 400);
    assert_eq!(
        too_new.message(),
        "client version 1.50 is too new. Maximum supported API version is 1.41"
    );
    let too_old = get(&host, "/v1.5/version");
    assert_eq!(too_old.status, 400);
    assert!(String::from_utf8_lossy(&too_old.body).starts_with("client version 1.5 is too old"));

    engine.set_max_api_version("1.47");
    assert_eq!(get(&host, "/v1.47/tasks").status, 200);
    let version = get(&host, "/version").json();
    assert_eq!(version["ApiVersion"], "1.47");
    assert_eq!(version["MinAPIVersion"], "1.12");
    assert_eq!(get(&host, "/_ping").header("Api-Version"), Some("1.47"));

    let unknown = get(&host, "/v1.41/containers/json");
    assert_eq!(
        (unknown.status, unknown.message()),
        (404, "page not found".to_owned())
    );
    assert_eq!(engine.unknown_routes(), ["GET /v1.41/containers/json"]);
    assert_eq!(get(&host, "/vfoo/tasks").status, 404);
    assert_eq!(request(&host, "POST", "/tasks").unwrap().status, 404);
}

#[test]
fn info_names_the_manager_node() {
    let (engine, swarm) = sample_engine();
    let info = get(&engine.host(), "/v1.41/info").json();
    assert_eq!(info["Swarm"]["NodeID"].as_str(), swarm.node_id("node-1"));
    assert_eq!(info["Swarm"]["LocalNodeState"], "active");
    assert_eq!(info["Swarm"]["ControlAvailable"], true);
    assert!(info["ServerVersion"].is_string());
}

#[test]
fn task_filters_follow_the_daemon() {
    let (engine, swarm) = sample_engine();
    let host = engine.host();
    let web: Vec<String> = sorted(
        swarm
            .tasks_of_service("web")
            .iter()
            .map(|t| id_of(t))
            .collect(),
    );
    let web_id = swarm.service_id("web").unwrap();

    // Every container task without filters; service by name, ID and unique prefix, both shapes.
    assert_eq!(ids(&get(&host, "/tasks").json()).len(), swarm.tasks().len());
    assert_eq!(task_ids(&host, r#"{"service":["web"]}"#), web);
    assert_eq!(task_ids(&host, r#"{"service":{"web":true}}"#), web);
    assert_eq!(
        task_ids(&host, &format!(r#"{{"service":["{web_id}"]}}"#)),
        web
    );
    let prefix = unique_prefix(
        web_id,
        swarm.services().iter().map(|s| s["ID"].as_str().unwrap()),
    );
    assert_eq!(
        task_ids(&host, &format!(r#"{{"service":["{prefix}"]}}"#)),
        web
    );

    // Values of one key are OR'ed, keys AND'ed.
    let web_and_monitor = task_ids(&host, r#"{"service":["web","monitor"]}"#);
    assert_eq!(web_and_monitor.len(), 8);
    let running_web = task_ids(&host, r#"{"service":["web"],"desired-state":["running"]}"#);
    assert_eq!(running_web.len(), 3);
    assert_eq!(
        task_ids(&host, r#"{"desired-state":["Running"]}"#).len(),
        3 + 3 + 1
    );

    // node by hostname; label is the SERVICE's label; name is a prefix of the internal name.
    let node_1 = task_ids(&host, r#"{"node":["node-1"]}"#);
    assert_eq!(node_1.len(), 2);
    assert_eq!(
        task_ids(&host, r#"{"label":["com.example.tier=frontend"]}"#),
        web
    );
    assert_eq!(task_ids(&host, r#"{"label":["env=staging"]}"#).len(), 3);
    assert_eq!(task_ids(&host, r#"{"name":["web.1."]}"#).len(), 3);
    assert_eq!(task_ids(&host, r#"{"name":["web.1"]}"#).len(), 3);
    let first = id_of(&swarm.tasks()[0]);
    assert_eq!(
        task_ids(&host, &format!(r#"{{"id":["{first}"]}}"#)),
        vec![first.clone()]
    );
    // The docker CLI's internal key is accepted and ignored.
    assert_eq!(
        task_ids(&host, r#"{"_up-to-date":["true"],"service":["web"]}"#),
        web
    );
}

#[test]
fn task_filter_errors_are_the_daemons() {
    let (engine, _) = sample_engine();
    let host = engine.host();
    let cases = [
        (r#"{"colour":["red"]}"#, 400, "invalid filter 'colour'"),
        (r#"{"service":["nope"]}"#, 404, "service nope not found"),
        (r#"{"node":["nope"]}"#, 404, "node nope not found"),
        (
            r#"{"desired-state":["zzz"]}"#,
            500,
            "Invalid desired-state filter: 'zzz'",
        ),
        ("notjson", 400, "invalid filter"),
    ];
    for (filters, status, message) in cases {
        let reply = get(&host, &format!("/tasks?filters={}", encode(filters)));
        assert_eq!(
            (reply.status, reply.message()),
            (status, message.to_owned()),
            "{filters}"
        );
    }
}

#[test]
fn attachment_tasks_are_hidden_unless_asked_for() {
    let (engine, _) = sample_engine();
    engine.update(|swarm| {
        let mut attachment = swarm.tasks()[0].clone();
        attachment["ID"] = "attach0000000000000000000".into();
        attachment["Spec"] = serde_json::json!({"NetworkAttachmentSpec": {"ContainerID": "abc"}, "Runtime": "attachment"});
        swarm.tasks_mut().push(attachment);
    });
    let all = task_ids(&engine.host(), "{}");
    assert!(!all.contains(&"attach0000000000000000000".to_owned()));
    let attachments = task_ids(&engine.host(), r#"{"runtime":["attachment"]}"#);
    assert_eq!(attachments, vec!["attach0000000000000000000".to_owned()]);
}

#[test]
fn tasks_resolve_by_id_internal_name_and_unique_prefix() {
    let (engine, swarm) = sample_engine();
    let host = engine.host();
    let running = swarm
        .tasks_of_service("web")
        .into_iter()
        .find(|t| t["Slot"] == 2)
        .cloned()
        .unwrap();
    let id = id_of(&running);
    assert_eq!(
        get(&host, &format!("/v1.41/tasks/{id}")).json()["ID"],
        id.as_str()
    );
    let name = format!("web.2.{id}");
    assert_eq!(
        get(&host, &format!("/tasks/{name}")).json()["ID"],
        id.as_str()
    );
    let all_ids: Vec<String> = swarm.tasks().iter().map(id_of).collect();
    let prefix = unique_prefix(&id, all_ids.iter().map(String::as_str));
    assert_eq!(
        get(&host, &format!("/tasks/{prefix}")).json()["ID"],
        id.as_str()
    );

    let missing = get(&host, "/tasks/nope");
    assert_eq!(
        (missing.status, missing.message()),
        (404, "task nope not found".to_owned())
    );
    let (shared, n_matches) = shared_prefix(&all_ids);
    let ambiguous = get(&host, &format!("/tasks/{shared}"));
    assert_eq!(ambiguous.status, 400);
    assert_eq!(
        ambiguous.message(),
        format!("task {shared} is ambiguous ({n_matches} matches found)")
    );
}

#[test]
fn services_list_with_status_filters_and_lookup() {
    let (engine, swarm) = sample_engine();
    let host = engine.host();
    let services = get(&host, "/services").json();
    assert_eq!(services.as_array().unwrap().len(), 5);
    assert!(services[0].get("ServiceStatus").is_none());
    let with_status = get(&host, "/v1.41/services?status=true").json();
    let web = with_status
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Spec"]["Name"] == "web")
        .unwrap();
    assert_eq!(
        web["ServiceStatus"],
        serde_json::json!({"RunningTasks": 3, "DesiredTasks": 3, "CompletedTasks": 0})
    );
    let pending = with_status
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Spec"]["Name"] == "pending-svc")
        .unwrap();
    assert_eq!(pending["ServiceStatus"]["RunningTasks"], 0);

    let by_filter = |filters: &str| {
        ids(&get(&host, &format!("/services?filters={}", encode(filters))).json()).len()
    };
    assert_eq!(by_filter(r#"{"name":["web"]}"#), 1);
    assert_eq!(by_filter(r#"{"name":{"pending":true}}"#), 1);
    assert_eq!(by_filter(r#"{"mode":["global"]}"#), 1);
    assert_eq!(by_filter(r#"{"mode":["replicated-job"]}"#), 1);
    assert_eq!(by_filter(r#"{"label":["env=prod"]}"#), 3);
    assert_eq!(by_filter(r#"{"label":["env"]}"#), 5);
    let web_id = swarm.service_id("web").unwrap();
    assert_eq!(by_filter(&format!(r#"{{"id":["{}"]}}"#, &web_id[..5])), 1);
    assert_eq!(
        get(&host, "/services?filters=%7B%22colour%22%3A%5B%5D%7D").message(),
        "invalid filter 'colour'"
    );

    assert_eq!(
        get(&host, "/services/web?insertDefaults=false").json()["ID"],
        web_id
    );
    assert_eq!(
        get(&host, &format!("/services/{web_id}")).json()["Spec"]["Name"],
        "web"
    );
    assert_eq!(
        get(&host, &format!("/services/{}", &web_id[..6])).json()["Spec"]["Name"],
        "web"
    );
    let missing = get(&host, "/services/nope");
    assert_eq!(
        (missing.status, missing.message()),
        (404, "service nope not found".to_owned())
    );
}

#[test]
fn nodes_list_filters_and_lookup() {
    let (engine, swarm) = sample_engine();
    let host = engine.host();
    let by_filter = |filters: &str| get(&host, &format!("/nodes?filters={}", encode(filters)));
    assert_eq!(ids(&get(&host, "/nodes").json()).len(), 3);
    assert_eq!(ids(&by_filter(r#"{"role":["manager"]}"#).json()).len(), 1);
    assert_eq!(ids(&by_filter(r#"{"role":["worker"]}"#).json()).len(), 2);
    assert_eq!(ids(&by_filter(r#"{"name":["node-"]}"#).json()).len(), 3);
    assert_eq!(
        ids(&by_filter(r#"{"node.label":["zone=a"]}"#).json()).len(),
        1
    );
    assert_eq!(
        ids(&by_filter(r#"{"membership":["accepted"]}"#).json()).len(),
        3
    );
    let bad_role = by_filter(r#"{"role":["boss"]}"#);
    assert_eq!(
        (bad_role.status, bad_role.message()),
        (500, "Invalid role filter: 'boss'".to_owned())
    );

    let node_2 = swarm.node_id("node-2").unwrap();
    assert_eq!(get(&host, "/nodes/node-2").json()["ID"], node_2);
    assert_eq!(
        get(&host, &format!("/nodes/{node_2}")).json()["Description"]["Hostname"],
        "node-2"
    );
    // The daemon does not know `self`: the docker CLI resolves it through /info.
    let self_node = get(&host, "/nodes/self");
    assert_eq!(
        (self_node.status, self_node.message()),
        (404, "node self not found".to_owned())
    );
}

#[test]
fn requests_are_recorded_without_the_version_prefix() {
    let (engine, _) = sample_engine();
    let host = engine.host();
    get(&host, "/_ping");
    get(
        &host,
        "/v1.41/tasks?filters=%7B%22service%22%3A%5B%22web%22%5D%7D",
    );
    let requests = engine.requests();
    assert_eq!(engine.request_count(), 2);
    assert_eq!(requests[0].path, "/_ping");
    assert_eq!(requests[0].version, None);
    assert_eq!(requests[1].method, "GET");
    assert_eq!(requests[1].path, "/tasks");
    assert_eq!(requests[1].version.as_deref(), Some("1.41"));
    assert_eq!(
        requests[1].query_param("filters").as_deref(),
        Some(r#"{"service":["web"]}"#)
    );
    engine.reset_requests();
    assert_eq!(engine.request_count(), 0);
}

#[test]
fn updates_show_on_the_next_request() {
    let (engine, swarm) = sample_engine();
    let pending = id_of(swarm.tasks_of_service("pending-svc")[0]);
    let before = get(&engine.host(), &format!("/tasks/{pending}")).json();
    assert_eq!(before["Status"]["State"], "pending");
    let changed = engine.update(|swarm| swarm.set_task_state(&pending, "running", "started"));
    assert!(changed);
    let after = get(&engine.host(), &format!("/tasks/{pending}")).json();
    assert_eq!(after["Status"]["State"], "running");
    assert!(after["Version"]["Index"].as_u64() > before["Version"]["Index"].as_u64());
    assert_ne!(after["Status"]["Timestamp"], before["Status"]["Timestamp"]);
    let services = get(&engine.host(), "/services?status=true").json();
    let status = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Spec"]["Name"] == "pending-svc")
        .unwrap();
    assert_eq!(status["ServiceStatus"]["RunningTasks"], 1);
}

#[tokio::test]
async fn unix_socket_serves_the_same_api() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker.sock");
    let engine = FakeEngine::start_unix(FakeSwarm::sample(), &path).await;
    assert_eq!(engine.host(), format!("unix://{}", path.display()));
    let host = engine.host();
    let reply = tokio::task::spawn_blocking(move || {
        (
            get(&host, "/_ping"),
            task_ids(&host, r#"{"service":["web"]}"#),
        )
    })
    .await
    .unwrap();
    assert_eq!(reply.0.header("Swarm"), Some("active/manager"));
    assert_eq!(reply.1.len(), 5);
    drop(engine);
    assert!(!path.exists());
}

#[test]
fn fifty_thousand_tasks_are_served() {
    let engine = FakeEngine::start_blocking(FakeSwarm::generate(GenerateParams::tasks_50k()));
    let reply = get(&engine.host(), "/v1.41/tasks");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Transfer-Encoding"), Some("chunked"));
    let tasks: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(tasks.len(), 50_000);
    let one_service = task_ids(&engine.host(), r#"{"service":["svc-0042"]}"#);
    assert_eq!(one_service.len(), 500);
}

#[test]
fn snapshots_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let swarm = FakeSwarm::sample();
    swarm.write_snapshot(dir.path()).unwrap();
    for file in [
        "tasks.json",
        "services.json",
        "nodes.json",
        "info.json",
        "version.json",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    let read = FakeSwarm::from_snapshot(dir.path()).unwrap();
    assert_eq!(read.tasks(), swarm.tasks());
    assert_eq!(read.services(), swarm.services());
    assert_eq!(read.nodes(), swarm.nodes());
    assert_eq!(read.info(), swarm.info());
    std::fs::write(dir.path().join("tasks.json"), "{not json").unwrap();
    let err = FakeSwarm::from_snapshot(dir.path()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(FakeSwarm::from_snapshot(dir.path().join("missing")).is_err());
}

/// The shortest prefix of `id` that no other ID shares.
fn unique_prefix<'a>(id: &str, all: impl Iterator<Item = &'a str> + Clone) -> String {
    (1..=id.len())
        .map(|n| &id[..n])
        .find(|prefix| {
            all.clone()
                .filter(|other| other.starts_with(prefix))
                .count()
                == 1
        })
        .unwrap()
        .to_owned()
}

/// A one-character prefix shared by several IDs, and how many.
fn shared_prefix(all: &[String]) -> (String, usize) {
    let mut counts = std::collections::BTreeMap::new();
    for id in all {
        *counts.entry(id[..1].to_owned()).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .max_by_key(|(_, n)| *n)
        .unwrap()
}
