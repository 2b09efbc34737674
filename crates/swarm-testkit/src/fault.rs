//! Fault injection: what the fake engine can do wrong on purpose, and to which requests.
//!
//! A [`Fault`] says how an answer breaks (slow, reset, 5xx, bad JSON, truncated, huge, not a
//! manager). A [`FaultRule`] says which requests it hits (a path prefix) and how many times.

use std::time::Duration;

/// One way of answering badly.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally.
    Latency(Duration),
    /// Read the request, then close the connection without answering (TCP: with a reset).
    ResetConnection,
    /// Answer with this status: with `json_body`, `{"message":"..."}` like the daemon; without,
    /// the HTML error page a proxy in front of the daemon would send.
    Status {
        /// The HTTP status code.
        code: u16,
        /// Whether the body is the daemon's JSON error object.
        json_body: bool,
    },
    /// Answer 200 with a JSON content type and a body that is not valid JSON (a syntax error
    /// on line 3).
    Malformed,
    /// Declare the full `Content-Length`, send only half of the body, then close.
    Truncated,
    /// Answer 200 with a correctly framed body that ends in the middle of the JSON document.
    IncompleteJson,
    /// Answer 200 with a valid JSON array of copies of a task, this many bytes long.
    Oversized(usize),
    /// Send the normal answer's head (status and the body's full `Content-Length`), then
    /// nothing more: the body never comes and the connection stays open until the client
    /// leaves or the engine stops.
    StallAfterHeaders,
    /// Answer normally (framed with `Content-Length`), sending the body at this many bytes
    /// per second, as a remote daemon behind a slow link would: for clients that should
    /// read while the body is still coming.
    Bandwidth(u64),
    /// Behave like a daemon that cannot serve swarm requests: `/tasks`, `/services` and
    /// `/nodes` answer 503 with the daemon's message, `/info` and `/_ping` report the state.
    NotManager(NotManagerKind),
}

/// Why a daemon is not a usable swarm manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotManagerKind {
    /// The engine is not part of a swarm.
    NotInSwarm,
    /// The engine is a worker node.
    Worker,
    /// The engine is a manager that is still joining or cannot reach the cluster.
    Preparing,
    /// The swarm is locked (autolock) and needs `docker swarm unlock`.
    Locked,
    /// The node's swarm certificates expired.
    CertificatesExpired,
}

impl NotManagerKind {
    /// Every kind.
    pub const ALL: [NotManagerKind; 5] = [
        Self::NotInSwarm,
        Self::Worker,
        Self::Preparing,
        Self::Locked,
        Self::CertificatesExpired,
    ];

    /// The daemon's exact 503 message (moby `daemon/cluster/errors.go`, `errNoManager`).
    pub fn message(self) -> &'static str {
        match self {
            Self::NotInSwarm => {
                "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."
            }
            Self::Worker => {
                "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."
            }
            Self::Preparing => {
                "This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster."
            }
            Self::Locked => {
                "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it."
            }
            Self::CertificatesExpired => {
                "Swarm certificates have expired. To replace them, leave the swarm and join again."
            }
        }
    }

    /// `Swarm.LocalNodeState` in `/info`.
    pub fn local_node_state(self) -> &'static str {
        match self {
            Self::NotInSwarm => "inactive",
            Self::Worker | Self::CertificatesExpired => "active",
            Self::Preparing => "pending",
            Self::Locked => "locked",
        }
    }

    /// The `Swarm` header of `/_ping`.
    pub fn ping_header(self) -> &'static str {
        match self {
            Self::NotInSwarm => "inactive",
            Self::Worker => "active/worker",
            Self::Preparing => "pending",
            Self::Locked => "locked",
            Self::CertificatesExpired => "error",
        }
    }
}

/// A fault and the requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct FaultRule {
    pub(crate) fault: Fault,
    pub(crate) path_prefix: Option<String>,
    pub(crate) remaining: Option<usize>,
}

impl FaultRule {
    /// A rule applying `fault` to every request, until cleared.
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            path_prefix: None,
            remaining: None,
        }
    }

    /// Only requests whose path (without the `/vX.Y` prefix) starts with `prefix`, e.g.
    /// `"/tasks"`.
    pub fn path(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Only the next `times` matching requests; then the rule is spent.
    pub fn times(mut self, times: usize) -> Self {
        self.remaining = Some(times);
        self
    }

    /// Whether the rule applies to this path (does not consume it).
    pub(crate) fn applies_to(&self, path: &str) -> bool {
        self.remaining != Some(0)
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|prefix| path.starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_paths_and_run_out() {
        let rule = FaultRule::new(Fault::Malformed).path("/tasks").times(1);
        assert!(rule.applies_to("/tasks/abc"));
        assert!(!rule.applies_to("/services"));
        let spent = FaultRule {
            remaining: Some(0),
            ..rule
        };
        assert!(!spent.applies_to("/tasks"));
    }

    #[test]
    fn messages_are_the_daemons() {
        for kind in NotManagerKind::ALL {
            assert!(!kind.message().is_empty());
        }
        assert!(
            NotManagerKind::Worker
                .message()
                .contains("Worker nodes can't be used")
        );
    }
}
