//! `ClientBuilder::max_concurrent_requests` bounds the CLI transport too: the `docker`
//! processes of one client, across all its calls and clones. A fake `docker` without
//! dial-stdio (so the client runs commands) counts how many of it run at once.
#![cfg(all(unix, feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;

use swarm_tasks::{Client, TransportKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builders_bound_caps_the_clients_docker_processes() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("docker");
    // No dial-stdio; every other command marks itself running, waits (boundedly) until two
    // run, writes how many it saw, and prints no nodes.
    let script = format!(
        "#!/bin/sh\ncd '{}'\ncase \"$*\" in\n*dial-stdio*) echo 'unknown command' >&2; exit 1;;\nesac\n\
         touch \"running.$$\"\ni=0\n\
         while [ \"$(ls running.* | wc -l)\" -lt 2 ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i+1)); done\n\
         ls running.* | wc -l >> counts.log\nrm \"running.$$\"\n",
        dir.path().display()
    );
    std::fs::write(&program, script).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let client = Client::builder()
        .host("tcp://fake:2375")
        .transport(TransportKind::Cli)
        .docker_program(&program)
        .max_concurrent_requests(2)
        .build()
        .unwrap();
    let calls = (0..8).map(|_| {
        let client = client.clone();
        async move { client.nodes().await }
    });
    for result in futures::future::join_all(calls).await {
        assert!(result.unwrap().is_empty());
    }
    let seen: Vec<usize> = std::fs::read_to_string(dir.path().join("counts.log"))
        .unwrap()
        .lines()
        .map(|line| line.trim().parse().unwrap())
        .collect();
    assert_eq!(seen.len(), 8, "{seen:?}");
    assert_eq!(seen.iter().max(), Some(&2), "{seen:?}");
}
