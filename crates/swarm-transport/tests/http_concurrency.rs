//! Bounded concurrency over HTTP: one transport never has more than its
//! `max_concurrent_requests` in flight, across calls, and a connection refused with `EAGAIN`
//! by a full listen queue is tried again. Against a fake engine whose unix socket queues one
//! connection, 50 ids inspected at once (and 50 concurrent calls) all succeed.
#![cfg(all(unix, feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};
use swarm_transport::{HttpTransport, Transport};

fn engine_with_backlog(dir: &std::path::Path) -> FakeEngine {
    let swarm = FakeSwarm::generate(GenerateParams {
        services: 10,
        nodes: 3,
        replicas_per_service: 5,
        history_per_slot: 0,
        seed: 7,
    });
    FakeEngine::spawn_unix_with_backlog(swarm, &dir.join("docker.sock"), 1).unwrap()
}

fn ids(engine: &FakeEngine) -> Vec<String> {
    engine
        .swarm()
        .tasks()
        .iter()
        .filter_map(|task| task["ID"].as_str().map(str::to_owned))
        .collect()
}

/// Several rounds: before the bound and the retry, about one in three failed with `EAGAIN`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_of_50_ids_against_a_small_listen_queue_finds_every_task() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_with_backlog(dir.path());
    let ids = ids(&engine);
    assert_eq!(ids.len(), 50);
    for round in 0..5 {
        let http = HttpTransport::builder()
            .host(engine.host())
            .inspect_concurrency(50)
            .build()
            .unwrap();
        let outcomes = http.inspect_tasks(&ids).await.unwrap();
        let failed: Vec<String> = outcomes
            .iter()
            .filter_map(|outcome| outcome.result.as_ref().err().map(ToString::to_string))
            .collect();
        assert!(failed.is_empty(), "round {round}: {failed:?}");
    }
}

/// 50 separate calls at once through one transport share its bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_through_one_transport_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine_with_backlog(dir.path());
    let ids = ids(&engine);
    let http = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    let calls = ids.iter().map(|id| {
        let http = http.clone();
        async move { http.inspect_task(id).await }
    });
    let results = futures::future::join_all(calls).await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|result| result.as_ref().err().map(ToString::to_string))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    // Each call's request reached the engine (no call was answered from elsewhere).
    let inspects = engine
        .requests()
        .iter()
        .filter(|request| request.path.starts_with("/tasks/"))
        .count();
    assert_eq!(inspects, ids.len());
}
