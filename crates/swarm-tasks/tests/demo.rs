//! The committed demo snapshot (demo/swarm, recorded from a real engine): replayed through
//! the facade, `service ps` and `node ps` give the rows the real `docker` CLI prints when the
//! fake engine serves the same folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::PathBuf;

use swarm_tasks::{Client, PsOptions};
use swarm_testkit::{FakeEngine, FakeSwarm};

fn demo_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm"))
}

async fn docker_lines(engine: &FakeEngine, args: &[&str]) -> Vec<String> {
    let output = tokio::process::Command::new("docker")
        .args(["-H", &engine.host()])
        .args(args)
        .args([
            "--no-trunc",
            "--format",
            "{{.ID}} {{.Name}} {{.Node}} {{.CurrentState}}",
        ])
        .output()
        .await
        .expect("the docker CLI is part of this project's environment");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            // CurrentState is "Running 2 years ago": keep the state word only.
            let words: Vec<&str> = line.split(' ').collect();
            words
                .iter()
                .take(4)
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .collect()
}

fn our_lines(rows: &[swarm_tasks::TaskRow]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            let state = row
                .current_state
                .as_ref()
                .map(|state| state.to_string())
                .unwrap_or_default();
            format!(
                "{} {} {} {}",
                row.task.id,
                row.name,
                row.node_name.as_deref().unwrap_or(""),
                state
            )
            .to_lowercase()
        })
        .collect()
}

#[tokio::test]
async fn service_ps_and_node_ps_over_the_demo_match_docker() {
    let client = Client::builder().replay(demo_dir()).build().unwrap();
    let engine = FakeEngine::start(FakeSwarm::from_snapshot(demo_dir()).unwrap()).await;
    let services: Vec<String> = client
        .services()
        .await
        .unwrap()
        .iter()
        .filter_map(|service| service.name().map(str::to_owned))
        .collect();
    assert!(services.len() >= 4, "{services:?}");
    let report = client
        .service_ps(&services, &PsOptions::default())
        .await
        .unwrap();
    let mut args = vec!["service", "ps"];
    args.extend(services.iter().map(String::as_str));
    assert_eq!(our_lines(&report.rows), docker_lines(&engine, &args).await);
    let mine = client.node_ps(&[], &PsOptions::default()).await.unwrap();
    assert_eq!(
        our_lines(&mine.rows),
        docker_lines(&engine, &["node", "ps"]).await
    );
}
