//! Monitoring: [`watch`](crate::Client::watch) task transitions,
//! [`wait`](crate::Client::wait) for services to converge, [`explain`](crate::Client::explain)
//! why a task is not running.
//!
//! - [`TaskEvent`] and [`WatchConfig`]: a watch is a stream of task events from polling
//!   `GET /tasks` (the daemon sends no task events), with an initial snapshot, a
//!   [`TaskEvent::Synced`] marker after each poll and an adaptive poll interval.
//! - [`TaskStreamExt`]: adapters for such streams, including [`TaskStreamExt::default_backoff`],
//!   the pacing layer that makes a watch ride out a daemon restart.
//! - [`WaitConfig`], [`WaitOutcome`], [`ServiceProgress`]: waiting for convergence, defined
//!   in docs/monitoring.md (update completed, counts right, jobs and one-shot tasks complete,
//!   a stability window), with paused updates, rollbacks, failing slots and global services
//!   without an eligible node reported as failures.
//! - [`Explanation`], [`Reason`]: the reasons, in words, with the daemon's error text whole.
//!
//! Everything goes through the [`Transport`](crate::transport::Transport) trait, so it works
//! over HTTP, the docker CLI, a mock; a replay never changes, so watching one is pointless
//! (the command refuses it). Nothing is spawned: dropping a stream or future stops it.
//! The blocking client (feature `blocking`) has `watch` as an `Iterator`, and `wait` and
//! `explain`.

mod converge;
mod explain;
mod ext;
mod failure;
mod wait;
mod watch;

pub use converge::{
    Convergence, DEFAULT_STABLE, NO_ELIGIBLE_NODE_AFTER, ServiceProgress, SlotProgress,
};
pub use explain::{
    ExitCause, Explained, Explanation, RESTART_LOOP_FAILURES, RESTART_LOOP_WINDOW, Reason, Section,
    ServiceExplanation, explain_service, explain_task, slot_history,
};
pub use ext::{Backoff, StreamBackoff, TaskStreamExt};
pub use failure::{Failure, mode_name};
pub use wait::{ServiceOutcome, ServiceResult, Unreachable, WaitConfig, WaitEvent, WaitOutcome};
pub use watch::{TaskChange, TaskEvent, WatchConfig};

use std::time::Duration;

/// A duration as people write it: `750ms`, `5s`, `2m30s`, `1h5m`.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs == 0 {
        return format!("{}ms", duration.as_millis());
    }
    let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut text = String::new();
    if hours > 0 {
        text.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        text.push_str(&format!("{minutes}m"));
    }
    if seconds > 0 || text.is_empty() {
        text.push_str(&format!("{seconds}s"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_flags() {
        assert_eq!(format_duration(Duration::from_millis(750)), "750ms");
        assert_eq!(format_duration(Duration::from_secs(5)), "5s");
        assert_eq!(format_duration(Duration::from_secs(150)), "2m30s");
        assert_eq!(format_duration(Duration::from_secs(3900)), "1h5m");
    }

    /// Compile-time guard: the public futures and streams stay `Send`.
    #[allow(dead_code, reason = "never run: it only has to compile")]
    fn monitor_types_stay_send(client: crate::Client) {
        fn assert_send<T: Send>(_: T) {}
        assert_send(
            client
                .watch(crate::models::TaskFilter::new(), WatchConfig::default())
                .default_backoff(),
        );
        assert_send(
            client
                .watch(crate::models::TaskFilter::new(), WatchConfig::default())
                .state_changes(),
        );
        assert_send(client.wait_progress(Vec::new(), WaitConfig::default()));
        let args = Vec::new();
        assert_send(client.wait(&args, WaitConfig::default()));
        assert_send(client.explain("x"));
    }
}
