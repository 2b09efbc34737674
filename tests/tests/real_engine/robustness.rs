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
