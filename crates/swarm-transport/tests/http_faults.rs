//! Every fault the fake engine can inject gives HttpTransport's intended error variant, never a
//! panic, and the transport works again once the fault is gone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use swarm_models::TaskFilter;
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, FaultRule};
use swarm_transport::{Error, HttpTransport, Transport};

/// A transport that already negotiated (so faults hit `/tasks`, not `/_ping`), with a short
/// request timeout and a 64 KiB body cap.
async fn ready(engine: &FakeEngine) -> HttpTransport {
    let docker = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(Duration::from_millis(300))
        .max_body_size(64 * 1024)
        .build()
        .unwrap();
    docker.api_version().await.unwrap();
    docker
}

/// Lists tasks with `fault` on `/tasks`, checks the error, then that the next call works.
async fn list_with(fault: Fault, check: impl FnOnce(&Error) -> bool) {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = ready(&engine).await;
    engine.add_fault(FaultRule::new(fault.clone()).path("/tasks").times(1));
    let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(check(&err), "{fault:?} gave {err:?}");
    assert!(!err.to_string().is_empty());
    let tasks = docker.list_tasks(&TaskFilter::new()).await.unwrap();
    assert!(!tasks.is_empty(), "{fault:?}: the transport recovers");
}

#[tokio::test]
async fn latency_beyond_the_request_timeout_is_a_timeout() {
    list_with(
        Fault::Latency(Duration::from_secs(3)),
        |err| matches!(err, Error::Timeout { after, .. } if *after == Duration::from_millis(300)),
    )
    .await;
}

#[tokio::test]
async fn a_reset_connection_is_unreachable() {
    list_with(Fault::ResetConnection, |err| {
        matches!(
            err,
            Error::DaemonUnreachable {
                source: Some(_),
                ..
            }
        ) && err.is_retryable()
    })
    .await;
}

#[tokio::test]
async fn a_5xx_with_the_daemons_json_keeps_its_message() {
    list_with(Fault::Status { code: 500, json_body: true }, |err| {
        matches!(err, Error::Daemon { status: 500, message, endpoint }
            if !message.is_empty() && !message.starts_with('{') && endpoint.ends_with("GET /v1.41/tasks"))
            && err.is_retryable()
    })
    .await;
}

#[tokio::test]
async fn a_5xx_with_a_proxy_page_keeps_a_short_excerpt() {
    list_with(Fault::Status { code: 502, json_body: false }, |err| {
        matches!(err, Error::Daemon { status: 502, message, .. } if !message.is_empty() && message.len() <= 203)
    })
    .await;
}

#[tokio::test]
async fn a_503_that_is_not_about_the_swarm_is_a_daemon_error() {
    list_with(
        Fault::Status {
            code: 503,
            json_body: false,
        },
        |err| matches!(err, Error::Daemon { status: 503, .. }),
    )
    .await;
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_with_position() {
    list_with(
        Fault::Malformed,
        |err| matches!(err, Error::Decode { line: 3, excerpt, .. } if !excerpt.is_empty()),
    )
    .await;
}

#[tokio::test]
async fn a_truncated_body_is_unreachable() {
    // The connection closed before Content-Length bytes arrived: the daemon went away.
    list_with(Fault::Truncated, |err| {
        matches!(err, Error::DaemonUnreachable { .. })
    })
    .await;
}

#[tokio::test]
async fn an_incomplete_json_document_is_a_decode_error() {
    list_with(Fault::IncompleteJson, |err| {
        matches!(err, Error::Decode { .. })
    })
    .await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_fills_memory() {
    list_with(Fault::Oversized(1024 * 1024), |err| {
        matches!(err, Error::ResponseTooLarge { limit: 65536, .. })
    })
    .await;
}

#[tokio::test]
async fn a_large_body_under_the_cap_parses() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    docker.api_version().await.unwrap();
    engine.add_fault(
        FaultRule::new(Fault::Oversized(1024 * 1024))
            .path("/tasks")
            .times(1),
    );
    let tasks = docker.list_tasks(&TaskFilter::new()).await.unwrap();
    assert!(tasks.len() > 10, "a 1 MiB array of tasks: {}", tasks.len());
}

#[tokio::test]
async fn a_fault_on_the_ping_fails_the_call_and_is_not_cached() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    engine.add_fault(
        FaultRule::new(Fault::Status {
            code: 500,
            json_body: true,
        })
        .path("/_ping")
        .times(1),
    );
    let err = docker.list_nodes().await.unwrap_err();
    assert!(matches!(err, Error::Daemon { status: 500, .. }), "{err:?}");
    assert!(
        !docker.list_nodes().await.unwrap().is_empty(),
        "the next call pings again"
    );
}

#[tokio::test]
async fn inspect_many_fails_as_a_whole_when_the_daemon_fails() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = ready(&engine).await;
    engine.add_fault(
        FaultRule::new(Fault::Status {
            code: 500,
            json_body: true,
        })
        .path("/tasks"),
    );
    let ids = vec!["a".to_owned(), "b".to_owned()];
    let err = docker.inspect_tasks(&ids).await.unwrap_err();
    assert!(matches!(err, Error::Daemon { status: 500, .. }), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn an_hour_of_latency_times_out_at_the_limit_on_a_paused_clock() {
    // The engine runs on this test's runtime, so the hour passes on the virtual clock.
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    let limit = Duration::from_secs(30);
    let docker = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(limit)
        .build()
        .unwrap();
    docker.api_version().await.unwrap();
    engine.add_fault(
        FaultRule::new(Fault::Latency(Duration::from_secs(3600)))
            .path("/tasks")
            .times(1),
    );
    let started = tokio::time::Instant::now();
    let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == limit),
        "{err:?}"
    );
    assert!(started.elapsed() >= limit, "not before the limit");
    assert!(
        !docker
            .list_tasks(&TaskFilter::new())
            .await
            .unwrap()
            .is_empty()
    );
}

/// A server that answers 404 where every engine answers `/_ping` is not a Docker Engine: a
/// connection-class error naming that, not a daemon error about a task.
#[tokio::test]
async fn a_server_without_ping_is_not_a_docker_engine() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    engine.add_fault(
        FaultRule::new(Fault::Status {
            code: 404,
            json_body: false,
        })
        .path("/_ping"),
    );
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotDockerApi { status: 404, path, .. } if path == "/_ping"),
        "{err:?}"
    );
    assert!(err.is_connection());
    assert!(
        err.to_string().contains("is not a Docker Engine API"),
        "{err}"
    );
}
