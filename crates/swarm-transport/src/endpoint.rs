//! Which daemon to talk to, and how, decided the way the `docker` CLI decides it: the one
//! reader of the docker environment for every transport and for the facade.
//!
//! [`resolve_endpoint`] is a function of explicit inputs: the explicit host or context (what
//! `docker -H` and `docker --context` take), a [`DockerEnv`] holding the environment variables,
//! and the files under the docker config directory that environment names. No rule reads the
//! process environment, so every rule is unit-testable with a temporary folder as the config
//! directory. The order is docker's (docker/cli `resolveContextName`):
//!
//! 1. a host and a context together are an error;
//! 2. the explicit context;
//! 3. the explicit host;
//! 4. `DOCKER_HOST`;
//! 5. `DOCKER_CONTEXT`;
//! 6. `currentContext` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`);
//! 7. `unix:///var/run/docker.sock`.
//!
//! A context named `default` means "the environment": `DOCKER_HOST`, else the default
//! socket. Any other context is read from the context store:
//! `$DOCKER_CONFIG/contexts/meta/<sha256 of the name>/meta.json` gives `Endpoints.docker.Host`
//! and `SkipTLSVerify`, and `contexts/tls/<sha256>/docker/{ca,cert,key}.pem` the TLS files.
//!
//! TLS from the environment: `DOCKER_TLS_VERIFY` set to any non-empty value turns TLS on with
//! verification; the files come from `DOCKER_CERT_PATH`, else the docker config directory.
//! `ca.pem` must be there, and `cert.pem`/`key.pem` are used when present (as docker does).
//! When no folder is known or it has no `ca.pem`, resolution fails with
//! [`EndpointError::TlsCertificatesMissing`]: TLS is never dropped silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::BoxError;
use crate::tls::TlsConfig;

/// The endpoint docker uses when nothing else is configured.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The name of docker's built-in context (the environment's endpoint).
pub const DEFAULT_CONTEXT: &str = "default";

/// The variables docker reads (and [`DockerEnv::from_process`] copies).
pub const VARIABLES: [&str; 7] = [
    "DOCKER_HOST",
    "DOCKER_CONTEXT",
    "DOCKER_CONFIG",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_API_VERSION",
    "HOME",
];

/// The environment as docker reads it: `DOCKER_*` variables and `HOME`.
///
/// Build one from the process with [`DockerEnv::from_process`], or by hand in tests:
///
/// ```
/// use swarm_transport::endpoint::{resolve_endpoint, DockerEnv, EndpointOptions};
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
    /// The variables docker reads ([`VARIABLES`]), from this process's environment.
    pub fn from_process() -> Self {
        let mut env = Self::default();
        for key in VARIABLES {
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

    /// A variable's value; an empty (or blank) value counts as unset, as in docker.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|value| !value.trim().is_empty())
    }

    /// The docker config directory: `DOCKER_CONFIG`, else `$HOME/.docker`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = self.var("DOCKER_CONFIG") {
            return Some(PathBuf::from(dir));
        }
        self.var("HOME").map(|home| Path::new(home).join(".docker"))
    }
}

/// What the caller asked for explicitly (a command line's `--host` and `--context`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOptions {
    /// A daemon address.
    pub host: Option<String>,
    /// A docker context name.
    pub context: Option<String>,
}

/// Where the resolved endpoint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointSource {
    /// The explicit host of [`EndpointOptions`].
    HostOption,
    /// The `DOCKER_HOST` variable.
    HostEnv,
    /// A context named by [`EndpointOptions::context`].
    ContextOption,
    /// A context named by `DOCKER_CONTEXT`.
    ContextEnv,
    /// The `currentContext` of the docker config file.
    CurrentContext,
    /// Nothing configured: the default socket.
    Default,
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
    pub tls: Option<TlsConfig>,
    /// The docker config directory in effect, if one is known.
    pub config_dir: Option<PathBuf>,
    /// `DOCKER_API_VERSION`, when set: pin this API version instead of negotiating.
    pub api_version: Option<String>,
}

/// Why the docker environment names no usable endpoint.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Both a host and a context were given; docker refuses that too.
    #[error("conflicting options: both a host ({host}) and a context ({context}) were given")]
    HostAndContext {
        /// The host given.
        host: String,
        /// The context given.
        context: String,
    },
    /// The context is not in the context store.
    #[error("context {name:?} does not exist in {}", config_dir.display())]
    NoSuchContext {
        /// The context name.
        name: String,
        /// The docker config directory searched.
        config_dir: PathBuf,
    },
    /// A context was named but no docker config directory is known to find it in.
    #[error("context {name:?} cannot be looked up: neither DOCKER_CONFIG nor HOME is set")]
    NoConfigDir {
        /// The context name.
        name: String,
    },
    /// The context's metadata has no `docker` endpoint.
    #[error("context {name:?} has no docker endpoint")]
    NoDockerEndpoint {
        /// The context name.
        name: String,
    },
    /// `DOCKER_TLS_VERIFY` asks for TLS but there is no certificate folder, or no CA
    /// certificate in it.
    #[error("DOCKER_TLS_VERIFY is set but {}", match ca { Some(ca) => format!("the CA certificate {} does not exist", ca.display()), None => "no certificate folder is known (DOCKER_CERT_PATH, DOCKER_CONFIG and HOME are unset)".to_owned() })]
    TlsCertificatesMissing {
        /// The CA certificate looked for, when a folder was known.
        ca: Option<PathBuf>,
    },
    /// A docker configuration file (`config.json`, a context's `meta.json`) could not be read
    /// or parsed.
    #[error("cannot read docker configuration file {}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// Why it could not be used.
        #[source]
        source: BoxError,
    },
}

/// Resolves the endpoint like `docker` does; see the [module docs](self) for the rules.
///
/// Reads `config.json`, the context store and the TLS folder the environment names, nothing
/// else. A missing `config.json` is fine; an unreadable or malformed one is an error, as in
/// docker.
pub fn resolve_endpoint(
    options: &EndpointOptions,
    env: &DockerEnv,
) -> Result<ResolvedEndpoint, EndpointError> {
    let option_host = options.host.as_deref().filter(|host| !host.is_empty());
    let option_context = options.context.as_deref().filter(|name| !name.is_empty());
    let config_dir = env.config_dir();
    if let (Some(host), Some(context)) = (option_host, option_context) {
        return Err(EndpointError::HostAndContext {
            host: host.to_owned(),
            context: context.to_owned(),
        });
    }
    let (context, source) = if let Some(name) = option_context {
        (name.to_owned(), EndpointSource::ContextOption)
    } else if let Some(host) = option_host {
        return from_host(host, EndpointSource::HostOption, env, config_dir);
    } else if let Some(host) = env.var("DOCKER_HOST") {
        return from_host(host, EndpointSource::HostEnv, env, config_dir);
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
        return from_host(DEFAULT_HOST, EndpointSource::Default, env, config_dir);
    };
    if context == DEFAULT_CONTEXT {
        let host = env.var("DOCKER_HOST").unwrap_or(DEFAULT_HOST);
        return from_host(host, source, env, config_dir);
    }
    let Some(dir) = config_dir else {
        return Err(EndpointError::NoConfigDir { name: context });
    };
    let stored = read_context(&dir, &context)?;
    Ok(ResolvedEndpoint {
        host: stored.host,
        context: Some(context),
        source,
        tls: stored.tls,
        config_dir: Some(dir),
        api_version: api_version(env),
    })
}

/// The context store's directory name for a context: the lowercase hex SHA-256 of its name.
pub fn context_dir_name(context: &str) -> String {
    let digest = Sha256::digest(context.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn api_version(env: &DockerEnv) -> Option<String> {
    env.var("DOCKER_API_VERSION").map(str::to_owned)
}

fn from_host(
    host: &str,
    source: EndpointSource,
    env: &DockerEnv,
    config_dir: Option<PathBuf>,
) -> Result<ResolvedEndpoint, EndpointError> {
    Ok(ResolvedEndpoint {
        host: host.to_owned(),
        context: None,
        source,
        tls: env_tls(env, config_dir.as_deref())?,
        config_dir,
        api_version: api_version(env),
    })
}

/// TLS from `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`: refused rather than dropped when
/// the CA certificate cannot be found.
fn env_tls(env: &DockerEnv, config_dir: Option<&Path>) -> Result<Option<TlsConfig>, EndpointError> {
    if env.var("DOCKER_TLS_VERIFY").is_none() {
        return Ok(None);
    }
    let Some(dir) = env
        .var("DOCKER_CERT_PATH")
        .map(PathBuf::from)
        .or_else(|| config_dir.map(Path::to_path_buf))
    else {
        return Err(EndpointError::TlsCertificatesMissing { ca: None });
    };
    let ca = dir.join("ca.pem");
    if !ca.is_file() {
        return Err(EndpointError::TlsCertificatesMissing { ca: Some(ca) });
    }
    let existing = |file: &str| Some(dir.join(file)).filter(|path| path.is_file());
    Ok(Some(TlsConfig {
        ca: Some(ca),
        cert: existing("cert.pem"),
        key: existing("key.pem"),
        verify: true,
    }))
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
    tls: Option<TlsConfig>,
}

fn current_context(config_dir: &Path) -> Result<Option<String>, EndpointError> {
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

fn read_context(config_dir: &Path, context: &str) -> Result<StoredContext, EndpointError> {
    let hash = context_dir_name(context);
    let path = config_dir
        .join("contexts")
        .join("meta")
        .join(&hash)
        .join("meta.json");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(EndpointError::NoSuchContext {
                name: context.to_owned(),
                config_dir: config_dir.to_path_buf(),
            });
        }
        Err(error) => return Err(config_file_error(path, error)),
    };
    let meta: ContextMeta =
        serde_json::from_slice(&bytes).map_err(|error| config_file_error(path.clone(), error))?;
    let Some(endpoint) = meta.endpoints.get("docker") else {
        return Err(EndpointError::NoDockerEndpoint {
            name: context.to_owned(),
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
    let tls = (has_files || endpoint.skip_tls_verify).then_some(TlsConfig {
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
) -> EndpointError {
    EndpointError::ConfigFile {
        path,
        source: Box::new(source),
    }
}

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod tests;
