//! [`Failure`]: why a service failed to converge, in words, and the service-level checks
//! that `wait` and `explain` share (a paused or rolled-back update, no eligible node).

use std::fmt;

use serde::Serialize;
use swarm_models::{Node, Service, ServiceMode, UpdateState};

use super::explain::Explanation;
/// Why a service failed to converge.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "failure", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Failure {
    /// The update paused (the daemon's `UpdateStatus` is `paused`), usually because new
    /// tasks failed.
    UpdatePaused {
        /// The daemon's message.
        message: Option<String>,
        /// The failing tasks of the service, explained.
        tasks: Vec<Explanation>,
    },
    /// The update was rolled back (`rollback_started`, `rollback_paused` or
    /// `rollback_completed`).
    RolledBack {
        /// The update state.
        state: UpdateState,
        /// The daemon's message.
        message: Option<String>,
    },
    /// One slot's tasks kept failing during the wait.
    SlotFailing {
        /// The slot's display name (`web.2`).
        slot: String,
        /// Failures of the slot seen during the wait.
        failures: usize,
        /// The newest failed task, explained.
        task: Box<Explanation>,
    },
    /// A task of a one-shot service (restart condition `none`) failed and will not be
    /// restarted.
    TaskFailed {
        /// The task, explained.
        task: Box<Explanation>,
    },
    /// A global service wants no task at all: no node is eligible.
    NoEligibleNode {
        /// The placement constraints.
        constraints: Vec<String>,
        /// Nodes in the swarm.
        nodes: usize,
        /// Nodes that are ready and active (not drained or paused).
        available_nodes: usize,
    },
    /// The service disappeared during the wait.
    Removed,
}

/// The failure an update state means on its own: paused, or a rollback (unless accepted:
/// then only a paused rollback fails).
pub(crate) fn update_failure(service: &Service, rollback_ok: bool) -> Option<Failure> {
    let status = service.update_status.as_ref()?;
    let message = status.message.clone().filter(|text| !text.is_empty());
    match status.state.as_ref()? {
        UpdateState::Paused => Some(Failure::UpdatePaused {
            message,
            tasks: Vec::new(),
        }),
        UpdateState::RollbackPaused => Some(Failure::RolledBack {
            state: UpdateState::RollbackPaused,
            message,
        }),
        state @ (UpdateState::RollbackStarted | UpdateState::RollbackCompleted) if !rollback_ok => {
            Some(Failure::RolledBack {
                state: state.clone(),
                message,
            })
        }
        _ => None,
    }
}

/// The "no eligible node" failure of a global service, with its constraints and the nodes.
pub(crate) fn no_eligible_node(service: &Service, nodes: &[Node]) -> Failure {
    let available = nodes
        .iter()
        .filter(|node| {
            node.spec
                .availability
                .as_ref()
                .is_none_or(|availability| availability.as_str() == "active")
                && node
                    .status
                    .as_ref()
                    .and_then(|status| status.state.as_ref())
                    .is_none_or(|state| state.as_str() == "ready")
        })
        .count();
    Failure::NoEligibleNode {
        constraints: service
            .spec
            .task_template
            .as_ref()
            .and_then(|template| template.placement.as_ref())
            .map(|placement| placement.constraints.clone())
            .unwrap_or_default(),
        nodes: nodes.len(),
        available_nodes: available,
    }
}

/// The mode as docker's `service ls` names it.
pub fn mode_name(mode: ServiceMode) -> &'static str {
    match mode {
        ServiceMode::Replicated { .. } => "replicated",
        ServiceMode::Global => "global",
        ServiceMode::ReplicatedJob { .. } => "replicated-job",
        ServiceMode::GlobalJob => "global-job",
        _ => "unknown",
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UpdatePaused { message, .. } => {
                f.write_str("the update paused")?;
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Self::RolledBack { state, message } => {
                write!(f, "the update was rolled back ({state})")?;
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Self::SlotFailing { slot, failures, .. } => {
                write!(
                    f,
                    "slot {slot} keeps failing: {failures} failed tasks during the wait"
                )
            }
            Self::TaskFailed { task } => write!(
                f,
                "task {} failed and will not be restarted (restart condition none)",
                task.name
            ),
            Self::NoEligibleNode {
                constraints,
                nodes,
                available_nodes,
            } => {
                write!(
                    f,
                    "no eligible node: the global service wants no task; {available_nodes} of {nodes} nodes ready and active"
                )?;
                if constraints.is_empty() {
                    f.write_str(", no placement constraints")
                } else {
                    write!(f, ", placement constraints: {}", constraints.join(", "))
                }
            }
            Self::Removed => f.write_str("the service was removed"),
        }
    }
}
