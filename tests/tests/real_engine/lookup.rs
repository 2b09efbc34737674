//! The lookup table (`swarm_tasks_e2e::lookup_table`) against the real engine: what the
//! docker CLI (`service ps`, `node ps`) and the daemon (`service=` / `node=` task filters)
//! answer for each reference, and what swarm-tasks answers through both transports.
//! The same table runs against the pure rule in `tests/lookup_table.rs`.

use std::time::Duration;

use serde_json::Value;
use swarm_models::{Node, TaskFilter};
use swarm_tasks::{Client, PsOptions};
use swarm_tasks_e2e::lookup_table::{
    Fixture, Outcome, Surface, check, filter_outcome, ps_outcome, shared_prefix,
};
use swarm_tasks_e2e::{complete, log, wait_for};
use swarm_testkit::real_engine::{self, ServiceGuard};
use swarm_transport::Transport;

use crate::{Check, Suite, ensure};

/// Gives a node a spec name (which differs from its hostname) and puts the old spec back
/// when dropped, also when a check fails.
struct SpecNameGuard {
    node_id: String,
    original: Value,
}

impl SpecNameGuard {
    fn set(node_id: &str, name: &str) -> Result<Self, String> {
        let (version, original) = node_spec(node_id)?;
        let mut spec = original.clone();
        spec["Name"] = Value::String(name.to_owned());
        update_node(node_id, version, &spec)?;
        Ok(Self {
            node_id: node_id.to_owned(),
            original,
        })
    }
}

impl Drop for SpecNameGuard {
    fn drop(&mut self) {
        let restored = node_spec(&self.node_id)
            .and_then(|(version, _)| update_node(&self.node_id, version, &self.original));
        if let Err(why) = restored {
            log(&format!(
                "could not restore the spec of node {}: {why}",
                self.node_id
            ));
        }
    }
}

fn node_spec(node_id: &str) -> Result<(u64, Value), String> {
    let body = real_engine::engine_get(&format!("/nodes/{node_id}")).map_err(|e| e.to_string())?;
    let node: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let version = node["Version"]["Index"]
        .as_u64()
        .ok_or("node without version")?;
    Ok((version, node["Spec"].clone()))
}

fn update_node(node_id: &str, version: u64, spec: &Value) -> Result<(), String> {
    let body = serde_json::to_vec(spec).map_err(|e| e.to_string())?;
    real_engine::engine_post(&format!("/nodes/{node_id}/update?version={version}"), &body)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What `docker service ps` / `docker node ps` answer for one reference.
fn docker_ps(surface: Surface, reference: &str, suite: &Suite, node_id: &str) -> Outcome {
    let command = if surface == Surface::ServicePs {
        "service"
    } else {
        "node"
    };
    match real_engine::docker([command, "ps", "--format", "{{.Name}}", "--", reference]) {
        Ok(stdout) if command == "node" => {
            let _ = stdout;
            Outcome::Found(node_id.to_owned())
        }
        Ok(stdout) => {
            // `NAME.SLOT`: the service part names the service.
            let Some(service_name) = stdout.lines().next().and_then(|l| l.rsplit_once('.')) else {
                return Outcome::Found("<no task>".to_owned());
            };
            let services = suite.block(suite.http.list_services()).unwrap_or_default();
            services
                .iter()
                .find(|s| s.name() == Some(service_name.0))
                .map_or(Outcome::Found("<unknown>".to_owned()), |s| {
                    Outcome::Found(s.id.clone())
                })
        }
        Err(err) => {
            let text = err.to_string();
            if text.contains("ambiguous") || text.contains("multiple") {
                Outcome::Ambiguous
            } else if text.contains("not found")
                || text.contains("no such")
                || text.contains("value is empty")
            {
                Outcome::NotFound
            } else {
                Outcome::Found(format!("<error: {text}>"))
            }
        }
    }
}

fn client_answer(
    suite: &Suite,
    client: &Client,
    transport: &dyn Transport,
    surface: Surface,
    reference: &str,
) -> Outcome {
    let args = [reference.to_owned()];
    let options = PsOptions::default();
    suite.block(async {
        match surface {
            Surface::ServicePs => ps_outcome(client.service_ps(&args, &options).await, false),
            Surface::NodePs => ps_outcome(client.node_ps(&args, &options).await, true),
            Surface::ServiceFilter => filter_outcome(
                transport
                    .list_tasks(&TaskFilter::new().service(reference))
                    .await,
                false,
            ),
            Surface::NodeFilter => filter_outcome(
                transport
                    .list_tasks(&TaskFilter::new().node(reference))
                    .await,
                true,
            ),
        }
    })
}

pub(crate) fn lookup_table(suite: &Suite, image: &str) -> Check {
    // Services with one pending task each (an unsatisfiable constraint: no container),
    // until two service IDs share a first character.
    let mut guard = ServiceGuard::new();
    let mut all_ids = Vec::new();
    for index in 0..40 {
        let name = suite.name(&format!("lk{index}"));
        guard.track(&name);
        real_engine::docker([
            "service",
            "create",
            "--detach",
            "--name",
            &name,
            "--replicas",
            "1",
            "--constraint",
            "node.labels.e2e-nowhere==true",
            image,
            "sleep",
            "3600",
        ])
        .map_err(|e| e.to_string())?;
        let services = suite
            .block(suite.http.list_services())
            .map_err(|e| e.to_string())?;
        all_ids = services.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        if index >= 1 && shared_prefix(&all_ids).is_some() {
            break;
        }
    }
    let first = suite.name("lk0");
    let services = suite
        .block(suite.http.list_services())
        .map_err(|e| e.to_string())?;
    let service = services
        .iter()
        .find(|s| s.name() == Some(first.as_str()))
        .ok_or("lk0 not listed")?;
    for tracked in guard.names() {
        wait_for(
            &format!("{tracked}: a task"),
            Duration::from_secs(60),
            Duration::from_millis(300),
            || {
                let tasks = suite.tasks_of(tracked)?;
                if tasks.is_empty() {
                    Err("no task yet".to_owned())
                } else {
                    Ok(Some(()))
                }
            },
        )?;
    }
    let service_fixture = Fixture {
        id: service.id.clone(),
        name: first.clone(),
        all_ids,
        ..Fixture::default()
    };

    let nodes: Vec<Node> = complete(
        suite
            .block(suite.http.list_nodes())
            .map_err(|e| e.to_string())?,
    )?;
    let node = nodes.first().ok_or("no node")?;
    let spec_name = suite.name("specname");
    let _restore = SpecNameGuard::set(&node.id, &spec_name)?;
    let node_fixture = Fixture {
        id: node.id.clone(),
        name: node.hostname().unwrap_or_default().to_owned(),
        all_ids: nodes.iter().map(|n| n.id.clone()).collect(),
        spec_name: Some(spec_name),
        shared_name: None,
    };

    let mut failures = Vec::new();
    let mut unmade_cases = Vec::new();
    let (mismatches, unmade) =
        check(
            &service_fixture,
            &node_fixture,
            |surface, reference| match surface {
                Surface::ServicePs | Surface::NodePs => {
                    docker_ps(surface, reference, suite, &node.id)
                }
                _ => client_answer(suite, &suite.http_client, &suite.http, surface, reference),
            },
        );
    failures.extend(
        mismatches
            .into_iter()
            .map(|m| format!("docker/daemon: {m}")),
    );
    unmade_cases.extend(unmade);
    for (label, client, transport) in [
        ("http", &suite.http_client, &suite.http as &dyn Transport),
        ("cli", &suite.cli_client, &suite.cli as &dyn Transport),
    ] {
        let (mismatches, _) = check(&service_fixture, &node_fixture, |surface, reference| {
            client_answer(suite, client, transport, surface, reference)
        });
        failures.extend(
            mismatches
                .into_iter()
                .map(|m| format!("swarm-tasks {label}: {m}")),
        );
    }
    log(&format!(
        "lookup table: cases a single-node swarm cannot make (checked on the pure rule only): {}",
        unmade_cases.join(", ")
    ));
    guard.remove_now().map_err(|e| e.to_string())?;
    ensure!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
