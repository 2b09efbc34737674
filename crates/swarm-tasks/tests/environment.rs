//! `Client` built from a docker environment (DOCKER_HOST, contexts in a temporary
//! DOCKER_CONFIG), end to end against the fake engine, over both transports.
#![cfg(all(feature = "http", feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::Path;

use swarm_tasks::endpoint::DockerEnv;
use swarm_tasks::{Client, PsOptions, TransportKind};
use swarm_testkit::{FakeEngine, FakeSwarm};

fn write_context(config_dir: &Path, name: &str, host: &str) {
    swarm_testkit::write_docker_context(config_dir, name, host);
}

async fn web_rows(client: &Client) -> Vec<String> {
    client
        .service_ps(&["web".to_owned()], &PsOptions::default())
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|row| format!("{} {}", row.task.id, row.name))
        .collect()
}

#[tokio::test]
async fn docker_host_from_the_environment() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let env = DockerEnv::default().with_var("DOCKER_HOST", engine.host());
    let client = Client::builder().environment(env).build().unwrap();
    assert_eq!(web_rows(&client).await.len(), 5);
}

#[tokio::test]
async fn current_context_over_http_and_over_the_docker_cli() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let config = tempfile::tempdir().unwrap();
    write_context(config.path(), "fake", &engine.host());
    std::fs::write(
        config.path().join("config.json"),
        r#"{"currentContext": "fake"}"#,
    )
    .unwrap();
    let env = DockerEnv::default().with_var("DOCKER_CONFIG", config.path().to_string_lossy());
    let http = Client::builder().environment(env.clone()).build().unwrap();
    let over_http = web_rows(&http).await;
    assert_eq!(over_http.len(), 5);
    // The docker binary finds the same context through --config and --context.
    let cli = Client::builder()
        .environment(env)
        .transport(TransportKind::Cli)
        .build()
        .unwrap();
    assert_eq!(cli.endpoint(), "docker --context fake");
    assert_eq!(web_rows(&cli).await, over_http);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_connection_error() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let host = engine.host();
    drop(engine);
    let env = DockerEnv::default().with_var("DOCKER_HOST", host);
    let client = Client::builder().environment(env).build().unwrap();
    let error = client
        .service_ps(&["web".to_owned()], &PsOptions::default())
        .await
        .unwrap_err();
    assert!(error.is_connection(), "{error}");
}

#[tokio::test]
async fn unix_socket_host() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("docker.sock");
    let engine = FakeEngine::start_unix(FakeSwarm::sample(), &socket).await;
    assert!(engine.host().starts_with("unix://"));
    let env = DockerEnv::default().with_var("DOCKER_HOST", engine.host());
    let client = Client::builder().environment(env).build().unwrap();
    assert_eq!(web_rows(&client).await.len(), 5);
}

#[test]
fn tls_verify_without_certificates_is_refused_for_every_transport() {
    use swarm_tasks::endpoint::EndpointError;
    use swarm_tasks::transport::Error as TransportError;
    let empty = tempfile::tempdir().unwrap();
    let env = DockerEnv::default()
        .with_var("DOCKER_HOST", "tcp://127.0.0.1:2376")
        .with_var("DOCKER_TLS_VERIFY", "1")
        .with_var("DOCKER_CERT_PATH", empty.path().to_string_lossy());
    for kind in [TransportKind::Auto, TransportKind::Http, TransportKind::Cli] {
        let error = Client::builder()
            .environment(env.clone())
            .transport(kind)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                error.as_transport(),
                Some(TransportError::Endpoint(
                    EndpointError::TlsCertificatesMissing { ca: Some(_) }
                ))
            ),
            "{kind:?}: {error:?}"
        );
        assert!(error.is_config(), "{error}");
    }
}
