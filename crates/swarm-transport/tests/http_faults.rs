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

/// The head arrives, the body never does: the call's own request timeout fires (it covers
/// the body, not only the head) and names the endpoint and the limit.
#[tokio::test(start_paused = true)]
async fn a_stall_after_the_headers_times_out_at_the_calls_own_limit() {
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    let limit = Duration::from_secs(30);
    let docker = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(limit)
        .build()
        .unwrap();
    docker.api_version().await.unwrap();
    engine.add_fault(
        FaultRule::new(Fault::StallAfterHeaders)
            .path("/tasks")
            .times(1),
    );
    let started = tokio::time::Instant::now();
    let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout { after, endpoint } if *after == limit && *endpoint == engine.host()),
        "{err:?}"
    );
    assert!(started.elapsed() >= limit, "not before the limit");
    let message = err.to_string();
    assert!(
        message.contains(&engine.host()) && message.contains("30s"),
        "{message}"
    );
    assert!(err.is_retryable());
    assert!(
        !docker
            .list_tasks(&TaskFilter::new())
            .await
            .unwrap()
            .is_empty()
    );
}

/// 500, 502 and 503, each with the daemon's JSON error and with a proxy's HTML page: a
/// daemon error with the status, the request and the message (or a short excerpt of the
/// page), retryable; the next call works.
#[tokio::test]
async fn server_errors_with_and_without_a_json_body() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = ready(&engine).await;
    for code in [500_u16, 502, 503] {
        for json_body in [true, false] {
            let case = format!("{code} json_body={json_body}");
            engine.add_fault(
                FaultRule::new(Fault::Status { code, json_body })
                    .path("/tasks")
                    .times(1),
            );
            let err = docker.list_tasks(&TaskFilter::new()).await.unwrap_err();
            let Error::Daemon {
                endpoint,
                status,
                message,
            } = &err
            else {
                panic!("{case}: {err:?}")
            };
            assert_eq!(*status, code, "{case}");
            assert!(endpoint.ends_with("GET /v1.41/tasks"), "{case}: {endpoint}");
            if json_body {
                assert_eq!(message, "fake engine: injected failure", "{case}");
            } else {
                assert!(
                    message.contains(&format!("{code} Bad Gateway")) && message.len() <= 203,
                    "{case}: {message}"
                );
            }
            assert!(err.is_retryable(), "{case}");
            assert!(err.to_string().contains(&code.to_string()), "{case}: {err}");
            assert!(
                !docker
                    .list_tasks(&TaskFilter::new())
                    .await
                    .unwrap()
                    .is_empty(),
                "{case}: the transport recovers"
            );
        }
    }
}

/// Polls until `done` holds (a bounded wait for other tasks to act, not a time assertion).
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not happen within 10 s");
}

fn task_requests(engine: &FakeEngine) -> usize {
    engine
        .requests()
        .iter()
        .filter(|request| request.path == "/tasks")
        .count()
}

/// A flood of slow requests through one client does not hold up another client: its call
/// finishes, within its own timeout, while every slow request is still waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_slow_requests_does_not_hold_up_another_client() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let flooding = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    flooding.api_version().await.unwrap();
    engine.add_fault(FaultRule::new(Fault::Latency(Duration::from_secs(3600))).path("/tasks"));
    let flood: Vec<_> = (0..32)
        .map(|_| {
            let flooding = flooding.clone();
            tokio::spawn(async move { flooding.list_tasks(&TaskFilter::new()).await })
        })
        .collect();
    // The flooding client's bound (8) is full: the rest of its flood queues behind it.
    eventually("8 slow requests in flight", || task_requests(&engine) == 8).await;
    let other = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let nodes = other.list_nodes().await.unwrap();
    assert_eq!(nodes.len(), engine.swarm().nodes().len());
    assert!(
        flood.iter().all(|call| !call.is_finished()),
        "the other client finished first"
    );
    assert_eq!(
        task_requests(&engine),
        8,
        "the flood stayed within its bound"
    );
    for call in flood {
        call.abort();
    }
}

/// On the SAME client, a call waits for a free slot behind the slow requests; that wait is
/// not part of its own timeout, so it succeeds once the slow ones gave up at theirs.
#[tokio::test(start_paused = true)]
async fn on_the_same_client_a_call_waits_behind_the_slow_requests() {
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    let limit = Duration::from_secs(30);
    let docker = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(limit)
        .max_concurrent_requests(2)
        .build()
        .unwrap();
    docker.api_version().await.unwrap();
    engine.add_fault(FaultRule::new(Fault::Latency(Duration::from_secs(3600))).path("/tasks"));
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let docker = docker.clone();
            tokio::spawn(async move { docker.list_tasks(&TaskFilter::new()).await })
        })
        .collect();
    while task_requests(&engine) < 2 {
        tokio::task::yield_now().await;
    }
    let started = tokio::time::Instant::now();
    let nodes = docker.list_nodes().await.unwrap();
    assert!(!nodes.is_empty());
    assert!(
        started.elapsed() >= limit,
        "it waited for the slow requests"
    );
    assert!(slow.iter().all(tokio::task::JoinHandle::is_finished));
    for call in slow {
        let err = call.await.unwrap().unwrap_err();
        assert!(
            matches!(err, Error::Timeout { after, .. } if after == limit),
            "{err:?}"
        );
    }
}

/// The daemon's unix socket goes away (engine stopped, socket file removed) and comes back
/// at the same path: the same transport reports the daemon unreachable meanwhile, and works
/// again on its next call, without being rebuilt.
#[cfg(unix)]
#[tokio::test]
async fn a_unix_socket_that_disappears_and_comes_back_is_used_again() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    let engine = FakeEngine::spawn_unix(FakeSwarm::sample(), &socket).unwrap();
    let host = engine.host();
    let docker = HttpTransport::builder().host(&host).build().unwrap();
    let expected = docker.list_nodes().await.unwrap();
    assert!(!expected.is_empty());

    drop(engine);
    assert!(!socket.exists(), "the socket file is gone");
    let err = docker.list_nodes().await.unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if *endpoint == host),
        "{err:?}"
    );
    assert!(err.is_connection() && err.is_retryable(), "{err}");

    let engine = FakeEngine::spawn_unix(FakeSwarm::sample(), &socket).unwrap();
    assert_eq!(docker.list_nodes().await.unwrap(), expected);

    // Gone and back again between two calls, with a pooled connection to the old engine:
    // the next call still works.
    drop(engine);
    let _engine = FakeEngine::spawn_unix(FakeSwarm::sample(), &socket).unwrap();
    assert_eq!(docker.list_nodes().await.unwrap(), expected);
}

/// A body that arrives slowly, piece by piece (decoded while it comes), is listed whole and
/// equal to the same list sent at once; a slow body is not a fault of its own.
#[tokio::test]
async fn a_body_paced_by_a_slow_link_is_listed_whole() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = ready(&engine).await;
    let at_once = docker.list_tasks(&TaskFilter::new()).await.unwrap();
    engine.add_fault(
        FaultRule::new(Fault::Bandwidth(256 * 1024))
            .path("/tasks")
            .times(1),
    );
    let paced = docker.list_tasks(&TaskFilter::new()).await.unwrap();
    assert!(paced.is_complete());
    assert_eq!(paced.items, at_once.items);
    let sent = |list: &swarm_models::Listing<swarm_models::Task>| {
        list.iter()
            .map(|task| task.as_sent().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(sent(&paced), sent(&at_once));
    let served: Vec<_> = engine
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with("/tasks"))
        .collect();
    assert_eq!(served.len(), 2, "one paced answer, no retry");
    // The sample's list is several pieces at this rate (each a hundredth of a second's).
    let body = serde_json::to_vec(FakeSwarm::sample().tasks()).unwrap();
    assert!(body.len() > 3 * 2621, "{} bytes", body.len());
}
