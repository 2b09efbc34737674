//! [`watch`](crate::Client::watch): a stream of task events from polling `GET /tasks`.
//!
//! The daemon's `/events` carries no task events, so a watch polls the task list (one
//! request per poll) and compares it with what it saw last. The stream is built with
//! `futures::stream::unfold` over [`WatchState`]; it spawns nothing, so dropping it stops
//! all work. Errors are stream items and the next poll is tried after the usual interval;
//! add pacing with [`TaskStreamExt::default_backoff`](super::TaskStreamExt::default_backoff).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures::Stream;
use serde::Serialize;
use swarm_models::{Listing, Task, TaskFilter, TaskState};

use crate::client::Client;
use crate::error::Result;

/// Options of [`Client::watch`]: the bounds of the adaptive poll interval.
///
/// The interval starts at `min_interval`, doubles after each poll that saw no change, up to
/// `max_interval`, and drops back to `min_interval` as soon as a poll sees a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchConfig {
    /// The interval while something is changing. Default: 500 ms.
    pub min_interval: Duration,
    /// The interval when nothing has changed for a while. Default: 5 s.
    pub max_interval: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            min_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(5),
        }
    }
}

impl WatchConfig {
    /// Sets the interval used while tasks are changing (default 500 ms).
    #[must_use]
    pub fn min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval;
        self
    }

    /// Sets the interval reached after quiet polls (default 5 s).
    #[must_use]
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// The interval after a poll: `min_interval` after a change, else the current one
    /// doubled, within the bounds.
    pub(crate) fn next_interval(&self, current: Duration, changed: bool) -> Duration {
        let max = self.max_interval.max(self.min_interval);
        if changed {
            self.min_interval
        } else {
            current.saturating_mul(2).clamp(self.min_interval, max)
        }
    }
}

/// What a watch reports.
///
/// The first complete poll yields one [`TaskEvent::Initial`] per task, then a
/// [`TaskEvent::Synced`]: a consumer that keeps a store can rebuild it atomically there.
/// Every later poll yields the tasks that appeared, changed state (current or desired) or
/// disappeared since the poll before, then a `Synced`. A poll that fails yields an error item
/// instead and changes nothing, so the transitions that happen while the daemon is away are
/// reported by the first poll that succeeds again; but a task that appears and disappears
/// between two polls is never seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskEvent {
    /// A task present at the first complete poll.
    Initial {
        /// The task as listed.
        task: Box<Task>,
    },
    /// A task that was not there at the poll before.
    Added {
        /// The task as listed.
        task: Box<Task>,
    },
    /// A task whose current or desired state differs from the poll before.
    StateChanged(Box<TaskChange>),
    /// A task no longer listed (removed by the daemon's history limit, its service removed,
    /// or no longer matching the filter).
    Removed {
        /// The task as last seen.
        task: Box<Task>,
    },
    /// A poll is complete: every event before this one describes the same listing.
    Synced {
        /// How many tasks the listing held.
        tasks: usize,
    },
}

impl TaskEvent {
    /// The task this event is about (`None` for `Synced`).
    pub fn task(&self) -> Option<&Task> {
        match self {
            Self::Initial { task } | Self::Added { task } | Self::Removed { task } => Some(task),
            Self::StateChanged(change) => Some(&change.task),
            Self::Synced { .. } => None,
        }
    }

    /// True for the `Synced` marker.
    pub fn is_synced(&self) -> bool {
        matches!(self, Self::Synced { .. })
    }
}

/// A task whose state changed between two polls.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskChange {
    /// The task as listed now (its new states, error and exit code are in it).
    pub task: Task,
    /// The current state at the poll before.
    pub from: Option<TaskState>,
    /// The desired state at the poll before.
    pub desired_from: Option<TaskState>,
}

impl TaskChange {
    /// The current state now.
    pub fn to(&self) -> Option<&TaskState> {
        self.task.state()
    }

    /// The desired state now.
    pub fn desired(&self) -> Option<&TaskState> {
        self.task.desired_state.as_ref()
    }

    /// True when the current state changed (not only the desired one).
    pub fn state_changed(&self) -> bool {
        self.from.as_ref() != self.task.state()
    }

    /// The task's error now (`Status.Err`), in full.
    pub fn error(&self) -> Option<&str> {
        self.task.error()
    }

    /// The container's exit code now, when the task has one.
    pub fn exit_code(&self) -> Option<i64> {
        self.task.exit_code()
    }
}

/// The last-seen state of each task, and the diff of a new listing against it.
///
/// Shared by the watch stream and `wait`, so both report the same transitions.
#[derive(Debug, Default)]
pub(crate) struct TaskTracker {
    known: HashMap<String, Task>,
    synced: bool,
}

impl TaskTracker {
    /// [`TaskTracker::apply`] for a listing with undecodable tasks: a task that no longer
    /// decodes keeps its last-seen state (it is not reported removed), and is logged.
    pub(crate) fn apply_listing(&mut self, listing: Listing<Task>) -> Vec<TaskEvent> {
        let (mut tasks, failures) = listing.into_parts();
        for failure in &failures {
            tracing::warn!(%failure, "a listed task does not decode; keeping its last-seen state");
            if let Some(old) = failure.id.as_ref().and_then(|id| self.known.get(id)) {
                tasks.push(old.clone());
            }
        }
        self.apply(tasks)
    }

    /// Compares a complete listing with the last one and returns the events, ending with
    /// `Synced`. Events come in creation order (then ID), removals last.
    pub(crate) fn apply(&mut self, mut tasks: Vec<Task>) -> Vec<TaskEvent> {
        tasks.sort_by(|left, right| {
            left.created_at
                .cmp(&right.created_at)
                .then_with(|| left.id.cmp(&right.id))
        });
        let n_tasks = tasks.len();
        let initial = !self.synced;
        let mut events = Vec::new();
        let mut previous = std::mem::take(&mut self.known);
        for task in tasks {
            match previous.remove(&task.id) {
                None if initial => events.push(TaskEvent::Initial {
                    task: Box::new(task.clone()),
                }),
                None => events.push(TaskEvent::Added {
                    task: Box::new(task.clone()),
                }),
                Some(old) => {
                    if old.status.state != task.status.state
                        || old.desired_state != task.desired_state
                    {
                        events.push(TaskEvent::StateChanged(Box::new(TaskChange {
                            task: task.clone(),
                            from: old.status.state,
                            desired_from: old.desired_state,
                        })));
                    }
                }
            }
            self.known.insert(task.id.clone(), task);
        }
        let mut removed: Vec<Task> = previous.into_values().collect();
        removed.sort_by(|left, right| {
            left.created_at
                .cmp(&right.created_at)
                .then_with(|| left.id.cmp(&right.id))
        });
        events.extend(removed.into_iter().map(|task| TaskEvent::Removed {
            task: Box::new(task),
        }));
        events.push(TaskEvent::Synced { tasks: n_tasks });
        self.synced = true;
        events
    }

    /// The tasks as last listed.
    pub(crate) fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.known.values()
    }
}

/// The state threaded through `unfold`: what the next step does depends on whether events
/// are queued (yield one) or not (sleep the interval unless this is the first poll, then
/// poll).
struct WatchState {
    client: Client,
    filter: TaskFilter,
    config: WatchConfig,
    tracker: TaskTracker,
    queued: VecDeque<TaskEvent>,
    interval: Duration,
    polled_once: bool,
}

impl Client {
    /// Watches the tasks that match `filter`: an initial snapshot, then every task added,
    /// changing state or removed, each poll closed by a [`TaskEvent::Synced`].
    ///
    /// One `list_tasks` request per poll; the poll interval adapts between the bounds of
    /// `config`. A failed poll is an `Err` item and the stream carries on; it never ends by
    /// itself. Add pacing after errors with
    /// [`TaskStreamExt::default_backoff`](super::TaskStreamExt::default_backoff), and a
    /// time limit with `tokio::time::timeout`. Dropping the stream stops all work.
    ///
    /// ```no_run
    /// # async fn run() -> swarm_tasks::Result<()> {
    /// use futures::StreamExt;
    /// use swarm_tasks::models::TaskFilter;
    /// use swarm_tasks::monitor::{TaskEvent, TaskStreamExt, WatchConfig};
    ///
    /// let client = swarm_tasks::Client::from_env()?;
    /// let filter = TaskFilter::new().service("web");
    /// let mut events = client.watch(filter, WatchConfig::default()).default_backoff().boxed();
    /// while let Some(event) = events.next().await {
    ///     if let TaskEvent::StateChanged(change) = event? {
    ///         println!("{} {:?} -> {:?}", change.task.id, change.from, change.to());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[doc(alias = "informer")]
    pub fn watch(
        &self,
        filter: TaskFilter,
        config: WatchConfig,
    ) -> impl Stream<Item = Result<TaskEvent>> + Send + 'static {
        let state = WatchState {
            client: self.clone(),
            filter,
            config,
            tracker: TaskTracker::default(),
            queued: VecDeque::new(),
            interval: config.min_interval,
            polled_once: false,
        };
        futures::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(event) = state.queued.pop_front() {
                    return Some((Ok(event), state));
                }
                if state.polled_once {
                    tokio::time::sleep(state.interval).await;
                }
                state.polled_once = true;
                match state.client.list(&state.filter).await {
                    Ok(tasks) => {
                        let events = state.tracker.apply_listing(tasks);
                        let changed = events.len() > 1;
                        state.interval = state.config.next_interval(state.interval, changed);
                        state.queued.extend(events);
                    }
                    Err(error) => {
                        tracing::debug!(%error, "watch poll failed");
                        return Some((Err(error), state));
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, state: &str, desired: &str) -> Task {
        serde_json::from_value(serde_json::json!({
            "ID": id, "DesiredState": desired, "Status": {"State": state},
            "CreatedAt": format!("2024-01-01T00:00:0{}Z", id.len() % 10),
        }))
        .unwrap_or_default()
    }

    #[test]
    fn a_task_that_stops_decoding_is_not_reported_removed() {
        let mut tracker = TaskTracker::default();
        tracker.apply(vec![
            task("a", "running", "running"),
            task("bb", "running", "running"),
        ]);
        let events = tracker.apply_listing(Listing {
            items: vec![task("a", "running", "running")],
            failures: vec![swarm_models::ItemFailure {
                index: 1,
                id: Some("bb".to_owned()),
                message: "invalid type".to_owned(),
            }],
        });
        assert_eq!(events, [TaskEvent::Synced { tasks: 2 }]);
        // Once it is really gone from the list, it is removed.
        let events = tracker.apply_listing(vec![task("a", "running", "running")].into());
        assert!(matches!(&events[0], TaskEvent::Removed { task } if task.id == "bb"));
    }

    #[test]
    fn first_listing_is_initial_then_synced() {
        let mut tracker = TaskTracker::default();
        let events = tracker.apply(vec![task("a", "running", "running")]);
        assert!(matches!(events[0], TaskEvent::Initial { .. }));
        assert_eq!(events[1], TaskEvent::Synced { tasks: 1 });
    }

    #[test]
    fn changes_additions_and_removals_once() {
        let mut tracker = TaskTracker::default();
        tracker.apply(vec![
            task("a", "running", "running"),
            task("bb", "running", "running"),
        ]);
        let events = tracker.apply(vec![
            task("a", "failed", "shutdown"),
            task("ccc", "new", "running"),
        ]);
        let kinds: Vec<String> = events
            .iter()
            .map(|event| match event {
                TaskEvent::StateChanged(change) => {
                    format!(
                        "changed {} {:?}->{:?}",
                        change.task.id,
                        change.from,
                        change.to()
                    )
                }
                TaskEvent::Added { task } => format!("added {}", task.id),
                TaskEvent::Removed { task } => format!("removed {}", task.id),
                other => format!("{other:?}").chars().take(8).collect(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "changed a Some(Running)->Some(Failed)",
                "added ccc",
                "removed bb",
                "Synced {"
            ]
        );
        let again = tracker.apply(vec![
            task("a", "failed", "shutdown"),
            task("ccc", "new", "running"),
        ]);
        assert_eq!(again, [TaskEvent::Synced { tasks: 2 }]);
    }

    #[test]
    fn a_desired_state_change_alone_is_reported() {
        let mut tracker = TaskTracker::default();
        tracker.apply(vec![task("a", "running", "running")]);
        let events = tracker.apply(vec![task("a", "running", "shutdown")]);
        let TaskEvent::StateChanged(change) = &events[0] else {
            panic!("{events:?}")
        };
        assert!(!change.state_changed());
        assert_eq!(change.desired_from, Some(TaskState::Running));
    }

    #[test]
    fn interval_adapts_within_bounds() {
        let config = WatchConfig::default()
            .min_interval(Duration::from_secs(1))
            .max_interval(Duration::from_secs(3));
        let quiet = config.next_interval(Duration::from_secs(1), false);
        assert_eq!(quiet, Duration::from_secs(2));
        assert_eq!(config.next_interval(quiet, false), Duration::from_secs(3));
        assert_eq!(
            config.next_interval(Duration::from_secs(3), true),
            Duration::from_secs(1)
        );
    }
}
