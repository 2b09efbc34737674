//! The facade's one error type.
//!
//! Everything a transport reports is wrapped unchanged in [`Error::Transport`]; the facade
//! adds what only it can get wrong: arguments of `service ps` / `node ps` that name no object
//! or too many, and a transport it cannot build.

use swarm_transport::ObjectKind;

/// `Result` with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a facade call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed: unreachable daemon, not a manager, unknown task, bad answer ...
    #[error(transparent)]
    Transport(#[from] swarm_transport::Error),
    /// None of the services (or nodes) given to `service ps` (or `node ps`) exists.
    /// When only some are unknown the call succeeds and lists them in
    /// [`PsReport::not_found`](crate::PsReport::not_found) instead.
    #[error("no such {kind}: {}", ids.join(", "))]
    NotFound {
        /// Service or node.
        kind: ObjectKind,
        /// The arguments as given.
        ids: Vec<String>,
    },
    /// An argument is not an ID or name and is the prefix of several IDs (docker fails the
    /// whole command in this case, and so do we).
    #[error("multiple {kind}s found with provided prefix: {prefix}")]
    Ambiguous {
        /// Service or node.
        kind: ObjectKind,
        /// The argument as given.
        prefix: String,
        /// How many objects it matched.
        matches: usize,
    },
    /// `node ps self` (or `node ps` without arguments) on a daemon that reports no swarm
    /// node ID: the engine is not part of a swarm.
    #[error(
        "{endpoint} reports no swarm node ID, so `self` names no node: is this engine part of a swarm?"
    )]
    NoLocalNode {
        /// The endpoint asked.
        endpoint: String,
    },
    /// The client configuration is invalid (a host scheme no transport handles, a transport
    /// left out at compile time ...). Problems of the docker environment itself are
    /// [`transport::Error::Endpoint`](swarm_transport::Error::Endpoint).
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong and what to do about it.
        message: String,
    },
    /// A wait ended before any poll completed (the deadline passed during the first poll).
    #[error("no poll of the wait completed within {}", crate::monitor::format_duration(*after))]
    WaitNoPoll {
        /// The deadline.
        after: std::time::Duration,
    },
    /// A `logs` argument named neither a service nor a task.
    #[error("no such task or service: {target}")]
    NoSuchLogTarget {
        /// The argument as given.
        target: String,
    },
    /// The target's log driver keeps nothing the daemon can read back.
    #[error("cannot read the logs of {target}: its log driver `{driver}` keeps none to read back")]
    LogsUnreadable {
        /// The argument as given.
        target: String,
        /// The log driver's name.
        driver: String,
    },
    /// The blocking client was called from inside an async runtime, where blocking on a
    /// future would deadlock or panic; use the async [`Client`](crate::Client) there.
    #[error("the blocking client cannot be used inside an async runtime: use the async client")]
    InsideAsyncRuntime,
    /// The blocking client's background thread stopped before answering (a call panicked
    /// there).
    #[error("the blocking client's runtime thread stopped before answering")]
    RuntimeStopped,
    /// The blocking client's own runtime (or its thread) could not be started.
    #[error("cannot start the blocking client's runtime")]
    Runtime {
        /// The I/O error from tokio.
        #[source]
        source: std::io::Error,
    },
}

impl From<swarm_transport::endpoint::EndpointError> for Error {
    fn from(error: swarm_transport::endpoint::EndpointError) -> Self {
        Self::Transport(error.into())
    }
}

impl Error {
    /// True when something named by the caller does not exist: an unknown task, service or
    /// node (from the transport or from argument resolution).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::Transport(error) => error.is_not_found(),
            Self::NotFound { .. } => true,
            _ => false,
        }
    }

    /// True when the daemon cannot be reached or used at all (see
    /// [`transport::Error::is_connection`](swarm_transport::Error::is_connection)).
    pub fn is_connection(&self) -> bool {
        match self {
            Self::Transport(error) => error.is_connection(),
            Self::NoLocalNode { .. } => true,
            _ => false,
        }
    }

    /// True when trying again later may succeed (see
    /// [`transport::Error::is_retryable`](swarm_transport::Error::is_retryable)).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Transport(error) if error.is_retryable())
    }

    /// True for configuration problems: fix the host, context or config file and retry.
    pub fn is_config(&self) -> bool {
        match self {
            Self::Config { .. } => true,
            Self::Transport(error) => error.is_config(),
            _ => false,
        }
    }

    /// The endpoint the error is about, when it names one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Self::Transport(error) => error.endpoint(),
            Self::NoLocalNode { endpoint } => Some(endpoint),
            _ => None,
        }
    }

    /// The transport error inside, if this is one.
    pub fn as_transport(&self) -> Option<&swarm_transport::Error> {
        match self {
            Self::Transport(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_docker_wording() {
        let missing = Error::NotFound {
            kind: ObjectKind::Service,
            ids: vec!["api".into(), "db".into()],
        };
        assert_eq!(missing.to_string(), "no such service: api, db");
        assert!(missing.is_not_found());
        let ambiguous = Error::Ambiguous {
            kind: ObjectKind::Node,
            prefix: "a".into(),
            matches: 2,
        };
        assert_eq!(
            ambiguous.to_string(),
            "multiple nodes found with provided prefix: a"
        );
        assert!(!ambiguous.is_not_found());
    }

    #[test]
    fn transport_errors_keep_their_predicates_and_text() {
        let inner = swarm_transport::Error::Timeout {
            endpoint: "tcp://h:1".into(),
            after: std::time::Duration::from_secs(2),
        };
        let text = inner.to_string();
        let error = Error::from(inner);
        assert_eq!(error.to_string(), text);
        assert!(error.is_connection() && error.is_retryable());
        assert_eq!(error.endpoint(), Some("tcp://h:1"));
        assert!(error.as_transport().is_some());
    }
}
