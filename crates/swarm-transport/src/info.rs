//! What a daemon says about itself, and per-id outcomes of a batch inspect.

use swarm_models::Task;

use crate::error::Error;

/// What [`crate::Transport::system_info`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SystemInfo {
    /// The API version in use (after negotiation), e.g. `1.41`.
    pub api_version: String,
    /// The daemon's highest API version, when known.
    pub daemon_api_version: Option<String>,
    /// The engine's version, when known (e.g. `20.10.24`).
    pub engine_version: Option<String>,
    /// The swarm state of this node.
    pub swarm: SwarmState,
    /// This node's swarm ID, when it is in a swarm.
    pub node_id: Option<String>,
    /// True when this node is a manager (can answer task queries).
    pub is_manager: bool,
}

impl SystemInfo {
    /// Builds a value; the fields are public, this just saves naming every one.
    pub fn new(
        api_version: impl Into<String>,
        swarm: SwarmState,
        node_id: Option<String>,
        is_manager: bool,
    ) -> Self {
        Self {
            api_version: api_version.into(),
            daemon_api_version: None,
            engine_version: None,
            swarm,
            node_id,
            is_manager,
        }
    }
}

/// The local node's swarm state (`Swarm.LocalNodeState`, or the `Swarm` header of `/_ping`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SwarmState {
    /// Not in a swarm.
    Inactive,
    /// Joining.
    Pending,
    /// In a swarm.
    Active,
    /// In an error state.
    Error,
    /// The swarm is locked and needs `docker swarm unlock`.
    Locked,
    /// A state this version does not know, as sent.
    Other(String),
}

impl SwarmState {
    /// Parses the daemon's spelling (`inactive`, `active`, ...; the `/manager` or `/worker`
    /// suffix of the ping header is ignored here).
    pub fn parse(text: &str) -> Self {
        let base = text.split('/').next().unwrap_or(text);
        match base {
            "inactive" | "" => Self::Inactive,
            "pending" => Self::Pending,
            "active" => Self::Active,
            "error" => Self::Error,
            "locked" => Self::Locked,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// The outcome of inspecting one id in a batch.
#[derive(Debug)]
pub struct InspectOutcome {
    /// The id as the caller gave it.
    pub id: String,
    /// The task, or why it could not be inspected (usually [`Error::NotFound`]).
    pub result: Result<Task, Error>,
}
