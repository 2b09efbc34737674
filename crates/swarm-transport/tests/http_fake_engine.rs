//! HttpTransport against swarm-testkit's fake engine over TCP and a unix socket: request
//! counts, version negotiation, lookups, filters, not-a-manager answers, and agreement with
//! ReplayTransport over the same swarm.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use serde_json::Value;
use swarm_models::{TaskFilter, TaskState};
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, NotManagerKind};
use swarm_transport::{
    ApiVersion, Error, HttpTransport, NotManagerReason, ObjectKind, ReplayTransport, SwarmState,
    Transport,
};

fn transport(engine: &FakeEngine) -> HttpTransport {
    HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap()
}

fn task_ids(swarm: &FakeSwarm) -> Vec<String> {
    swarm
        .tasks()
        .iter()
        .filter_map(|task| task["ID"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn listing_with_a_filter_is_one_request_after_the_first_ping() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = transport(&engine);
    let filter = TaskFilter::new()
        .service("web")
        .desired_state(TaskState::Running);

    let tasks = docker.list_tasks(&filter).await.unwrap();
    let web_id = engine.swarm().service_id("web").unwrap().to_owned();
    assert!(!tasks.is_empty());
    assert!(
        tasks
            .iter()
            .all(|task| task.service_id.as_deref() == Some(web_id.as_str()))
    );
    assert!(
        tasks
            .iter()
            .all(|task| task.desired_state == Some(TaskState::Running))
    );

    let requests = engine.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].path, "/_ping");
    assert_eq!(requests[1].path, "/tasks");
    assert_eq!(requests[1].version.as_deref(), Some("1.41"));
    assert_eq!(
        requests[1].query_param("filters"),
        Some(filter.to_filters_json())
    );

    docker.list_tasks(&TaskFilter::new()).await.unwrap();
    let requests = engine.requests();
    assert_eq!(requests.len(), 3, "no second ping: {requests:?}");
    assert_eq!(
        requests[2].query, None,
        "an empty filter sends no filters parameter"
    );

    // Clones share the negotiated version and the connection pool.
    docker.clone().list_nodes().await.unwrap();
    assert_eq!(engine.request_count(), 4);
}

#[tokio::test]
async fn works_over_a_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    let engine = FakeEngine::start_unix(FakeSwarm::sample(), &socket).await;
    let docker = transport(&engine);
    assert_eq!(docker.endpoint(), format!("unix://{}", socket.display()));

    let nodes = docker.list_nodes().await.unwrap();
    let mut hostnames: Vec<&str> = nodes.iter().filter_map(|node| node.hostname()).collect();
    hostnames.sort_unstable();
    assert_eq!(hostnames, ["node-1", "node-2", "node-3"]);

    let info = docker.system_info().await.unwrap();
    assert!(info.is_manager);
    assert_eq!(info.swarm, SwarmState::Active);
    assert_eq!(info.api_version, "1.41");
    assert_eq!(info.daemon_api_version.as_deref(), Some("1.41"));
    assert_eq!(info.node_id.as_deref(), engine.swarm().self_node_id());
    assert!(info.engine_version.is_some());
}

#[tokio::test]
async fn negotiates_the_lower_version_and_rejects_old_daemons() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    engine.set_max_api_version("1.44");
    assert_eq!(
        transport(&engine).api_version().await.unwrap(),
        ApiVersion::new(1, 44)
    );
    engine.set_max_api_version("1.56");
    assert_eq!(
        transport(&engine).api_version().await.unwrap(),
        ApiVersion::MAX
    );

    engine.set_max_api_version("1.40");
    engine.reset_requests();
    let services = transport(&engine).list_services().await.unwrap();
    assert!(!services.is_empty());
    let request = engine.requests().pop().unwrap();
    assert_eq!(
        (request.path.as_str(), request.version.as_deref()),
        ("/services", Some("1.40"))
    );
    assert_eq!(
        request.query_param("status"),
        None,
        "status=true needs API 1.41"
    );

    engine.set_max_api_version("1.41");
    engine.reset_requests();
    let services = transport(&engine).list_services().await.unwrap();
    assert_eq!(
        engine
            .requests()
            .pop()
            .unwrap()
            .query_param("status")
            .as_deref(),
        Some("true")
    );
    assert!(
        services
            .iter()
            .any(|service| service.service_status.is_some())
    );

    engine.set_max_api_version("1.23");
    let err = transport(&engine).list_nodes().await.unwrap_err();
    assert!(
        matches!(&err, Error::ApiVersion { daemon, minimum, .. } if daemon == "1.23" && minimum == "1.24"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_pinned_version_skips_the_ping() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = HttpTransport::builder()
        .host(engine.host())
        .api_version(Some("1.40".to_owned()))
        .build()
        .unwrap();
    docker.list_tasks(&TaskFilter::new()).await.unwrap();
    let requests = engine.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].version.as_deref(), Some("1.40"));
}

#[tokio::test]
async fn inspects_by_id_name_and_prefix() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = transport(&engine);
    let swarm = engine.swarm();
    let web_task = swarm.tasks_of_service("web")[0].clone();
    let id = web_task["ID"].as_str().unwrap().to_owned();

    assert_eq!(docker.inspect_task(&id).await.unwrap().id, id);
    assert_eq!(docker.inspect_task(&id[..10]).await.unwrap().id, id);
    let name = format!("web.{}.{id}", web_task["Slot"].as_u64().unwrap());
    assert_eq!(docker.inspect_task(&name).await.unwrap().id, id);

    let err = docker.inspect_task("doesnotexist").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Task, id } if id == "doesnotexist"),
        "{err:?}"
    );
    for odd in ["", ".", "..", "../info"] {
        let err = docker.inspect_task(odd).await.unwrap_err();
        assert!(err.is_not_found(), "{odd:?}: {err:?}");
    }
    let err = docker.inspect_task("a/b?c").await.unwrap_err();
    assert!(
        err.is_not_found(),
        "ids are percent-encoded into one path segment: {err:?}"
    );

    // A second task sharing the first 6 characters makes that prefix ambiguous.
    let mut twin = web_task.clone();
    twin["ID"] = Value::from(format!("{}zzzzzzzzzzzzzzzzzzz", &id[..6]));
    engine.update(|swarm| swarm.tasks_mut().push(twin));
    let err = docker.inspect_task(&id[..6]).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Ambiguous {
                kind: ObjectKind::Task,
                matches: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn inspect_many_keeps_input_order_and_per_id_outcomes() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = transport(&engine);
    let mut ids = task_ids(&engine.swarm());
    ids.insert(1, "unknown-id".to_owned());
    let outcomes = docker.inspect_tasks(&ids).await.unwrap();
    assert_eq!(outcomes.len(), ids.len());
    for (outcome, id) in outcomes.iter().zip(&ids) {
        assert_eq!(&outcome.id, id);
        match &outcome.result {
            Ok(task) => assert_eq!(&task.id, id),
            Err(err) => assert!(id == "unknown-id" && err.is_not_found(), "{id}: {err:?}"),
        }
    }
    let before = engine.request_count();
    assert!(docker.inspect_tasks(&[]).await.unwrap().is_empty());
    assert_eq!(engine.request_count(), before, "[] sends no request");
}

#[tokio::test]
async fn filter_values_and_keys_the_daemon_rejects() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = transport(&engine);
    let err = docker
        .list_tasks(&TaskFilter::new().service("no-such-service"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "no-such-service"),
        "{err:?}"
    );
    let err = docker
        .list_tasks_with_filters_json(r#"{"colour":["red"]}"#)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidFilter { message } if message.contains("colour")),
        "{err:?}"
    );
    let tasks = docker
        .list_tasks_with_filters_json(r#"{"service":{"web":true}}"#)
        .await
        .unwrap();
    assert_eq!(tasks.len(), engine.swarm().tasks_of_service("web").len());
}

#[tokio::test]
async fn not_a_manager_is_classified_for_every_daemon_message() {
    let cases = [
        (NotManagerKind::NotInSwarm, NotManagerReason::NotInSwarm),
        (NotManagerKind::Worker, NotManagerReason::Worker),
        (NotManagerKind::Preparing, NotManagerReason::Preparing),
        (NotManagerKind::Locked, NotManagerReason::Locked),
        (
            NotManagerKind::CertificatesExpired,
            NotManagerReason::ExpiredCertificates,
        ),
    ];
    for (kind, want) in cases {
        let engine = FakeEngine::start(FakeSwarm::sample()).await;
        engine.set_fault(Fault::NotManager(kind));
        let docker = transport(&engine);
        let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
        let Error::NotManager {
            reason, message, ..
        } = &err
        else {
            panic!("{kind:?}: {err:?}")
        };
        assert_eq!(
            (*reason, message.as_str()),
            (want, kind.message()),
            "{kind:?}"
        );
        assert!(matches!(
            docker.list_services().await,
            Err(Error::NotManager { .. })
        ));
        assert!(matches!(
            docker.list_nodes().await,
            Err(Error::NotManager { .. })
        ));
        let info = docker.system_info().await.unwrap();
        assert!(!info.is_manager, "{kind:?}: {info:?}");
        assert_eq!(
            info.swarm,
            SwarmState::parse(kind.local_node_state()),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn replay_of_a_written_sample_agrees_with_the_engine() {
    let swarm = FakeSwarm::sample();
    let dir = tempfile::tempdir().unwrap();
    swarm.write_snapshot(dir.path()).unwrap();
    let replay = ReplayTransport::open(dir.path()).unwrap();
    let engine = FakeEngine::start(swarm.clone()).await;
    let docker = transport(&engine);

    let filters = [
        TaskFilter::new(),
        TaskFilter::new().service("web"),
        TaskFilter::new().node("node-2"),
        TaskFilter::new().desired_state(TaskState::Running),
        TaskFilter::new().label("env=staging"),
        TaskFilter::new().service("monitor").node("node-1"),
        TaskFilter::new().name("web.1"),
    ];
    for filter in &filters {
        let mut live = docker.list_tasks(filter).await.unwrap();
        let mut replayed = replay.list_tasks(filter).await.unwrap();
        live.sort_by(|a, b| a.id.cmp(&b.id));
        replayed.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(live, replayed, "{}", filter.to_filters_json());
    }
    let id = task_ids(&swarm).remove(0);
    assert_eq!(
        replay.inspect_task(&id[..8]).await.unwrap(),
        docker.inspect_task(&id[..8]).await.unwrap()
    );
    assert_eq!(
        replay.list_nodes().await.unwrap().len(),
        docker.list_nodes().await.unwrap().len()
    );
    let mut live = docker.list_services().await.unwrap();
    let mut replayed = replay.list_services().await.unwrap();
    live.sort_by(|a, b| a.id.cmp(&b.id));
    replayed.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(live, replayed, "task counts included");
    let (live, replayed) = (
        docker.system_info().await.unwrap(),
        replay.system_info().await.unwrap(),
    );
    assert_eq!(
        (live.node_id, live.is_manager),
        (replayed.node_id, replayed.is_manager)
    );
}

/// Set in the child run of [`from_env_reads_docker_host_and_api_version`].
const FROM_ENV_CHILD_VAR: &str = "SWARM_TRANSPORT_TEST_FROM_ENV_CHILD";

#[tokio::test]
async fn from_env_reads_docker_host_and_api_version() {
    if std::env::var_os(FROM_ENV_CHILD_VAR).is_some() {
        // The child run: the environment below is all it has to go on.
        let docker = HttpTransport::from_env().unwrap();
        assert!(
            docker.endpoint().starts_with("tcp://127.0.0.1:"),
            "{}",
            docker.endpoint()
        );
        assert!(!docker.list_nodes().await.unwrap().is_empty());
        return;
    }
    // The process environment cannot be changed safely inside a multi-threaded test binary,
    // so run this test again in a child process with the variables set.
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "from_env_reads_docker_host_and_api_version",
            "--exact",
            "--test-threads=1",
        ])
        .env(FROM_ENV_CHILD_VAR, "1")
        .env("DOCKER_HOST", engine.host())
        .env("DOCKER_API_VERSION", "1.40")
        .env_remove("DOCKER_TLS_VERIFY")
        .status()
        .unwrap();
    assert!(status.success(), "the child run failed: {status}");
    let requests = engine.requests();
    assert_eq!(
        requests.len(),
        1,
        "a pinned version sends no ping: {requests:?}"
    );
    assert_eq!(
        (requests[0].path.as_str(), requests[0].version.as_deref()),
        ("/nodes", Some("1.40"))
    );
}
