//! Which daemon to talk to, decided the way the `docker` CLI decides it.
//!
//! [`resolve_endpoint`] is a function of explicit inputs (the `--host`/`--context` options,
//! a [`DockerEnv`] holding the environment variables, and the files under the docker config
//! directory it names), so every rule is unit-testable without touching the process
//! environment. The order is docker's (docker/cli `resolveContextName`):
//!
//! 1. `--host` and `--context` together are an error;
//! 2. the `--context` option;
//! 3. the `--host` option;
//! 4. `DOCKER_HOST`;
//! 5. `DOCKER_CONTEXT`;
//! 6. `currentContext` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`);
//! 7. `unix:///var/run/docker.sock`.
//!
//! A context named `default` means "the environment": `DOCKER_HOST`, else the default
//! socket. Any other context is read from the context store:
//! `$DOCKER_CONFIG/contexts/meta/<sha256 of the name>/meta.json` gives `Endpoints.docker.Host`
//! and `SkipTLSVerify`, and `contexts/tls/<sha256>/docker/{ca,cert,key}.pem` the TLS files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The endpoint docker uses when nothing else is configured.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The name of docker's built-in context (the environment's endpoint).
pub const DEFAULT_CONTEXT: &str = "default";

/// The environment as docker reads it: `DOCKER_*` variables and `HOME`.
///
/// Build one from the process with [`DockerEnv::from_process`], or by hand in tests:
///
/// ```
/// use swarm_tasks::endpoint::{resolve_endpoint, DockerEnv, EndpointOptions};
///
/// let env = DockerEnv::default().with_var("DOCKER_HOST", "tcp://10.0.0.5:2375");
/// let resolved = resolve_endpoint(&EndpointOptions::default(), &env).unwrap();
/// assert_eq!(resolved.host, "tcp://10.0.0.5:2375");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerEnv {
    vars: BTreeMap<String, String>,
}

impl DockerEnv {
    /// The variables docker reads, from this process's environment.
    pub fn from_process() -> Self {
        let mut env = Self::default();
        for key in [
            "DOCKER_HOST",
            "DOCKER_CONTEXT",
            "DOCKER_CONFIG",
            "DOCKER_TLS_VERIFY",
            "DOCKER_CERT_PATH",
            "DOCKER_API_VERSION",
            "HOME",
        ] {
            if let Some(value) = std::env::var_os(key) {
                env.vars
                    .insert(key.to_owned(), value.to_string_lossy().into_owned());
            }
        }
        env
    }

    /// Sets a variable (consuming, for chaining).
    #[must_use]
    pub fn with_var(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(key.into(), value.into());
        self
    }

    /// A variable's value; an empty value counts as unset, as in docker.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The docker config directory: `DOCKER_CONFIG`, else `$HOME/.docker`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.var("DOCKER_CONFIG") {
            return Some(PathBuf::from(dir));
        }
        self.var("HOME").map(|home| Path::new(home).join(".docker"))
    }
}

/// What the user asked for explicitly (the CLI's `--host` and `--context`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOptions {
    /// `--host`/`-H`: a daemon address.
    pub host: Option<String>,
    /// `--context`: a docker context name.
    pub context: Option<String>,
}

/// Where the resolved endpoint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointSource {
    /// The `--host` option.
    HostOption,
    /// The `DOCKER_HOST` variable.
    HostEnv,
    /// A context named by the `--context` option.
    ContextOption,
    /// A context named by `DOCKER_CONTEXT`.
    ContextEnv,
    /// The `currentContext` of the docker config file.
    CurrentContext,
    /// Nothing configured: the default socket.
    Default,
}

/// TLS files and verification for a TCP endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA certificate, if present.
    pub ca: Option<PathBuf>,
    /// The client certificate, if present.
    pub cert: Option<PathBuf>,
    /// The client key, if present.
    pub key: Option<PathBuf>,
    /// Whether to verify the server's certificate.
    pub verify: bool,
}

/// The outcome of [`resolve_endpoint`]: where to connect and how.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedEndpoint {
    /// The daemon address (`unix://`, `tcp://`, `http(s)://`, `ssh://`).
    pub host: String,
    /// The context the host came from, unless it was the `default` context or none.
    pub context: Option<String>,
    /// Which rule chose it.
    pub source: EndpointSource,
    /// TLS settings, when TLS is configured (`DOCKER_TLS_VERIFY`, or a context's TLS files).
    pub tls: Option<TlsFiles>,
    /// The docker config directory in effect, if one is known.
    pub config_dir: Option<PathBuf>,
    /// `DOCKER_API_VERSION`, when set: pin this API version instead of negotiating.
    pub api_version: Option<String>,
}

/// Resolves the endpoint like `docker` does; see the [module docs](self) for the rules.
///
/// Reads `config.json` and the context store under [`DockerEnv::config_dir`], nothing else.
/// A missing `config.json` is fine; an unreadable or malformed one is an error, as in docker.
pub fn resolve_endpoint(options: &EndpointOptions, env: &DockerEnv) -> Result<ResolvedEndpoint> {
    let option_host = options.host.as_deref().filter(|host| !host.is_empty());
    let option_context = options.context.as_deref().filter(|name| !name.is_empty());
    let config_dir = env.config_dir();
    let api_version = env.var("DOCKER_API_VERSION").map(str::to_owned);
    if option_host.is_some() && option_context.is_some() {
        return Err(Error::Config {
            message: "conflicting options: cannot specify both --host and --context".to_owned(),
        });
    }
    let (context, source) = if let Some(name) = option_context {
        (name.to_owned(), EndpointSource::ContextOption)
    } else if let Some(host) = option_host {
        return Ok(from_host(
            host,
            EndpointSource::HostOption,
            env,
            config_dir,
            api_version,
        ));
    } else if let Some(host) = env.var("DOCKER_HOST") {
        return Ok(from_host(
            host,
            EndpointSource::HostEnv,
            env,
            config_dir,
            api_version,
        ));
    } else if let Some(name) = env.var("DOCKER_CONTEXT") {
        (name.to_owned(), EndpointSource::ContextEnv)
    } else if let Some(name) = config_dir
        .as_deref()
        .map(current_context)
        .transpose()?
        .flatten()
    {
        (name, EndpointSource::CurrentContext)
    } else {
        return Ok(from_host(
            DEFAULT_HOST,
            EndpointSource::Default,
            env,
            config_dir,
            api_version,
        ));
    };
    if context == DEFAULT_CONTEXT {
        let host = env.var("DOCKER_HOST").unwrap_or(DEFAULT_HOST);
        return Ok(from_host(host, source, env, config_dir, api_version));
    }
    let Some(dir) = config_dir else {
        return Err(Error::Config {
            message: format!(
                "context {context:?} cannot be looked up: set DOCKER_CONFIG or HOME to find the docker config directory"
            ),
        });
    };
    let stored = read_context(&dir, &context)?;
    Ok(ResolvedEndpoint {
        host: stored.host,
        context: Some(context),
        source,
        tls: stored.tls,
        config_dir: Some(dir),
        api_version,
    })
}

/// The context store's directory name for a context: the lowercase hex SHA-256 of its name.
pub fn context_dir_name(context: &str) -> String {
    let digest = Sha256::digest(context.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn from_host(
    host: &str,
    source: EndpointSource,
    env: &DockerEnv,
    config_dir: Option<PathBuf>,
    api_version: Option<String>,
) -> ResolvedEndpoint {
    // DOCKER_TLS_VERIFY counts when set to any non-empty value, as in docker; the files
    // come from DOCKER_CERT_PATH, else the config directory.
    let tls = env.var("DOCKER_TLS_VERIFY").and_then(|_| {
        let dir = env
            .var("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .or_else(|| config_dir.clone())?;
        Some(TlsFiles {
            ca: Some(dir.join("ca.pem")),
            cert: Some(dir.join("cert.pem")),
            key: Some(dir.join("key.pem")),
            verify: true,
        })
    });
    ResolvedEndpoint {
        host: host.to_owned(),
        context: None,
        source,
        tls,
        config_dir,
        api_version,
    }
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

#[derive(Deserialize)]
struct ContextMeta {
    #[serde(rename = "Endpoints", default)]
    endpoints: BTreeMap<String, ContextEndpoint>,
}

#[derive(Deserialize)]
struct ContextEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

struct StoredContext {
    host: String,
    tls: Option<TlsFiles>,
}

fn current_context(config_dir: &Path) -> Result<Option<String>> {
    let path = config_dir.join("config.json");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(config_file_error(path, error)),
    };
    let config: ConfigFile =
        serde_json::from_slice(&bytes).map_err(|error| config_file_error(path, error))?;
    Ok(config.current_context.filter(|name| !name.is_empty()))
}

fn read_context(config_dir: &Path, context: &str) -> Result<StoredContext> {
    let hash = context_dir_name(context);
    let path = config_dir
        .join("contexts")
        .join("meta")
        .join(&hash)
        .join("meta.json");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Config {
                message: format!(
                    "context {context:?} does not exist: list contexts with `docker context ls`, or pick another with --context or DOCKER_CONTEXT"
                ),
            });
        }
        Err(error) => return Err(config_file_error(path, error)),
    };
    let meta: ContextMeta =
        serde_json::from_slice(&bytes).map_err(|error| config_file_error(path.clone(), error))?;
    let Some(endpoint) = meta.endpoints.get("docker") else {
        return Err(Error::Config {
            message: format!("context {context:?} has no docker endpoint"),
        });
    };
    let host = endpoint
        .host
        .clone()
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| DEFAULT_HOST.to_owned());
    let tls_dir = config_dir
        .join("contexts")
        .join("tls")
        .join(&hash)
        .join("docker");
    let existing = |file: &str| Some(tls_dir.join(file)).filter(|path| path.is_file());
    let (ca, cert, key) = (
        existing("ca.pem"),
        existing("cert.pem"),
        existing("key.pem"),
    );
    // docker turns TLS on when the context has TLS material or asks to skip verification.
    let has_files = ca.is_some() || cert.is_some() || key.is_some();
    let tls = (has_files || endpoint.skip_tls_verify).then_some(TlsFiles {
        ca,
        cert,
        key,
        verify: !endpoint.skip_tls_verify,
    });
    Ok(StoredContext { host, tls })
}

fn config_file_error(
    path: PathBuf,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::ConfigFile {
        path,
        source: Box::new(source),
    }
}

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod tests;
