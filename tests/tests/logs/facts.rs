//! What the daemon decides about log streams, as docs/transports.md and docs/fixtures.md
//! state it: each check fails when this engine stops behaving so.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use futures::StreamExt;
use swarm_models::TaskState;
use swarm_testkit::real_engine::DOCKER_SOCKET;
use swarm_transport::Error;
use swarm_transport::logs::{LogOptions, LogTarget};

use crate::{Check, Suite, all_in, ensure};

/// How long a followed stream of an ended task is watched for its end.
const OPEN_FOR: Duration = Duration::from_secs(3);

/// The head (status line and headers) and the body of `GET path` on the engine's socket, as
/// sent (HTTP/1.0, so the engine closes the connection after a finite answer).
fn raw_get(path: &str) -> Result<(String, Vec<u8>), String> {
    let mut stream = UnixStream::connect(DOCKER_SOCKET).map_err(|err| err.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|err| err.to_string())?;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no end of headers"))?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    Ok((head, response[split + 4..].to_vec()))
}

fn service_id(suite: &Suite, short: &str) -> Result<String, String> {
    let services = suite
        .block(suite.http().list_services())
        .map_err(|err| err.to_string())?;
    let name = suite.name(short);
    services
        .into_iter()
        .find(|service| service.spec.name.as_deref() == Some(name.as_str()))
        .map(|service| service.id)
        .ok_or_else(|| format!("service {name} not listed"))
}

/// The one task of the `done` service, once it has completed.
fn done_task(suite: &Suite) -> Result<String, String> {
    let tasks = suite.wait_tasks(&suite.name("done"), "its task completes", |tasks| {
        all_in(tasks, 1, TaskState::Complete)
    })?;
    Ok(tasks[0].id.clone())
}

/// docs/transports.md: "Engine 20.10 keeps a followed stream open after its task ended".
pub(crate) fn followed_stream_outlives_its_task(suite: &Suite) -> Check {
    let task = done_task(suite)?;
    let transport = suite.http();
    let target = LogTarget::Task(task.clone());
    suite.block(async {
        let mut stream = transport
            .logs(&target, &LogOptions::new().follow(true))
            .await
            .map_err(|err| err.to_string())?;
        let mut texts = Vec::new();
        for _ in 0..2 {
            match stream.next().await {
                Some(Ok(line)) => texts.push(line.text().into_owned()),
                other => return Err(format!("task {task}: expected a line, got {other:?}")),
            }
        }
        ensure!(
            texts == ["done one", "done two"],
            "task {task}: lines {texts:?}"
        );
        let after = tokio::time::timeout(OPEN_FOR, stream.next()).await;
        ensure!(
            after.is_err(),
            "the followed stream of ended task {task} did not stay open: {after:?}"
        );
        Ok(())
    })
}

/// docs/transports.md and docs/fixtures.md: the daemon ignores `until` on swarm logs, so it
/// is applied to the lines here.
pub(crate) fn until_is_ignored_by_the_daemon(suite: &Suite) -> Check {
    let task = done_task(suite)?;
    let (head, body) = raw_get(&format!(
        "/tasks/{task}/logs?stdout=1&stderr=1&until=1000000000"
    ))?;
    ensure!(head.contains(" 200 "), "until=2001: {head}");
    ensure!(
        body.windows(8).any(|window| window == b"done one"),
        "the daemon applied until=2001 (body {:?}): drop the claim that it ignores it",
        String::from_utf8_lossy(&body)
    );
    let until = "2001-09-09T01:46:40Z".parse().map_err(|_| "timestamp")?;
    for (name, transport) in &suite.transports {
        let target = LogTarget::Task(task.clone());
        let all = suite.read_all(transport.as_ref(), &target, &LogOptions::new())?;
        ensure!(all.len() == 2, "{name}: {} lines without until", all.len());
        let none = suite.read_all(transport.as_ref(), &target, &LogOptions::new().until(until))?;
        ensure!(none.is_empty(), "{name}: until=2001 kept {none:?}");
    }
    Ok(())
}

/// docs/fixtures.md: the `none` driver gives an empty 200; the issue: Client::logs names
/// the driver instead.
pub(crate) fn none_driver(suite: &Suite) -> Check {
    let name = suite.name("none");
    suite.wait_tasks(&name, "its task runs", |tasks| {
        all_in(tasks, 1, TaskState::Running)
    })?;
    let id = service_id(suite, "none")?;
    let (head, body) = raw_get(&format!("/services/{id}/logs?stdout=1&stderr=1"))?;
    ensure!(head.contains(" 200 "), "none driver: {head}");
    ensure!(
        body.is_empty(),
        "none driver: a body of {} bytes",
        body.len()
    );
    for (transport, client) in &suite.clients {
        match suite.block(client.logs(&name, &LogOptions::new())) {
            Err(swarm_tasks::Error::LogsUnreadable { driver, .. }) if driver == "none" => {}
            Err(other) => return Err(format!("{transport}: {other}")),
            Ok(_) => return Err(format!("{transport}: a stream for the none driver")),
        }
    }
    Ok(())
}

/// docs/transports.md and docs/fixtures.md: 20.10 announces no framing in `Content-Type`.
pub(crate) fn no_content_type(suite: &Suite) -> Check {
    let task = done_task(suite)?;
    let (head, body) = raw_get(&format!("/tasks/{task}/logs?stdout=1&stderr=1"))?;
    ensure!(head.contains(" 200 ") && !body.is_empty(), "{head}");
    ensure!(
        !head.to_ascii_lowercase().contains("content-type"),
        "the engine now sends a Content-Type on logs: {head}"
    );
    Ok(())
}

/// docs/fixtures.md: the json-file driver stores invalid UTF-8 as U+FFFD.
pub(crate) fn invalid_utf8_is_replaced(suite: &Suite) -> Check {
    let name = suite.name("out");
    let target = LogTarget::Service(name.clone());
    let expected = "bad \u{FFFD}\u{FFFD} utf8".as_bytes();
    crate::wait_for_lines(suite, &name, 2)?;
    for (transport_name, transport) in &suite.transports {
        let lines = suite.read_all(transport.as_ref(), &target, &LogOptions::new())?;
        let bad: Vec<_> = lines
            .iter()
            .filter(|line| line.line.starts_with(b"bad "))
            .collect();
        ensure!(
            bad.len() == 2 && bad.iter().all(|line| line.line == expected),
            "{transport_name}: {bad:?}"
        );
    }
    Ok(())
}

/// docs/fixtures.md: asking for neither output is the daemon's 500.
pub(crate) fn no_stream_is_a_500(suite: &Suite) -> Check {
    let task = done_task(suite)?;
    let target = LogTarget::Task(task);
    let outcome = suite.block(
        suite
            .http()
            .logs(&target, &LogOptions::new().streams(false, false)),
    );
    match outcome {
        Err(Error::Daemon {
            status: 500,
            message,
            ..
        }) if message.contains("you must choose at least one stream") => Ok(()),
        Err(other) => Err(format!("{other:?}")),
        Ok(_) => Err("a stream".to_owned()),
    }
}
