//! [`TaskState`]: where a task is in its lifecycle, with the helpers a monitor needs.

use crate::open_enum::open_enum;

open_enum! {
    /// The state of a task, as in `Status.State` and `DesiredState`.
    ///
    /// The 15 states swarmkit defines, in lifecycle order, plus [`TaskState::Unknown`] for any
    /// state a newer daemon may send. An unknown state never fails a parse.
    ///
    /// ```
    /// use swarm_models::TaskState;
    ///
    /// let state: TaskState = "running".parse().unwrap();
    /// assert!(state.is_running());
    /// assert!(!state.is_terminal());
    ///
    /// let future: TaskState = "hibernating".parse().unwrap();
    /// assert_eq!(future, TaskState::Unknown("hibernating".into()));
    /// assert_eq!(future.to_string(), "hibernating");
    /// ```
    #[doc(alias = "status")]
    pub enum TaskState / Unknown {
        /// The task was created.
        New => "new",
        /// Resources (e.g. network attachments) were allocated.
        Allocated => "allocated",
        /// Waiting for the scheduler to place it (e.g. no node satisfies its constraints).
        Pending => "pending",
        /// Assigned to a node.
        Assigned => "assigned",
        /// Accepted by the node's agent.
        Accepted => "accepted",
        /// The agent is preparing it (e.g. pulling the image).
        Preparing => "preparing",
        /// Prepared and ready to start.
        Ready => "ready",
        /// The container is starting.
        Starting => "starting",
        /// The container runs.
        Running => "running",
        /// It exited successfully (jobs, or tasks with restart condition `none`).
        Complete => "complete",
        /// It was shut down on request (desired state changed).
        Shutdown => "shutdown",
        /// It exited with an error or could not be started.
        Failed => "failed",
        /// The node refused it (e.g. the image could not be pulled).
        Rejected => "rejected",
        /// Marked for removal.
        Remove => "remove",
        /// The node it ran on is gone and its fate is unknown.
        Orphaned => "orphaned",
    }
}

impl TaskState {
    /// Position in swarmkit's lifecycle (`new` = 0 ... `orphaned` = 14), or `None` for an
    /// unknown state. States only move forward in this order.
    pub fn lifecycle_index(&self) -> Option<usize> {
        Self::KNOWN.iter().position(|known| *known == self.as_str())
    }

    /// True once the task can no longer run: complete, shutdown, failed, rejected, remove or
    /// orphaned. An unknown state is not terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Complete
                | Self::Shutdown
                | Self::Failed
                | Self::Rejected
                | Self::Remove
                | Self::Orphaned
        )
    }

    /// True only for `running`.
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running)
    }

    /// True for the states before `running`: new through starting.
    pub fn is_starting_up(&self) -> bool {
        self.lifecycle_index()
            .is_some_and(|idx| idx < Self::Running.lifecycle_index().unwrap_or(8))
    }

    /// True when the task ended because something went wrong: failed, rejected or orphaned.
    pub fn is_error(&self) -> bool {
        matches!(self, Self::Failed | Self::Rejected | Self::Orphaned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_state_roundtrips() {
        assert_eq!(TaskState::KNOWN.len(), 15);
        for (idx, text) in TaskState::KNOWN.iter().enumerate() {
            let state: TaskState = text.parse().unwrap();
            assert!(!state.is_unknown(), "{text}");
            assert_eq!(state.as_str(), *text);
            assert_eq!(state.lifecycle_index(), Some(idx));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(serde_json::from_str::<TaskState>(&json).unwrap(), state);
        }
    }

    #[test]
    fn unknown_state_is_kept() {
        let state: TaskState = serde_json::from_str("\"paused\"").unwrap();
        assert_eq!(state, TaskState::Unknown("paused".into()));
        assert_eq!(serde_json::to_string(&state).unwrap(), "\"paused\"");
        assert!(!state.is_terminal());
        assert_eq!(state.lifecycle_index(), None);
    }

    #[test]
    fn lifecycle_helpers() {
        assert!(TaskState::Pending.is_starting_up());
        assert!(!TaskState::Running.is_starting_up());
        assert!(TaskState::Rejected.is_terminal() && TaskState::Rejected.is_error());
        assert!(TaskState::Complete.is_terminal() && !TaskState::Complete.is_error());
    }
}
