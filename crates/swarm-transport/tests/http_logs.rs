//! HttpTransport's `logs` against the fake engine: the request it sends, multiplexed and raw
//! streams split anywhere, a 1 MB line, invalid UTF-8, a stream cut mid-frame or dropped,
//! unknown targets, and a followed stream that no request timeout ends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use futures::StreamExt;
use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm, LogEnd, details_prefix, frame};
use swarm_transport::logs::DecodeError;
use swarm_transport::{
    Error, HttpTransport, LogLine, LogOptions, LogSource, LogTarget, ObjectKind, Transport,
};

const RECORDED_SERVICE: &[u8] = include_bytes!("../fixtures/logs/svc_mux_details_ts.bin");
const RECORDED_TTY: &[u8] = include_bytes!("../fixtures/logs/svc_tty_details_ts.bin");

fn transport(engine: &FakeEngine) -> HttpTransport {
    HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap()
}

fn web_id(engine: &FakeEngine) -> String {
    engine.swarm().service_id("web").unwrap().to_owned()
}

/// Every item of a stream: the lines, then the error that ended it, if any.
async fn drain(
    docker: &HttpTransport,
    target: LogTarget,
    options: LogOptions,
) -> (Vec<LogLine>, Option<Error>) {
    let mut stream = docker.logs(&target, &options).await.unwrap();
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

/// `bytes` as a stream split into writes of `piece` bytes.
fn split(bytes: &[u8], piece: usize) -> FakeLogs {
    bytes
        .chunks(piece)
        .fold(FakeLogs::new(), |logs, chunk| logs.bytes(chunk.to_vec()))
}

#[tokio::test]
async fn service_logs_send_the_daemon_query_and_decode_split_frames() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = web_id(&engine);
    engine.set_logs(&web, split(RECORDED_SERVICE, 1000));
    let docker = transport(&engine);
    let since = "2026-12-02T03:20:00.5Z".parse().unwrap();
    let options = LogOptions::new().timestamps(true).tail(5).since(since);

    let (lines, error) = drain(&docker, LogTarget::Service("web".into()), options).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(lines.len(), 12);
    assert_eq!(lines[0].line, b"out one");
    assert!(
        lines
            .iter()
            .all(|line| line.timestamp.is_some() && line.task_id.is_some())
    );
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.line.len() == 40_000)
            .count(),
        2
    );

    let request = engine.requests().pop().unwrap();
    assert_eq!(request.path, "/services/web/logs");
    let param = |name: &str| request.query_param(name);
    assert_eq!(
        (
            param("stdout"),
            param("stderr"),
            param("details"),
            param("timestamps")
        ),
        (
            Some("1".into()),
            Some("1".into()),
            Some("1".into()),
            Some("1".into())
        )
    );
    assert_eq!(param("tail").as_deref(), Some("5"));
    assert_eq!(param("since").as_deref(), Some("1796181600.500000000"));
    assert_eq!(param("follow"), None);
}

#[tokio::test]
async fn a_tty_task_sends_a_raw_stream() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let task = engine.swarm().tasks()[0]["ID"].as_str().unwrap().to_owned();
    engine.set_logs(&task, split(RECORDED_TTY, 7));
    let docker = transport(&engine);
    let options = LogOptions::new().timestamps(true);
    let (lines, error) = drain(&docker, LogTarget::Task(task[..12].to_owned()), options).await;
    assert!(error.is_none(), "{error:?}");
    let texts: Vec<String> = lines.iter().map(|line| line.text().into_owned()).collect();
    assert_eq!(texts, ["tty one", "tty err", "tty last"]);
    assert!(
        lines
            .iter()
            .all(|line| line.timestamp.is_some() && line.source == LogSource::Stdout)
    );
    assert!(
        lines
            .iter()
            .all(|line| line.task_id.as_deref() == Some("va5ersvgikkz1b8c39zwu6bqk"))
    );
}

#[tokio::test]
async fn a_content_type_decides_the_framing() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = web_id(&engine);
    // A raw stream whose first byte looks like a frame header: only the header tells.
    engine.set_logs(
        &web,
        FakeLogs::new()
            .bytes(b"\x01\x00\x00\x00 odd tty output\n".to_vec())
            .content_type("application/vnd.docker.raw-stream"),
    );
    let docker = transport(&engine);
    let (lines, error) = drain(
        &docker,
        LogTarget::Service(web),
        LogOptions::new().details(true),
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].line, b"\x01\x00\x00\x00 odd tty output");
}

#[tokio::test]
async fn a_megabyte_line_and_invalid_utf8_arrive_as_sent() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = web_id(&engine);
    let prefix = details_prefix("node1", &web, "task1");
    let mut megabyte = prefix.clone().into_bytes();
    megabyte.extend(vec![b'm'; 1 << 20]);
    megabyte.push(b'\n');
    let mut stream = frame(1, &megabyte);
    stream.extend(frame(2, format!("{prefix}caf\u{e9}").as_bytes()));
    stream.extend(frame(
        1,
        &[prefix.as_bytes(), b"bytes \xff\xfe end\n"].concat(),
    ));
    // The same line again, cut by the daemon into 16 KiB messages.
    for piece in vec![b'n'; 1 << 20].chunks(16 * 1024) {
        stream.extend(frame(1, &[prefix.as_bytes(), piece].concat()));
    }
    stream.extend(frame(1, &[prefix.as_bytes(), b"\n"].concat()));
    engine.set_logs(&web, split(&stream, 100_000));
    let docker = transport(&engine);
    let (lines, error) = drain(&docker, LogTarget::Service(web), LogOptions::new()).await;
    assert!(error.is_none(), "{error:?}");
    let lengths: Vec<usize> = lines.iter().map(|line| line.line.len()).collect();
    assert_eq!(lengths, [1 << 20, 5, 12, 1 << 20]);
    assert_eq!(lines[1].line, "caf\u{e9}".as_bytes());
    assert_eq!(lines[1].source, LogSource::Stderr);
    assert_eq!(lines[2].line, b"bytes \xff\xfe end");
    assert_eq!(lines[2].text(), "bytes \u{fffd}\u{fffd} end");
    assert!(
        lines
            .iter()
            .all(|line| line.task_id.as_deref() == Some("task1"))
    );
}

#[tokio::test]
async fn a_stream_cut_mid_frame_delivers_the_lines_before_it_then_a_clear_error() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = web_id(&engine);
    let mut stream = frame(1, b" one\n");
    stream.extend(frame(2, b" two\n"));
    stream.extend(&frame(1, b" three is cut\n")[..12]);
    engine.set_logs(&web, split(&stream, 5));
    let docker = transport(&engine);
    let (lines, error) = drain(&docker, LogTarget::Service(web.clone()), LogOptions::new()).await;
    let texts: Vec<String> = lines.iter().map(|line| line.text().into_owned()).collect();
    assert_eq!(texts, ["one", "two"]);
    let error = error.expect("a cut stream is an error");
    assert!(
        matches!(&error, Error::LogStream { source: DecodeError::Cut { missing: 10 }, endpoint } if endpoint.contains("/services/")),
        "{error:?}"
    );
    assert_eq!(
        std::error::Error::source(&error)
            .map(ToString::to_string)
            .as_deref(),
        Some("the log stream ended in the middle of a frame (10 bytes missing)")
    );

    // A daemon that goes away mid-body: the lines before it, then a connection error.
    engine.set_logs(
        &web,
        FakeLogs::new().frame(1, b" before\n").end(LogEnd::Abort),
    );
    let (lines, error) = drain(&docker, LogTarget::Service(web), LogOptions::new()).await;
    assert_eq!(lines.len(), 1);
    assert!(error.is_some_and(|error| error.is_connection()));
}

#[tokio::test]
async fn unknown_targets_and_no_stream_are_refused_up_front() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let docker = transport(&engine);
    let err = docker
        .logs(&LogTarget::Service("nope".into()), &LogOptions::new())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "nope"),
        "{err:?}"
    );
    let err = docker
        .logs(&LogTarget::Task("nope".into()), &LogOptions::new())
        .await
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            Error::NotFound {
                kind: ObjectKind::Task,
                ..
            }
        ),
        "{err:?}"
    );
    let err = docker
        .logs(
            &LogTarget::Service("web".into()),
            &LogOptions::new().streams(false, false),
        )
        .await
        .err()
        .unwrap();
    assert!(matches!(err, Error::Daemon { status: 500, .. }), "{err:?}");
    // A target without logs (the `none` driver) is an empty stream at this level.
    let (lines, error) = drain(&docker, LogTarget::Service("web".into()), LogOptions::new()).await;
    assert!(lines.is_empty() && error.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_followed_stream_has_no_total_or_idle_limit() {
    let engine = FakeEngine::start_local(FakeSwarm::sample()).await;
    let web = web_id(&engine);
    engine.set_logs(
        &web,
        FakeLogs::new().frame(1, b" hello\n").end(LogEnd::StayOpen),
    );
    let docker = HttpTransport::builder()
        .host(engine.host())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let followed = LogOptions::new().follow(true);
    let mut stream = docker
        .logs(&LogTarget::Service(web.clone()), &followed)
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap().line, b"hello");
    // An hour of silence on the paused clock: the stream is still waiting, not failed.
    let waited = tokio::time::timeout(Duration::from_secs(3600), stream.next()).await;
    assert!(waited.is_err(), "the followed stream ended: {waited:?}");
    assert_eq!(
        engine
            .requests()
            .last()
            .unwrap()
            .query_param("follow")
            .as_deref(),
        Some("1")
    );

    // Without follow, a body that stops coming fails after the request timeout.
    let mut stream = docker
        .logs(&LogTarget::Service(web), &LogOptions::new())
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_secs(5)),
        "{err:?}"
    );
}
