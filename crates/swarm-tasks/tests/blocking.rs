//! The blocking client against the fake engine, from plain (non-async) tests.
#![cfg(all(feature = "blocking", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use swarm_tasks::blocking::Client;
use swarm_tasks::models::TaskFilter;
use swarm_tasks::{Error, PsOptions};
use swarm_testkit::{FakeEngine, FakeSwarm};

#[test]
fn same_calls_without_async() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let client = Client::builder().host(engine.host()).build().unwrap();
    let report = client
        .service_ps(&["web".to_owned()], &PsOptions::default())
        .unwrap();
    assert_eq!(
        report.rows.first().map(|row| row.name.as_str()),
        Some("web.1")
    );
    let tasks = client.list(&TaskFilter::new().service("web")).unwrap();
    assert_eq!(tasks.len(), 5);
    let ids: Vec<String> = tasks
        .iter()
        .map(|task| task.id.clone())
        .chain(["nope".to_owned()])
        .collect();
    let many = client.inspect_many(&ids).unwrap();
    assert_eq!((many.found.len(), many.missing.len()), (5, 1));
    let mine = client.node_ps(&[], &PsOptions::default()).unwrap();
    assert!(
        mine.rows
            .iter()
            .all(|row| row.node_name.as_deref() == Some("node-1"))
    );
    let snapshot = client.snapshot().unwrap();
    assert_eq!(snapshot.services.len(), client.services().unwrap().len());
}

#[tokio::test]
async fn inside_a_runtime_every_call_is_refused_not_a_panic() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let host = engine.host();
    // Build outside the runtime's thread, then call from inside it.
    let client = std::thread::spawn(move || Client::builder().host(host).build().unwrap())
        .join()
        .unwrap();
    let error = client.list(&TaskFilter::new()).unwrap_err();
    assert!(matches!(error, Error::InsideAsyncRuntime), "{error}");
    // Dropping it here must not panic either (tokio panics when a runtime is dropped in
    // async code unless it is shut down in the background).
    drop(client);
}

#[test]
fn watch_is_an_iterator_and_explain_and_wait_block() {
    use swarm_tasks::monitor::{Explained, TaskEvent, WaitConfig, WatchConfig};
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let client = Client::builder().host(engine.host()).build().unwrap();
    let first_poll: Vec<TaskEvent> = client
        .watch(TaskFilter::new().service("web"), WatchConfig::default())
        .map(|item| item.unwrap())
        .take_while(|event| !event.is_synced())
        .collect();
    assert_eq!(first_poll.len(), 5);
    assert!(
        first_poll
            .iter()
            .all(|event| matches!(event, TaskEvent::Initial { .. }))
    );
    assert!(matches!(
        client.explain("web").unwrap(),
        Explained::Service(_)
    ));
    let outcome = client
        .wait(
            &["web".to_owned()],
            WaitConfig::default().stable(std::time::Duration::from_millis(1)),
        )
        .unwrap();
    assert_eq!(outcome.services.len(), 1);
}
