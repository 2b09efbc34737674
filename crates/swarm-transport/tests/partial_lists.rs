//! Partial lists: one object that does not decode never hides the others. Every transport
//! returns the objects that decode plus, for each one that does not, its index, its ID and
//! the decode error (`Listing::failures`).
#![cfg(all(unix, feature = "http", feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;

use serde_json::{Value, json};
use swarm_models::TaskFilter;
use swarm_testkit::{FakeEngine, FakeSwarm};
use swarm_transport::{
    CliConnection, CliTransport, HttpTransport, ReplayTransport, Snapshot, Transport,
};

/// An exit code of 1.5: the daemon would never send it, the models refuse it (an i64).
fn spoil(object: &mut Value) {
    object["Status"]["ContainerStatus"]["ExitCode"] = json!(1.5);
}

/// The sample swarm with its first task, first service and first node spoiled; their IDs.
fn spoiled_swarm() -> (FakeSwarm, String, String, String) {
    let mut swarm = FakeSwarm::sample();
    let task = &mut swarm.tasks_mut()[0];
    spoil(task);
    let task_id = task["ID"].as_str().unwrap().to_owned();
    let service = &mut swarm.services_mut()[0];
    service["Spec"]["Mode"] = json!("replicated");
    let service_id = service["ID"].as_str().unwrap().to_owned();
    let node = &mut swarm.nodes_mut()[0];
    node["Status"]["State"] = json!(["not", "a", "string"]);
    let node_id = node["ID"].as_str().unwrap().to_owned();
    (swarm, task_id, service_id, node_id)
}

/// The good objects and a failure naming each spoiled one, through `transport`.
async fn lists_the_good_objects_and_names_the_bad_ones(
    transport: &dyn Transport,
    engine: &FakeEngine,
    (task_id, service_id, node_id): (&str, &str, &str),
) {
    let tasks = transport.list_tasks(&TaskFilter::new()).await.unwrap();
    assert_eq!(tasks.failures.len(), 1, "{:?}", tasks.failures);
    let failure = &tasks.failures[0];
    assert_eq!(failure.id.as_deref(), Some(task_id));
    assert!(failure.message.contains("1.5"), "{}", failure.message);
    assert!(tasks.iter().all(|task| task.id != task_id));
    // Every other task is there: one fewer than the same swarm unspoiled.
    let clean = FakeEngine::start(FakeSwarm::sample()).await;
    let clean = HttpTransport::builder().host(clean.host()).build().unwrap();
    let all = clean.list_tasks(&TaskFilter::new()).await.unwrap();
    assert!(all.is_complete());
    assert_eq!(tasks.len() + 1, all.len());

    let services = transport.list_services().await.unwrap();
    assert_eq!(services.failures.len(), 1, "{:?}", services.failures);
    assert_eq!(services.failures[0].id.as_deref(), Some(service_id));
    assert!(services.iter().all(|service| service.id != service_id));
    assert_eq!(services.len() + 1, engine.swarm().services().len());

    let nodes = transport.list_nodes().await.unwrap();
    assert_eq!(nodes.failures.len(), 1, "{:?}", nodes.failures);
    assert_eq!(nodes.failures[0].id.as_deref(), Some(node_id));
    assert_eq!(nodes.failures[0].index, 0);
    assert_eq!(nodes.len() + 1, engine.swarm().nodes().len());
}

#[tokio::test]
async fn http_lists_the_good_objects_and_names_the_bad_ones() {
    let (swarm, task_id, service_id, node_id) = spoiled_swarm();
    let engine = FakeEngine::start(swarm).await;
    let http = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    let ids = (task_id.as_str(), service_id.as_str(), node_id.as_str());
    lists_the_good_objects_and_names_the_bad_ones(&http, &engine, ids).await;
}

/// Over `docker system dial-stdio` the CLI transport decodes the daemon's own answers, so a
/// bad object is kept aside exactly as over HTTP.
#[tokio::test]
async fn dial_stdio_lists_the_good_objects_and_names_the_bad_ones() {
    if swarm_testkit::require("docker", "by the dial-stdio partial-list test").is_none() {
        return;
    }
    let (swarm, task_id, service_id, node_id) = spoiled_swarm();
    let dir = tempfile::tempdir().unwrap();
    let engine = FakeEngine::spawn_unix(swarm, &dir.path().join("docker.sock")).unwrap();
    let cli = CliTransport::builder()
        .host(engine.host())
        .config_dir(dir.path().join("config"))
        .connection(CliConnection::DialStdio)
        .build();
    let ids = (task_id.as_str(), service_id.as_str(), node_id.as_str());
    lists_the_good_objects_and_names_the_bad_ones(&cli, &engine, ids).await;
}

#[tokio::test]
async fn replay_lists_the_good_objects_and_names_the_bad_ones() {
    let (swarm, task_id, service_id, node_id) = spoiled_swarm();
    let dir = tempfile::tempdir().unwrap();
    swarm.write_snapshot(dir.path()).unwrap();
    let snapshot = Snapshot::read(dir.path()).unwrap();
    assert_eq!(snapshot.task_failures.len(), 1);
    let replay = ReplayTransport::open(dir.path()).unwrap();

    let tasks = replay.list_tasks(&TaskFilter::new()).await.unwrap();
    assert_eq!(tasks.failures.len(), 1);
    assert_eq!(tasks.failures[0].id.as_deref(), Some(task_id.as_str()));
    assert!(!tasks.is_empty());
    let services = replay.list_services().await.unwrap();
    assert_eq!(
        services.failures[0].id.as_deref(),
        Some(service_id.as_str())
    );
    assert_eq!(services.len() + 1, swarm.services().len());
    let nodes = replay.list_nodes().await.unwrap();
    assert_eq!(nodes.failures[0].id.as_deref(), Some(node_id.as_str()));
    assert_eq!(nodes.len() + 1, swarm.nodes().len());
}

/// The CLI transport's command fallback over a scripted `docker` without `dial-stdio` (the
/// real client's `service ps` decodes lists itself and fails whole on such objects, so the
/// fake engine cannot produce this through it).
#[tokio::test]
async fn cli_lists_the_good_tasks_and_names_the_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("docker");
    let good = r#"{"ID":"t1good","ServiceID":"s1aaaaaaaaaaaaaaaaaaaaaaa","Slot":1,"NodeID":"n1","DesiredState":"running","Status":{"State":"running"}}"#;
    let bad = r#"{"ID":"t2bad","ServiceID":"s1aaaaaaaaaaaaaaaaaaaaaaa","Slot":2,"NodeID":"n1","DesiredState":"running","Status":{"State":"running","ContainerStatus":{"ExitCode":1.5}}}"#;
    let script = format!(
        "#!/bin/sh\ncase \"$*\" in\n\
         *'service ls'*) echo 's1aaaaaaaaaa 1/2' ;;\n\
         *'node ls'*) echo n1 ;;\n\
         *'service inspect'*) echo '[{{\"ID\":\"s1aaaaaaaaaaaaaaaaaaaaaaa\",\"Spec\":{{\"Name\":\"web\"}}}}]' ;;\n\
         *'service ps'*) printf 't1good\\nt2bad\\n' ;;\n\
         *'node ps'*) printf 't1good\\nt2bad\\n' ;;\n\
         *'inspect --type task'*) echo '[{good},{bad}]' ;;\n\
         esac\n"
    );
    std::fs::write(&program, script).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cli = CliTransport::builder()
        .program(program)
        .host("tcp://fake:2375")
        .build();
    let tasks = cli.list_tasks(&TaskFilter::new()).await.unwrap();
    let ids: Vec<&str> = tasks.iter().map(|task| task.id.as_str()).collect();
    assert_eq!(ids, ["t1good"]);
    assert_eq!(tasks.failures.len(), 1, "{:?}", tasks.failures);
    assert_eq!(tasks.failures[0].id.as_deref(), Some("t2bad"));
    assert!(tasks.failures[0].message.contains("1.5"));
}
