//! `CliTransport`'s command-based path driving this machine's real `docker` client at the fake engine
//! (`docker -H tcp://127.0.0.1:PORT ...`), checked against `HttpTransport` on the same swarm:
//! both transports must return the same tasks for every filter key, and the same errors.
#![cfg(all(feature = "cli", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::PathBuf;

use swarm_models::{FilterKey, Task, TaskFilter, TaskState};
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, GenerateParams, NotManagerKind};
use swarm_transport::{
    CliConnection, CliTransport, Error, HttpTransport, NotManagerReason, ObjectKind, Transport,
};

/// True when a `docker` client binary can be run here; otherwise the test skips (outside
/// CI) or fails (under `CI=true`) through `swarm_testkit::require`.
fn docker_client_available(test: &str) -> bool {
    swarm_testkit::require("docker", &format!("by {test} (the CLI transport runs it)")).is_some()
}

/// The command-based path (the fallback for docker binaries without dial-stdio); the
/// dial-stdio path has its own tests in `cli_dial_stdio.rs`.
fn cli(engine: &FakeEngine) -> CliTransport {
    CliTransport::builder()
        .connection(CliConnection::Commands)
        .host(engine.host())
        // An empty config dir: no user contexts, credentials or plugins interfere.
        .config_dir(config_dir())
        .build()
}

fn http(engine: &FakeEngine) -> HttpTransport {
    HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap()
}

fn config_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("swarm-transport-cli-tests-config");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ids(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|task| task.id.as_str()).collect()
}

/// A value from the sample swarm, by JSON pointer.
fn sample_str(
    values: &[serde_json::Value],
    name_pointer: &str,
    name: &str,
    pointer: &str,
) -> String {
    values
        .iter()
        .find(|value| value.pointer(name_pointer).and_then(|v| v.as_str()) == Some(name))
        .and_then(|value| value.pointer(pointer))
        .and_then(|value| value.as_str())
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_transports_list_the_same_tasks_for_every_filter_key() {
    if !docker_client_available("both_transports_list_the_same_tasks_for_every_filter_key") {
        return;
    }
    let swarm = FakeSwarm::sample();
    let web_id = sample_str(swarm.services(), "/Spec/Name", "web", "/ID");
    let node2_id = sample_str(swarm.nodes(), "/Description/Hostname", "node-2", "/ID");
    let a_task_id = swarm.tasks()[0]["ID"].as_str().unwrap().to_owned();
    let engine = FakeEngine::start(swarm).await;
    let (cli, http) = (cli(&engine), http(&engine));

    let mut by_arg = TaskFilter::new();
    by_arg.push_arg("name=web.1").unwrap();
    let filters = [
        TaskFilter::new(),
        TaskFilter::new().service("web"),
        TaskFilter::new().service(&web_id[..6]),
        TaskFilter::new().service("web").service("monitor"),
        TaskFilter::new().node("node-2"),
        TaskFilter::new().node(&node2_id),
        TaskFilter::new().label("env=staging"),
        TaskFilter::new().label("com.example.tier"),
        TaskFilter::new().desired_state(TaskState::Running),
        TaskFilter::new().desired_state(TaskState::Shutdown),
        TaskFilter::new().id(&a_task_id[..5]),
        by_arg,
        TaskFilter::new().with(FilterKey::Runtime, "container"),
        TaskFilter::new()
            .service("web")
            .desired_state(TaskState::Running)
            .node("node-1"),
    ];
    let mut non_empty = 0;
    for filter in &filters {
        let from_http = http.list_tasks(filter).await.unwrap();
        let mut from_cli = cli.list_tasks(filter).await.unwrap();
        let mut sorted_http = from_http.clone();
        sorted_http.sort_by(|a, b| a.id.cmp(&b.id));
        from_cli.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(ids(&from_cli), ids(&sorted_http), "filter {filter:?}");
        assert_eq!(from_cli, sorted_http, "filter {filter:?}");
        non_empty += usize::from(!from_cli.is_empty());
    }
    // The comparison means something only if the filters found tasks.
    assert!(
        non_empty >= filters.len() - 1,
        "{non_empty} of {}",
        filters.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_service_or_node_in_a_filter_fails_like_http() {
    if !docker_client_available("unknown_service_or_node_in_a_filter_fails_like_http") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let err = cli(&engine)
        .list_tasks(&TaskFilter::new().service("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "nope"),
        "{err:?}"
    );
    let err = cli(&engine)
        .list_tasks(&TaskFilter::new().node("node-9"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                kind: ObjectKind::Node,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_and_nodes_match_http() {
    if !docker_client_available("services_and_nodes_match_http") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let (cli, http) = (cli(&engine), http(&engine));
    let mut http_services = http.list_services().await.unwrap();
    http_services.sort_by(|a, b| a.id.cmp(&b.id));
    let cli_services = cli.list_services().await.unwrap();
    assert_eq!(cli_services.len(), 5);
    assert_eq!(cli_services, http_services);
    let mut http_nodes = http.list_nodes().await.unwrap();
    http_nodes.sort_by(|a, b| a.id.cmp(&b.id));
    let cli_nodes = cli.list_nodes().await.unwrap();
    assert_eq!(cli_nodes.len(), 3);
    assert_eq!(cli_nodes, http_nodes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_many_with_one_unknown_id() {
    if !docker_client_available("inspect_many_with_one_unknown_id") {
        return;
    }
    let swarm = FakeSwarm::sample();
    let first = swarm.tasks()[0]["ID"].as_str().unwrap().to_owned();
    let second = swarm.tasks()[1]["ID"].as_str().unwrap().to_owned();
    let engine = FakeEngine::start(swarm).await;
    let cli = cli(&engine);
    let requested = vec![
        first.clone(),
        "doesnotexist".to_owned(),
        second[..8].to_owned(),
    ];
    let outcomes = cli.inspect_tasks(&requested).await.unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(
        outcomes.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
        requested.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(outcomes[0].result.as_ref().unwrap().id, first);
    assert!(
        matches!(&outcomes[1].result, Err(Error::NotFound { kind: ObjectKind::Task, id }) if id == "doesnotexist"),
        "{:?}",
        outcomes[1].result
    );
    assert_eq!(outcomes[2].result.as_ref().unwrap().id, second);
    // The same task through HTTP, field for field.
    let from_http = http(&engine).inspect_task(&first).await.unwrap();
    assert_eq!(cli.inspect_task(&first).await.unwrap(), from_http);
    let err = cli.inspect_task("doesnotexist").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    // The internal name `service.slot.taskid` names a task too.
    let web_task = a_web_task(&engine);
    let by_name = cli
        .inspect_task(&format!("web.{}.{}", web_task.1, web_task.0))
        .await
        .unwrap();
    assert_eq!(by_name.id, web_task.0);
    // A one-character prefix that several tasks share is ambiguous, as over HTTP.
    let all = http(&engine).list_tasks(&TaskFilter::new()).await.unwrap();
    let shared = all
        .iter()
        .map(|task| &task.id[..1])
        .find(|prefix| {
            all.iter()
                .filter(|task| task.id.starts_with(prefix))
                .count()
                > 1
        })
        .unwrap();
    let err = cli.inspect_task(shared).await.unwrap_err();
    assert!(
        matches!(&err, Error::Ambiguous { kind: ObjectKind::Task, id, matches } if id == shared && *matches > 1),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_services_is_an_empty_list() {
    if !docker_client_available("zero_services_is_an_empty_list") {
        return;
    }
    let sample = FakeSwarm::sample();
    let empty = FakeSwarm::from_parts(
        Vec::new(),
        Vec::new(),
        sample.nodes().to_vec(),
        sample.info().clone(),
    );
    let engine = FakeEngine::start(empty).await;
    let cli = cli(&engine);
    assert!(cli.list_tasks(&TaskFilter::new()).await.unwrap().is_empty());
    assert!(cli.list_services().await.unwrap().is_empty());
    assert!(
        cli.list_tasks(&TaskFilter::new().desired_state(TaskState::Running))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_info_reads_version_and_swarm() {
    if !docker_client_available("system_info_reads_version_and_swarm") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let info = cli(&engine).system_info().await.unwrap();
    let from_http = http(&engine).system_info().await.unwrap();
    assert!(info.is_manager);
    assert_eq!(info.node_id, from_http.node_id);
    assert_eq!(info.swarm, from_http.swarm);
    assert_eq!(info.daemon_api_version, from_http.daemon_api_version);
}

#[tokio::test]
async fn missing_docker_binary_is_cli_not_found() {
    let transport = CliTransport::builder()
        .program("/nonexistent/bin/docker-swarm-tasks-test")
        .host("tcp://127.0.0.1:9")
        .build();
    let err = transport.list_tasks(&TaskFilter::new()).await.unwrap_err();
    let Error::CliNotFound { program, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        program,
        &PathBuf::from("/nonexistent/bin/docker-swarm-tasks-test")
    );
    assert!(err.is_connection());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_host_is_daemon_unreachable() {
    if !docker_client_available("unreachable_host_is_daemon_unreachable") {
        return;
    }
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("tcp://127.0.0.1:{port}");
    let transport = CliTransport::builder()
        .connection(CliConnection::Commands)
        .host(host.clone())
        .config_dir(config_dir())
        .build();
    let err = transport.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if endpoint == &host),
        "{err:?}"
    );
    let err = transport.system_info().await.unwrap_err();
    assert!(matches!(err, Error::DaemonUnreachable { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_node_is_not_manager() {
    if !docker_client_available("a_worker_node_is_not_manager") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    engine.set_fault(Fault::NotManager(NotManagerKind::Worker));
    let cli = cli(&engine);
    let err = cli.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotManager { reason: NotManagerReason::Worker, endpoint, .. } if *endpoint == engine.host()
        ),
        "{err:?}"
    );
    let err = cli.inspect_task("abc").await.unwrap_err();
    assert!(matches!(err, Error::NotManager { .. }), "{err:?}");
    let info = cli.system_info().await.unwrap();
    assert!(!info.is_manager);
}

/// The sample plus a plugin service with one plugin task, and one network attachment task
/// (no service), as `docker run --network <attachable overlay>` makes.
fn swarm_with_plugin_and_attachment() -> FakeSwarm {
    let mut swarm = FakeSwarm::sample();
    let mut plugin_service = swarm.services()[0].clone();
    plugin_service["ID"] = "plugsvc0000000000000000000".into();
    plugin_service["Spec"]["Name"] = "plug".into();
    plugin_service["Spec"]["TaskTemplate"] = serde_json::json!({
        "PluginSpec": {"Name": "vieux/sshfs", "Remote": "vieux/sshfs:latest"},
        "Runtime": "plugin"
    });
    swarm.services_mut().push(plugin_service);
    let template = swarm.tasks()[0].clone();
    let mut plugin_task = template.clone();
    plugin_task["ID"] = "plugtask00000000000000000".into();
    plugin_task["ServiceID"] = "plugsvc0000000000000000000".into();
    plugin_task["Spec"] =
        serde_json::json!({"PluginSpec": {"Name": "vieux/sshfs", "Remote": "vieux/sshfs:latest"}});
    let mut attachment = template;
    attachment["ID"] = "attachtask000000000000000".into();
    if let Some(object) = attachment.as_object_mut() {
        object.remove("ServiceID");
        object.remove("Slot");
    }
    attachment["Spec"] = serde_json::json!({
        "NetworkAttachmentSpec": {"ContainerID": "c0ffee"},
        "Runtime": "attachment"
    });
    swarm.tasks_mut().push(plugin_task);
    swarm.tasks_mut().push(attachment);
    swarm
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_filter_finds_plugin_and_attachment_tasks() {
    if !docker_client_available("runtime_filter_finds_plugin_and_attachment_tasks") {
        return;
    }
    let engine = FakeEngine::start(swarm_with_plugin_and_attachment()).await;
    let (cli, http) = (cli(&engine), http(&engine));
    // Without a runtime key both hide plugin and attachment tasks.
    let everything = cli.list_tasks(&TaskFilter::new()).await.unwrap();
    assert!(!ids(&everything).contains(&"plugtask00000000000000000"));
    let mut from_http = http.list_tasks(&TaskFilter::new()).await.unwrap();
    from_http.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(ids(&everything), ids(&from_http));
    assert_eq!(everything, from_http);
    let plugins = TaskFilter::new().with(FilterKey::Runtime, "plugin");
    let from_cli = cli.list_tasks(&plugins).await.unwrap();
    assert_eq!(ids(&from_cli), ["plugtask00000000000000000"]);
    assert_eq!(from_cli, http.list_tasks(&plugins).await.unwrap());
    // Attachment tasks belong to no service: `docker node ps` finds them.
    let attachments = TaskFilter::new().with(FilterKey::Runtime, "attachment");
    let from_cli = cli.list_tasks(&attachments).await.unwrap();
    let from_http = http.list_tasks(&attachments).await.unwrap();
    assert_eq!(ids(&from_cli), ["attachtask000000000000000"]);
    assert_eq!(from_cli, from_http);
    let inspected = cli.inspect_task("attachtask000000000000000").await.unwrap();
    assert_eq!(inspected, from_http[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_of_a_removed_service_are_listed_like_http() {
    if !docker_client_available("tasks_of_a_removed_service_are_listed_like_http") {
        return;
    }
    // Like job tasks on Engine 20.10, which outlive `docker service rm`.
    let mut swarm = FakeSwarm::sample();
    let migrate_id = swarm.service_id("migrate").unwrap().to_owned();
    swarm
        .services_mut()
        .retain(|service| service["ID"].as_str() != Some(migrate_id.as_str()));
    let engine = FakeEngine::start(swarm).await;
    let (cli, http) = (cli(&engine), http(&engine));
    for filter in [
        TaskFilter::new(),
        TaskFilter::new().desired_state(TaskState::Complete),
    ] {
        let from_cli = cli.list_tasks(&filter).await.unwrap();
        let mut from_http = http.list_tasks(&filter).await.unwrap();
        from_http.sort_by(|a, b| a.id.cmp(&b.id));
        assert!(
            from_cli
                .iter()
                .any(|task| task.service_id.as_deref() == Some(migrate_id.as_str())),
            "{filter:?}"
        );
        assert_eq!(ids(&from_cli), ids(&from_http), "{filter:?}");
        assert_eq!(from_cli, from_http, "{filter:?}");
    }
}

/// A task of `web`: its ID and slot.
fn a_web_task(engine: &FakeEngine) -> (String, u64) {
    let swarm = engine.swarm();
    let task = swarm.tasks_of_service("web")[0];
    (
        task["ID"].as_str().unwrap().to_owned(),
        task["Slot"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_larger_swarm_is_listed_in_concurrent_chunks() {
    if !docker_client_available("a_larger_swarm_is_listed_in_concurrent_chunks") {
        return;
    }
    let params = GenerateParams {
        services: 8,
        nodes: 4,
        replicas_per_service: 8,
        history_per_slot: 2,
        seed: 7,
    };
    let engine = FakeEngine::start(FakeSwarm::generate(params)).await;
    // Small batches: 192 tasks take several `inspect` and `ps` commands, run concurrently.
    let cli = CliTransport::builder()
        .connection(CliConnection::Commands)
        .host(engine.host())
        .config_dir(config_dir())
        .batch_size(40)
        .concurrency(3)
        .build();
    let from_cli = cli.list_tasks(&TaskFilter::new()).await.unwrap();
    let mut from_http = http(&engine).list_tasks(&TaskFilter::new()).await.unwrap();
    from_http.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(from_cli.len(), params.n_tasks());
    assert_eq!(ids(&from_cli), ids(&from_http));
    assert_eq!(from_cli, from_http);
    // Every task was inspected exactly once (the client sends one GET per id).
    let n_inspects = engine
        .requests()
        .iter()
        .filter(|request| request.path.starts_with("/tasks/"))
        .count();
    assert_eq!(n_inspects, params.n_tasks());
}

/// The command path's `list_tasks` without a filter on issue 16's remote swarm (10,000 tasks,
/// 101 nodes, every round trip 2 ms) with the default settings (200 ids per `inspect`, 4
/// commands at once, 60 s per command): it finishes, equals the HTTP transport's list, asks
/// for each task once and starts a bounded number of `docker` processes (each pings once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_of_ten_thousand_tasks_on_101_nodes_finishes_in_bounded_commands() {
    if !docker_client_available(
        "ls_of_ten_thousand_tasks_on_101_nodes_finishes_in_bounded_commands",
    ) {
        return;
    }
    let params = GenerateParams::tasks_10k_101_nodes();
    let engine = FakeEngine::start(FakeSwarm::generate(params)).await;
    engine.set_fault(Fault::Latency(std::time::Duration::from_millis(2)));
    let from_cli = cli(&engine).list_tasks(&TaskFilter::new()).await.unwrap();
    let requests = engine.requests();
    let mut from_http = http(&engine).list_tasks(&TaskFilter::new()).await.unwrap();
    from_http.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(from_cli.len(), params.n_tasks());
    assert_eq!(from_cli, from_http);

    let count = |what: &dyn Fn(&str) -> bool| {
        requests
            .iter()
            .filter(|request| what(&request.path))
            .count()
    };
    // One `GET /tasks/{id}` per task: docker inspect asks for each id it is given, once.
    assert_eq!(count(&|path| path.starts_with("/tasks/")), params.n_tasks());
    // `service ls`, `service inspect`, `node ls`, 4 `service ps` and 4 `node ps` at most,
    // and 50 `inspect` chunks of 200 ids.
    let processes = count(&|path| path == "/_ping");
    let bound = 3 + 4 + 4 + params.n_tasks().div_ceil(200);
    assert!(
        processes <= bound,
        "{processes} docker processes, expected at most {bound}"
    );
    // Besides the inspects: per node `node ps` inspects it and lists its tasks; the rest
    // is a few requests per command.
    let others = requests.len() - params.n_tasks() - processes;
    assert!(
        others <= 2 * params.nodes + 10 * bound,
        "{others} other requests"
    );
}
