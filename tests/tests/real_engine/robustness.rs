//! Scenarios about what must never be lost or mistaken: fidelity of live objects, and the
//! typed errors of both transports (unknown id, unreachable socket, not a manager).

use swarm_models::{Node, Service, Task, TaskFilter};
use swarm_tasks_e2e::log;
use swarm_testkit::fidelity::{self, Fidelity};
use swarm_testkit::real_engine;
use swarm_transport::{
    CliTransport, Error, HttpTransport, NotManagerReason, ObjectKind, Transport,
};

use crate::{Check, Suite, ensure};

pub(crate) fn live_fidelity(_suite: &Suite) -> Check {
    let mut leaves = 0usize;
    let mut objects = 0usize;
    let mut unknown = Vec::new();
    for (path, kind) in [
        ("/tasks", "task"),
        ("/services?status=true", "service"),
        ("/nodes", "node"),
    ] {
        let body = real_engine::engine_get(path).map_err(|e| e.to_string())?;
        let raw: Vec<serde_json::Value> =
            serde_json::from_slice(&body).map_err(|e| format!("{path}: {e}"))?;
        for value in raw {
            let report: Fidelity = match kind {
                "task" => fidelity::check::<Task>(&value),
                "service" => fidelity::check::<Service>(&value),
                _ => fidelity::check::<Node>(&value),
            }
            .map_err(|e| format!("{kind} {}: {e}", value["ID"]))?;
            ensure!(
                report.lost.is_empty(),
                "{kind} {}: lost {:?}",
                value["ID"],
                report.lost
            );
            leaves += report.leaves;
            unknown.extend(report.unknown_keys);
            objects += 1;
        }
    }
    unknown.sort();
    unknown.dedup();
    log(&format!(
        "fidelity: {objects} live objects, {leaves} leaves, 0 lost; keys this version does not know (kept): {unknown:?}"
    ));
    Ok(())
}

/// How the daemon frames a JSON answer, which the fake engine copies
/// (`swarm_testkit`'s `http::write_response`): a small body with `Content-Length`, a larger
/// one chunked, as one chunk that holds the whole body (Go's JSON encoder hands the body to
/// one `Write`).
pub(crate) fn answer_framing(_suite: &Suite) -> Check {
    let (head, body) = http11_get("/v1.41/version")?;
    ensure!(
        head.contains("content-length:") && !head.contains("transfer-encoding"),
        "GET /version ({} bytes): expected Content-Length, head {head:?}",
        body.len()
    );
    let (head, body) = http11_get("/v1.41/tasks")?;
    ensure!(
        head.contains("transfer-encoding: chunked"),
        "GET /tasks: expected a chunked body, head {head:?}"
    );
    let mut chunks = Vec::new();
    let mut rest = &body[..];
    loop {
        let line_end = rest
            .windows(2)
            .position(|pair| pair == b"\r\n")
            .ok_or("GET /tasks: a chunk size line without its end")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.trim(), 16)
            .map_err(|err| format!("GET /tasks: chunk size {size_text:?}: {err}"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            break;
        }
        ensure!(
            rest.len() >= size + 2,
            "GET /tasks: a chunk of {size} bytes cut short"
        );
        chunks.push(size);
        rest = &rest[size + 2..];
    }
    let total: usize = chunks.iter().sum();
    // Above Go's 4 KiB connection buffer, so the body went out in more than one write.
    ensure!(
        total > 4096,
        "GET /tasks: {total} bytes is too small to show the framing of a large answer"
    );
    ensure!(
        chunks.len() == 1,
        "GET /tasks: {total} bytes in {} chunks ({chunks:?}), expected one",
        chunks.len()
    );
    log(&format!(
        "framing: /version with Content-Length, /tasks ({total} bytes) as one chunk"
    ));
    Ok(())
}

/// `GET path` over HTTP/1.1 on the default socket, the connection closed after: the head
/// (lowercase) and the body as framed on the wire.
fn http11_get(path: &str) -> Result<(String, Vec<u8>), String> {
    use std::io::{Read, Write};
    let socket = real_engine::DOCKER_SOCKET;
    let mut stream = std::os::unix::net::UnixStream::connect(socket)
        .map_err(|err| format!("connect to {socket}: {err}"))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
    )
    .map_err(|err| format!("GET {path}: {err}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|err| format!("GET {path}: {err}"))?;
    let split = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no end of the head"))?;
    let head = String::from_utf8_lossy(&response[..split]).to_lowercase();
    ensure!(
        head.starts_with("http/1.1 200"),
        "GET {path}: {}",
        head.lines().next().unwrap_or_default()
    );
    Ok((head, response[split + 4..].to_vec()))
}

pub(crate) fn errors(suite: &Suite) -> Check {
    for transport in [&suite.http as &dyn Transport, &suite.cli as &dyn Transport] {
        let err = suite.block(transport.inspect_task("nosuchtask0000000000000000"));
        ensure!(
            matches!(
                &err,
                Err(Error::NotFound {
                    kind: ObjectKind::Task,
                    ..
                })
            ),
            "{}: unknown task id gave {err:?}",
            transport.endpoint()
        );
    }
    let missing = format!("unix:///tmp/{}-missing.sock", suite.prefix);
    let http = HttpTransport::builder()
        .host(&missing)
        .build()
        .map_err(|e| e.to_string())?;
    let cli = CliTransport::builder().host(&missing).build();
    for transport in [&http as &dyn Transport, &cli as &dyn Transport] {
        let err = suite.block(transport.list_tasks(&TaskFilter::new()));
        ensure!(
            matches!(&err, Err(Error::DaemonUnreachable { .. })),
            "{}: missing socket gave {err:?}",
            transport.endpoint()
        );
    }
    Ok(())
}

/// Makes the engine leave its swarm, checks both transports report the typed not-a-manager
/// error with the daemon's message, and re-initializes the swarm whatever happens.
pub(crate) fn not_a_manager_after_leave(suite: &Suite) -> Check {
    struct Rejoin;
    impl Drop for Rejoin {
        fn drop(&mut self) {
            if let Err(err) = real_engine::ensure_swarm() {
                log(&format!("could not re-initialize the swarm: {err}"));
            }
        }
    }
    let _rejoin = Rejoin;
    real_engine::docker(["swarm", "leave", "--force"]).map_err(|e| e.to_string())?;
    let http = HttpTransport::builder()
        .build()
        .map_err(|e| e.to_string())?;
    for transport in [&http as &dyn Transport, &suite.cli as &dyn Transport] {
        let err = suite.block(transport.list_tasks(&TaskFilter::new()));
        match &err {
            Err(Error::NotManager {
                reason: NotManagerReason::NotInSwarm,
                message,
                ..
            }) => {
                ensure!(
                    message.contains("not a swarm manager"),
                    "{}: message {message:?}",
                    transport.endpoint()
                );
            }
            other => {
                return Err(format!(
                    "{}: after leave got {other:?}",
                    transport.endpoint()
                ));
            }
        }
    }
    Ok(())
}
