//! `Client::logs` against the fake engine: docker's target resolution (a service first, then
//! a task) with one services request, unknown targets, and log drivers that keep nothing.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use futures::StreamExt;
use swarm_tasks::{Client, Error, LogOptions};
use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm, details_prefix};

async fn client(engine: &FakeEngine) -> Client {
    let client = Client::builder().host(engine.host()).build().unwrap();
    client.system_info().await.unwrap();
    engine.reset_requests();
    client
}

fn paths(engine: &FakeEngine) -> Vec<String> {
    engine
        .requests()
        .into_iter()
        .map(|request| request.path)
        .collect()
}

#[tokio::test]
async fn a_service_name_or_prefix_reads_the_service_logs() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    let prefix = details_prefix("node1", &web, "task1");
    engine.set_logs(
        &web,
        FakeLogs::new()
            .frame(1, format!("{prefix}hello\n").as_bytes())
            .frame(2, format!("{prefix}oops\n").as_bytes()),
    );
    let client = client(&engine).await;
    for target in ["web", &web[..6]] {
        let lines: Vec<_> = client
            .logs(target, &LogOptions::new())
            .await
            .unwrap()
            .collect()
            .await;
        let texts: Vec<String> = lines
            .into_iter()
            .map(|line| line.unwrap().text().into_owned())
            .collect();
        assert_eq!(texts, ["hello", "oops"]);
    }
    assert_eq!(
        paths(&engine),
        [
            "/services".to_owned(),
            format!("/services/{web}/logs"),
            "/services".to_owned(),
            format!("/services/{web}/logs"),
        ]
    );
}

#[tokio::test]
async fn a_task_id_reads_the_task_logs_and_unknown_targets_are_named() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let task = engine.swarm().tasks()[0]["ID"].as_str().unwrap().to_owned();
    engine.set_logs(&task, FakeLogs::new().frame(1, b" from the task\n"));
    let client = client(&engine).await;
    let mut stream = client.logs(&task[..10], &LogOptions::new()).await.unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().line, b"from the task");
    assert_eq!(
        paths(&engine),
        [
            "/services".to_owned(),
            format!("/tasks/{}", &task[..10]),
            format!("/tasks/{task}/logs")
        ]
    );

    let err = client
        .logs("nothing-here", &LogOptions::new())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::NoSuchLogTarget { target } if target == "nothing-here"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "no such task or service: nothing-here");
}

#[tokio::test]
async fn a_log_driver_that_keeps_nothing_is_an_error_naming_it() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    engine.update(|swarm| {
        for service in swarm.services_mut() {
            service["Spec"]["TaskTemplate"]["LogDriver"] = serde_json::json!({"Name": "none"});
        }
    });
    let client = client(&engine).await;
    let err = client.logs("web", &LogOptions::new()).await.err().unwrap();
    assert!(
        matches!(&err, Error::LogsUnreadable { target, driver } if target == "web" && driver == "none"),
        "{err:?}"
    );
    assert!(
        engine
            .requests()
            .iter()
            .all(|request| !request.path.ends_with("/logs")),
        "no logs request for a driver that keeps none"
    );
}
