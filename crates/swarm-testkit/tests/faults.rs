//! Every injected fault, as a client sees it on the wire.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use support::{exchange, get, parse, request};
use swarm_testkit::{FakeEngine, FakeSwarm, Fault, FaultRule, NotManagerKind};

fn engine_with(fault: Fault) -> FakeEngine {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(fault);
    engine
}

#[test]
fn latency_still_answers() {
    let engine = engine_with(Fault::Latency(Duration::from_millis(20)));
    let reply = get(&engine.host(), "/v1.41/tasks");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json().as_array().unwrap().len(),
        engine.swarm().tasks().len()
    );
}

#[test]
fn reset_closes_without_an_answer() {
    let engine = engine_with(Fault::ResetConnection);
    match exchange(&engine.host(), "GET", "/_ping") {
        Ok(raw) => assert!(raw.is_empty(), "got {} bytes", raw.len()),
        Err(err) => assert_eq!(err.kind(), ErrorKind::ConnectionReset),
    }
    assert_eq!(engine.request_count(), 1);
}

#[test]
fn status_with_and_without_json_body() {
    let engine = engine_with(Fault::Status {
        code: 500,
        json_body: true,
    });
    let reply = get(&engine.host(), "/tasks");
    assert_eq!(reply.status, 500);
    assert_eq!(reply.message(), "fake engine: injected failure");

    engine.set_fault(Fault::Status {
        code: 502,
        json_body: false,
    });
    let reply = get(&engine.host(), "/tasks");
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("Content-Type"), Some("text/html"));
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
    assert!(String::from_utf8_lossy(&reply.body).contains("502 Bad Gateway"));

    // A HEAD request gets the status without a body, whatever the fault.
    let raw = exchange(&engine.host(), "HEAD", "/_ping").unwrap();
    let text = String::from_utf8(raw).unwrap();
    assert!(text.starts_with("HTTP/1.1 502 "), "{text}");
    assert!(text.ends_with("\r\n\r\n"), "{text}");
}

#[test]
fn malformed_json_is_framed_but_invalid() {
    let engine = engine_with(Fault::Malformed);
    let reply = get(&engine.host(), "/tasks");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let err = serde_json::from_slice::<serde_json::Value>(&reply.body).unwrap_err();
    assert_eq!(err.line(), 3);
}

#[test]
fn truncated_body_is_shorter_than_declared() {
    let engine = engine_with(Fault::Truncated);
    let raw = exchange(&engine.host(), "GET", "/tasks").unwrap();
    let err = parse(&raw, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("Content-Length: "));
}

#[test]
fn incomplete_json_is_correctly_framed() {
    let engine = engine_with(Fault::IncompleteJson);
    let reply = get(&engine.host(), "/tasks");
    assert_eq!(reply.status, 200);
    assert!(!reply.body.is_empty());
    let err = serde_json::from_slice::<serde_json::Value>(&reply.body).unwrap_err();
    assert!(err.is_eof(), "{err}");
}

#[test]
fn oversized_body_is_valid_json_of_the_requested_size() {
    const SIZE: usize = 64 * 1024 * 1024;
    let engine = engine_with(Fault::Oversized(SIZE));
    let reply = get(&engine.host(), "/tasks");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.len(), SIZE);
    let tasks: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&reply.body).unwrap();
    assert!(tasks.len() > 10_000);
}

#[test]
fn not_manager_states_answer_like_the_daemon() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    for kind in NotManagerKind::ALL {
        engine.set_fault(Fault::NotManager(kind));
        for target in ["/v1.41/tasks", "/tasks/abc", "/services", "/nodes"] {
            let reply = get(&host, target);
            assert_eq!(
                (reply.status, reply.message()),
                (503, kind.message().to_owned()),
                "{kind:?} {target}"
            );
        }
        let info = get(&host, "/info").json();
        assert_eq!(
            info["Swarm"]["LocalNodeState"],
            kind.local_node_state(),
            "{kind:?}"
        );
        assert_eq!(info["Swarm"]["ControlAvailable"], false);
        let ping = request(&host, "HEAD", "/_ping").unwrap();
        assert_eq!(ping.status, 200);
        assert_eq!(ping.header("Swarm"), Some(kind.ping_header()));
    }
    assert!(
        NotManagerKind::NotInSwarm
            .message()
            .contains("docker swarm init")
    );
    assert!(
        NotManagerKind::Preparing
            .message()
            .contains("Manager is being prepared")
    );
    assert!(
        NotManagerKind::Locked
            .message()
            .contains("docker swarm unlock")
    );
}

#[test]
fn rules_hit_only_their_path_and_run_out() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    engine.add_fault(
        FaultRule::new(Fault::Status {
            code: 503,
            json_body: true,
        })
        .path("/tasks")
        .times(2),
    );
    assert_eq!(get(&host, "/_ping").status, 200);
    assert_eq!(get(&host, "/services").status, 200);
    assert_eq!(get(&host, "/v1.41/tasks").status, 503);
    assert_eq!(get(&host, "/tasks/x").status, 503);
    assert_eq!(get(&host, "/tasks").status, 200);

    engine.set_fault(Fault::Malformed);
    assert!(serde_json::from_slice::<serde_json::Value>(&get(&host, "/info").body).is_err());
    engine.clear_fault();
    assert_eq!(
        get(&host, "/info").json()["Swarm"]["LocalNodeState"],
        "active"
    );
}

/// Sends one request over tokio's TCP (so that a local engine keeps running) and parses it.
async fn get_async(host: &str, target: &str) -> support::Reply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = host.strip_prefix("tcp://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let message = format!("GET {target} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
    stream.write_all(message.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    parse(&raw, false).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_local_engine_follows_the_paused_clock() {
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    engine.set_fault(Fault::Latency(Duration::from_secs(3600)));
    let started = tokio::time::Instant::now();
    let reply = get_async(&engine.host(), "/v1.41/info").await;
    assert_eq!(reply.status, 200);
    // Virtual time: the hour passed on the paused clock, not on the wall clock.
    assert!(started.elapsed() >= Duration::from_secs(3600));

    // A client timeout shorter than the latency fires, deterministically.
    let slow =
        tokio::time::timeout(Duration::from_secs(10), get_async(&engine.host(), "/tasks")).await;
    assert!(slow.is_err());
    engine.clear_fault();
    assert_eq!(get_async(&engine.host(), "/_ping").await.body, b"OK");
}

#[tokio::test(start_paused = true)]
async fn stall_after_headers_sends_the_head_and_no_body() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    engine.set_fault(Fault::StallAfterHeaders);
    let address = engine.host().strip_prefix("tcp://").unwrap().to_owned();
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut stream = tokio::io::BufReader::new(stream);
    let message = "GET /v1.41/tasks HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n";
    stream
        .get_mut()
        .write_all(message.as_bytes())
        .await
        .unwrap();
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    assert_eq!(head[0], "HTTP/1.1 200 OK");
    let length: usize = head
        .iter()
        .find_map(|line| line.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(length > 2, "the full body's length is announced: {length}");
    // An hour on the paused clock, and not one byte of the body.
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(
        Duration::from_secs(3600),
        tokio::io::AsyncReadExt::read(&mut stream, &mut byte),
    )
    .await;
    assert!(read.is_err(), "a body byte arrived: {read:?}");
}
