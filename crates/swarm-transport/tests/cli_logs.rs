//! CliTransport's `logs`: this machine's real `docker` client runs `docker service logs
//! --raw --details` against the fake engine, and its output must give the same lines as
//! HttpTransport reading the same stream (per output: docker prints the two outputs through
//! two pipes).
#![cfg(all(feature = "cli", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use futures::StreamExt;
use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm, LogEnd, details_prefix};
use swarm_transport::{
    CliConnection, CliTransport, Error, HttpTransport, LogLine, LogOptions, LogSource, LogStream,
    LogTarget, ObjectKind, Transport,
};

const RECORDED_SERVICE: &[u8] = include_bytes!("../fixtures/logs/svc_mux_details_ts.bin");

/// True when a `docker` client binary can be run here; otherwise the test skips (outside
/// CI) or fails (under `CI=true`) through `swarm_testkit::require`.
fn docker_client_available(test: &str) -> bool {
    swarm_testkit::require("docker", &format!("by {test} (the CLI transport runs it)")).is_some()
}

fn cli(engine: &FakeEngine) -> CliTransport {
    let config = std::env::temp_dir().join("swarm-transport-cli-logs-config");
    std::fs::create_dir_all(&config).unwrap();
    // The command-based path; over dial-stdio, logs are the HTTP transport's (cli_dial_stdio.rs).
    CliTransport::builder()
        .connection(CliConnection::Commands)
        .host(engine.host())
        .config_dir(config)
        .build()
}

fn http(engine: &FakeEngine) -> HttpTransport {
    HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap()
}

/// Every item of a stream: the lines, then the error that ended it, if any.
async fn drain(mut stream: LogStream) -> (Vec<LogLine>, Option<Error>) {
    let mut lines = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(line) => lines.push(line),
            Err(err) => {
                assert!(stream.next().await.is_none(), "an error ends the stream");
                return (lines, Some(err));
            }
        }
    }
    (lines, None)
}

async fn read(
    transport: &dyn Transport,
    target: &LogTarget,
    options: &LogOptions,
) -> (Vec<LogLine>, Option<Error>) {
    drain(transport.logs(target, options).await.unwrap()).await
}

fn of(lines: &[LogLine], source: LogSource) -> Vec<&LogLine> {
    lines.iter().filter(|line| line.source == source).collect()
}

#[tokio::test]
async fn recorded_service_logs_read_like_the_http_transport() {
    if !docker_client_available("recorded_service_logs_read_like_the_http_transport") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    engine.set_logs(&web, FakeLogs::new().bytes(RECORDED_SERVICE.to_vec()));
    let target = LogTarget::Service("web".to_owned());
    let since = "2026-12-02T03:20:00.5Z".parse().unwrap();
    let options = LogOptions::new()
        .timestamps(true)
        .details(true)
        .tail(5)
        .since(since);

    let (via_http, error) = read(&http(&engine), &target, &options).await;
    assert!(error.is_none(), "{error:?}");
    let (via_cli, error) = read(&cli(&engine), &target, &options).await;
    assert!(error.is_none(), "{error:?}");
    let short = |lines: &[LogLine]| {
        lines
            .iter()
            .map(|line| {
                format!(
                    "{:?} {}",
                    line.source,
                    line.text().chars().take(40).collect::<String>()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        via_cli.len(),
        via_http.len(),
        "{:#?}\n{:#?}",
        short(&via_cli),
        short(&via_http)
    );
    for source in [LogSource::Stdout, LogSource::Stderr] {
        assert_eq!(of(&via_cli, source), of(&via_http, source), "{source:?}");
    }
    assert_eq!(
        via_cli
            .iter()
            .filter(|line| line.line.len() == 40_000)
            .count(),
        2,
        "a line docker printed as 16 KiB pieces, each with its prefix, reads as one"
    );
    assert!(
        via_cli
            .iter()
            .any(|line| line.line.starts_with(b"bad \xEF\xBF\xBD"))
    );

    let request = engine.requests().pop().unwrap();
    assert_eq!(request.path, "/services/web/logs");
    let param = |name: &str| request.query_param(name);
    assert_eq!(param("details").as_deref(), Some("1"));
    assert_eq!(param("timestamps").as_deref(), Some("1"));
    assert_eq!(param("tail").as_deref(), Some("5"));
    assert_eq!(param("since").as_deref(), Some("1796181600.500000000"));
    assert_eq!(param("follow"), None);
}

#[tokio::test]
async fn outputs_and_until_are_applied_to_the_lines() {
    if !docker_client_available("outputs_and_until_are_applied_to_the_lines") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    engine.set_logs(&web, FakeLogs::new().bytes(RECORDED_SERVICE.to_vec()));
    let target = LogTarget::Service(web);
    let docker = cli(&engine);

    // The recorded stream has timestamps, so they are asked for (the fake engine sends the
    // same bytes whatever the query).
    let options = LogOptions::new().timestamps(true).streams(false, true);
    let (lines, error) = read(&docker, &target, &options).await;
    assert!(error.is_none(), "{error:?}");
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|line| line.source == LogSource::Stderr));

    let until = "2000-01-01T00:00:00Z".parse().unwrap();
    let (lines, error) = read(&docker, &target, &LogOptions::new().until(until)).await;
    assert!(error.is_none(), "{error:?}");
    assert!(lines.is_empty(), "{lines:?}");
    let request = engine.requests().pop().unwrap();
    assert_eq!(
        request.query_param("timestamps").as_deref(),
        Some("1"),
        "until needs the timestamps"
    );
}

#[tokio::test]
async fn a_task_an_unknown_target_and_a_cut_stream() {
    if !docker_client_available("a_task_an_unknown_target_and_a_cut_stream") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let task = engine.swarm().tasks()[0].clone();
    let task_id = task["ID"].as_str().unwrap().to_owned();
    let prefix = details_prefix(
        task["NodeID"].as_str().unwrap(),
        task["ServiceID"].as_str().unwrap(),
        &task_id,
    );
    engine.set_logs(
        &task_id,
        FakeLogs::new()
            .frame(1, format!("{prefix}before\n").as_bytes())
            .bytes(vec![1, 0, 0, 0, 0, 0, 0, 40, b'x'])
            .end(LogEnd::Abort),
    );
    let docker = cli(&engine);
    let (lines, error) = read(
        &docker,
        &LogTarget::Task(task_id.clone()),
        &LogOptions::new(),
    )
    .await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].line, b"before");
    assert_eq!(lines[0].task_id.as_deref(), Some(task_id.as_str()));
    assert!(error.is_some(), "a cut stream is an error after the lines");

    let outcome = docker
        .logs(&LogTarget::Service("nosuch".to_owned()), &LogOptions::new())
        .await;
    let (lines, error) = drain(outcome.unwrap()).await;
    assert!(lines.is_empty());
    assert!(
        matches!(
            &error,
            Some(Error::NotFound { kind: ObjectKind::Service, id }) if id == "nosuch"
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_followed_stream_delivers_lines_while_docker_runs() {
    if !docker_client_available("a_followed_stream_delivers_lines_while_docker_runs") {
        return;
    }
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    let task = engine.swarm().tasks()[0].clone();
    let prefix = details_prefix(task["NodeID"].as_str().unwrap(), &web, "t1");
    engine.set_logs(
        &web,
        FakeLogs::new()
            .frame(1, format!("{prefix}first\n").as_bytes())
            .frame(2, format!("{prefix}second\n").as_bytes())
            .end(LogEnd::StayOpen),
    );
    let docker = cli(&engine);
    let mut stream = docker
        .logs(&LogTarget::Service(web), &LogOptions::new().follow(true))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for _ in 0..2 {
        texts.push(stream.next().await.unwrap().unwrap().text().into_owned());
    }
    texts.sort();
    assert_eq!(texts, ["first", "second"]);
    let request = engine.requests().pop().unwrap();
    assert_eq!(request.query_param("follow").as_deref(), Some("1"));
    drop(stream);
}
