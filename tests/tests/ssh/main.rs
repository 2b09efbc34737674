//! The CLI transport end to end through a real `sshd` on loopback: `ssh://root@127.0.0.1:PORT`
//! hosts and a docker context naming that host, against the fake engine (the sshd's sessions
//! get `DOCKER_HOST` from its `SetEnv`) and, with `SWARM_TASKS_E2E=1`, the real engine; the
//! answers must equal the HTTP transport's on the same engine, and a refused key must be a
//! connection error (exit 3) that quotes ssh.
//!
//! Nothing touches `~/.ssh`: the sshd, its keys and the `ssh` wrapper the client runs for each
//! dial-stdio child come from `swarm_tasks_e2e::ssh`. `.ci/run` installs Debian's
//! `openssh-server`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use swarm_tasks::endpoint::DockerEnv;
use swarm_tasks::models::TaskFilter;
use swarm_tasks::monitor::{ServiceResult, WaitConfig};
use swarm_tasks::{Client, PsOptions};
use swarm_tasks_e2e::ssh::{Sshd, count_calls, ssh_tools};
use swarm_tasks_e2e::{complete, e2e_enabled, sorted};
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

/// Compares what the ssh clients and the HTTP client answer on the same engine.
async fn compare(http: &Client, over_ssh: &Client, services: &[String], label: &str) {
    let options = PsOptions::default();
    let from_http = http.service_ps(services, &options).await.unwrap();
    let from_ssh = over_ssh.service_ps(services, &options).await.unwrap();
    assert_eq!(from_ssh.rows, from_http.rows, "{label}: service ps");
    assert!(!from_ssh.rows.is_empty(), "{label}: service ps found tasks");

    let all_http = sorted(complete(http.list(&TaskFilter::new()).await.unwrap()).unwrap());
    let all_ssh = sorted(complete(over_ssh.list(&TaskFilter::new()).await.unwrap()).unwrap());
    assert_eq!(all_ssh, all_http, "{label}: ls");

    let mut ids: Vec<String> = all_http.iter().map(|task| task.id.clone()).collect();
    ids.push("doesnotexist".to_owned());
    let inspected_http = http.inspect_many(&ids).await.unwrap();
    let inspected_ssh = over_ssh.inspect_many(&ids).await.unwrap();
    assert_eq!(
        inspected_ssh.found, inspected_http.found,
        "{label}: inspect"
    );
    assert_eq!(inspected_ssh.missing.len(), 1, "{label}: inspect missing");
}

async fn wait_converges(client: &Client, service: &str) {
    let mut config = WaitConfig::default();
    config.stable = Some(Duration::ZERO);
    config.timeout = Some(Duration::from_secs(60));
    let outcome = client.wait(&[service.to_owned()], config).await.unwrap();
    assert!(
        matches!(outcome.services[0].result, ServiceResult::Converged),
        "{outcome:?}"
    );
}

#[test]
fn through_sshd_to_the_fake_engine() {
    let Some(tools) = ssh_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("fake.sock");
    let params = GenerateParams {
        services: 6,
        nodes: 5,
        replicas_per_service: 12,
        history_per_slot: 2,
        seed: 11,
    };
    let engine = FakeEngine::spawn_unix(FakeSwarm::generate(params), &socket).unwrap();
    let sshd = Sshd::start(&tools, &engine.host());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = Client::builder()
            .environment(DockerEnv::default())
            .host(engine.host())
            .build()
            .unwrap();
        let service = engine.swarm().services()[0]["Spec"]["Name"]
            .as_str()
            .unwrap()
            .to_owned();
        for by_context in [false, true] {
            let over_ssh = sshd.client(by_context, true);
            let label = if by_context { "context" } else { "host" };
            assert!(
                over_ssh.endpoint().contains("127.0.0.1") || over_ssh.endpoint().contains("remote"),
                "{}",
                over_ssh.endpoint()
            );
            let calls = sshd.calls();
            let (docker_before, ssh_before) =
                (count_calls(&calls, "docker"), count_calls(&calls, "ssh"));
            compare(&http, &over_ssh, std::slice::from_ref(&service), label).await;
            // Each child is the ssh command docker's connection helper runs: one ssh
            // connection per child (at most the client's 4), no local docker process.
            let docker_runs = count_calls(&calls, "docker") - docker_before;
            let ssh_runs = count_calls(&calls, "ssh") - ssh_before;
            assert_eq!(docker_runs, 0, "{label}: local docker processes");
            assert!(
                (1..=4).contains(&ssh_runs),
                "{label}: {ssh_runs} ssh connections"
            );
            let log = std::fs::read_to_string(&calls).unwrap();
            let last = log
                .lines()
                .rev()
                .find(|line| line.starts_with("ssh "))
                .unwrap();
            assert!(
                last.ends_with(&format!(
                    "-l root -p {} -- 127.0.0.1 docker system dial-stdio",
                    sshd.port()
                )),
                "{label}: {last}"
            );
        }
        // The generated swarm never converges (a task stays starting): both waits end at the
        // deadline with the same account of what is lacking.
        let over_ssh = sshd.client(false, true);
        let mut config = WaitConfig::default();
        config.stable = Some(Duration::ZERO);
        config.timeout = Some(Duration::from_secs(3));
        let services = std::slice::from_ref(&service);
        let from_http = http.wait(services, config).await.unwrap();
        let from_ssh = over_ssh.wait(services, config).await.unwrap();
        assert_eq!(from_ssh.services, from_http.services);
        assert!(
            matches!(from_ssh.services[0].result, ServiceResult::TimedOut { .. }),
            "{from_ssh:?}"
        );

        // A key the server does not know: a connection error, in ssh's words, exit 3.
        let refused = sshd.client(false, false);
        let error = refused.list(&TaskFilter::new()).await.unwrap_err();
        assert!(error.is_connection(), "{error:?}");
        let error = anyhow::Error::new(error);
        let mut printed = Vec::new();
        let code = swarm_tasks_cli::report::failure(&mut printed, &error);
        let printed = String::from_utf8_lossy(&printed);
        assert_eq!(
            code,
            swarm_tasks_cli::exit::ExitCode::Unavailable,
            "{printed}"
        );
        assert_eq!(code.code(), 3);
        assert!(
            printed.contains("Permission denied (publickey)"),
            "{printed}"
        );
    });
}

#[test]
fn through_sshd_to_the_real_engine() {
    if !e2e_enabled("ssh real-engine scenario") {
        return;
    }
    let Some(tools) = ssh_tools() else {
        return;
    };
    let sshd = Sshd::start(&tools, "unix:///var/run/docker.sock");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let name = format!("{}ssh", swarm_tasks_e2e::unique_prefix());
    let image = swarm_testkit::real_engine::build_test_image().unwrap();
    swarm_testkit::real_engine::docker([
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--replicas",
        "2",
        &image,
        "sleep",
        "3600",
    ])
    .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            let http = Client::builder()
                .environment(DockerEnv::default())
                .host("unix:///var/run/docker.sock")
                .build()
                .unwrap();
            let over_ssh = sshd.client(false, true);
            wait_converges(&over_ssh, &name).await;
            for by_context in [false, true] {
                let over_ssh = sshd.client(by_context, true);
                compare(
                    &http,
                    &over_ssh,
                    std::slice::from_ref(&name),
                    if by_context { "context" } else { "host" },
                )
                .await;
            }
        });
    }));
    let _ = swarm_testkit::real_engine::docker(["service", "rm", &name]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
