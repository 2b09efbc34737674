//! Turns a resolved endpoint into a transport: the only place that names the concrete
//! transports of swarm-transport, so the rest of the facade sees `dyn Transport` only.

use std::path::Path;
use std::sync::Arc;

use swarm_transport::{ReplayTransport, Transport};

use crate::client::{ClientBuilder, TransportKind};
use crate::endpoint::{EndpointOptions, ResolvedEndpoint};
use crate::error::Result;

/// The transport [`TransportKind::Auto`] picks for a host: the CLI for `ssh://` (the docker
/// CLI's SSH connection helper does the work), HTTP for everything else.
pub(crate) fn auto_kind(host: &str) -> TransportKind {
    if host.starts_with("ssh://") {
        TransportKind::Cli
    } else {
        TransportKind::Http
    }
}

/// A replay transport over a snapshot folder.
pub(crate) fn replay(dir: &Path) -> Result<Arc<dyn Transport>> {
    Ok(Arc::new(ReplayTransport::open(dir)?))
}

/// The transport for a resolved endpoint.
pub(crate) fn transport(
    builder: &ClientBuilder,
    options: &EndpointOptions,
    resolved: &ResolvedEndpoint,
) -> Result<Arc<dyn Transport>> {
    let kind = match builder.kind {
        TransportKind::Auto => auto_kind(&resolved.host),
        other => other,
    };
    match kind {
        TransportKind::Cli => cli(builder, options, resolved),
        _ => http(builder, resolved),
    }
}

#[cfg(feature = "http")]
fn http(builder: &ClientBuilder, resolved: &ResolvedEndpoint) -> Result<Arc<dyn Transport>> {
    use swarm_transport::HttpTransport;

    let mut http = HttpTransport::builder().endpoint(resolved);
    if let Some(timeout) = builder.timeout {
        http = http.connect_timeout(timeout).request_timeout(timeout);
    }
    if let Some(requests) = builder.max_concurrent_requests {
        http = http.max_concurrent_requests(requests);
    }
    Ok(Arc::new(http.build()?))
}

#[cfg(not(feature = "http"))]
fn http(_builder: &ClientBuilder, resolved: &ResolvedEndpoint) -> Result<Arc<dyn Transport>> {
    Err(crate::Error::Config {
        message: format!(
            "{} needs the HTTP transport, but swarm-tasks was built without the `http` feature",
            resolved.host
        ),
    })
}

#[cfg(feature = "cli")]
fn cli(
    builder: &ClientBuilder,
    options: &EndpointOptions,
    resolved: &ResolvedEndpoint,
) -> Result<Arc<dyn Transport>> {
    use swarm_transport::CliTransport;

    let mut cli = CliTransport::builder();
    // Pass what was resolved explicitly, so the docker binary talks to the same daemon even
    // when the environment given to the builder is not the process's.
    if let Some(context) = options.context.clone().or_else(|| resolved.context.clone()) {
        cli = cli.context(context);
    } else {
        cli = cli.host(resolved.host.clone());
    }
    if let Some(dir) = &resolved.config_dir {
        cli = cli.config_dir(dir.clone());
    }
    if let Some(program) = &builder.docker_program {
        cli = cli.program(program.clone());
    }
    if let Some(program) = &builder.ssh_program {
        cli = cli.ssh_program(Some(program.clone()));
    }
    if let Some(timeout) = builder.timeout {
        cli = cli.timeout(timeout);
    }
    if let Some(children) = builder.max_concurrent_requests {
        cli = cli.concurrency(children);
    }
    Ok(Arc::new(cli.build()))
}

#[cfg(not(feature = "cli"))]
fn cli(
    _builder: &ClientBuilder,
    _options: &EndpointOptions,
    resolved: &ResolvedEndpoint,
) -> Result<Arc<dyn Transport>> {
    Err(crate::Error::Config {
        message: format!(
            "{} needs the CLI transport, but swarm-tasks was built without the `cli` feature",
            resolved.host
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;
    use crate::endpoint::DockerEnv;

    #[test]
    fn auto_picks_cli_for_ssh_only() {
        assert_eq!(auto_kind("ssh://ops@prod"), TransportKind::Cli);
        assert_eq!(
            auto_kind("unix:///var/run/docker.sock"),
            TransportKind::Http
        );
        assert_eq!(auto_kind("tcp://10.0.0.1:2375"), TransportKind::Http);
        assert_eq!(auto_kind("https://10.0.0.1:2376"), TransportKind::Http);
    }

    #[cfg(all(feature = "http", feature = "cli"))]
    #[test]
    fn builder_picks_the_transport_from_the_resolved_host() {
        let config = tempfile::tempdir().unwrap();
        swarm_testkit::write_docker_context(config.path(), "remote", "ssh://ops@prod");
        let env = DockerEnv::default().with_var("DOCKER_CONFIG", config.path().to_string_lossy());
        // An ssh:// context goes through the docker binary, by context name.
        let client = Client::builder()
            .environment(env.clone().with_var("DOCKER_CONTEXT", "remote"))
            .build()
            .unwrap();
        assert_eq!(client.endpoint(), "docker --context remote");
        // ... and cannot be used over HTTP.
        let error = Client::builder()
            .environment(env.clone())
            .context("remote")
            .transport(TransportKind::Http)
            .build()
            .unwrap_err();
        assert!(error.is_config(), "{error}");
        // A TCP host goes over HTTP unless the CLI is asked for.
        let tcp = env.with_var("DOCKER_HOST", "tcp://127.0.0.1:2375");
        let client = Client::builder().environment(tcp.clone()).build().unwrap();
        assert!(
            client.endpoint().contains("127.0.0.1:2375"),
            "{}",
            client.endpoint()
        );
        let client = Client::builder()
            .environment(tcp)
            .context("remote")
            .transport(TransportKind::Cli)
            .build()
            .unwrap();
        assert_eq!(client.endpoint(), "docker --context remote");
    }

    #[test]
    fn replay_of_a_missing_folder_names_it() {
        let error = Client::builder()
            .replay("/nonexistent/snapshot")
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/snapshot"),
            "{error}"
        );
    }
}
