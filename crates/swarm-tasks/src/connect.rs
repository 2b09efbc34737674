//! Turns a resolved endpoint into a transport: the only place that names the concrete
//! transports of swarm-transport, so the rest of the facade sees `dyn Transport` only.

use std::path::Path;
use std::sync::Arc;

use swarm_transport::Transport;

use crate::client::{ClientBuilder, TransportKind};
use crate::endpoint::{EndpointOptions, ResolvedEndpoint};
use crate::error::{Error, Result};

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
    Err(Error::Config {
        message: format!(
            "replay of {} is not available in this build yet",
            dir.display()
        ),
    })
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

fn http(_builder: &ClientBuilder, resolved: &ResolvedEndpoint) -> Result<Arc<dyn Transport>> {
    Err(Error::Config {
        message: format!(
            "the HTTP transport for {} is not available in this build yet",
            resolved.host
        ),
    })
}

fn cli(
    _builder: &ClientBuilder,
    _options: &EndpointOptions,
    resolved: &ResolvedEndpoint,
) -> Result<Arc<dyn Transport>> {
    Err(Error::Config {
        message: format!(
            "the CLI transport for {} is not available in this build yet",
            resolved.host
        ),
    })
}
