//! When one service has converged, as a pure function of one poll plus what earlier polls
//! saw ([`ServiceTracker`]). `wait` calls it once per poll and service; docs/monitoring.md
//! states the rules in prose.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use serde::Serialize;
use swarm_models::{
    Node, RestartCondition, Service, ServiceMode, Task, TaskState, Timestamp, UpdateState,
};
use tokio::time::Instant;

use super::explain::{explain_task, slot_key};
use super::failure::{Failure, mode_name, no_eligible_node, update_failure};
use super::watch::TaskEvent;
use crate::rows::{NameIndex, natural_cmp};

/// How long a global service must want no task before the wait reports that no node is
/// eligible (the orchestrator creates a new service's tasks within milliseconds).
pub const NO_ELIGIBLE_NODE_AFTER: Duration = Duration::from_secs(2);

/// The stability window when neither the caller nor the service (`UpdateConfig.Monitor`)
/// sets one.
pub const DEFAULT_STABLE: Duration = Duration::from_secs(5);

/// Where one service stands after a poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Convergence {
    /// Not there yet; `lacking` in [`ServiceProgress`] says what is missing.
    Converging,
    /// Every count is right; waiting for the stability window to pass.
    Stabilizing {
        /// How long the counted tasks have been running, in milliseconds.
        stable_ms: u64,
        /// The window, in milliseconds.
        window_ms: u64,
    },
    /// Converged (final).
    Converged,
    /// Failed (final).
    Failed(Failure),
}

/// One service after a poll: counts, status, and what it still lacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ServiceProgress {
    /// The service ID.
    pub id: String,
    /// The service name.
    pub name: String,
    /// replicated, global, replicated-job or global-job.
    pub mode: String,
    /// Tasks that count as done: running with the current spec (and, for jobs and one-shot
    /// services, complete).
    pub done: u64,
    /// Tasks wanted (the daemon's `DesiredTasks`, or a job's total completions).
    pub wanted: u64,
    /// The status.
    pub status: Convergence,
    /// What is missing, in words (empty once converged).
    pub lacking: Vec<String>,
    /// The newest task of each slot, by slot name.
    pub slots: Vec<SlotProgress>,
}

/// The newest task of one slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SlotProgress {
    /// The slot's display name (`web.2`, `agent.<nodeID>`).
    pub name: String,
    /// Its current state.
    pub state: Option<TaskState>,
    /// Its desired state.
    pub desired_state: Option<TaskState>,
}

impl ServiceProgress {
    /// True once converged or failed.
    pub fn is_final(&self) -> bool {
        matches!(self.status, Convergence::Converged | Convergence::Failed(_))
    }
}

/// One poll's data, as `assess` needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PollInput<'a> {
    /// Every task of the poll (tasks of other services are ignored).
    pub(crate) tasks: &'a [&'a Task],
    /// The poll's transitions.
    pub(crate) events: &'a [TaskEvent],
    /// The node list, if it was fetched.
    pub(crate) nodes: Option<&'a [Node]>,
    /// Service and node names.
    pub(crate) names: &'a NameIndex,
    /// The settings.
    pub(crate) rules: Rules,
    /// When the poll completed.
    pub(crate) now: Instant,
}

/// What one service's wait remembers between polls.
#[derive(Debug)]
pub(crate) struct ServiceTracker {
    pub(crate) id: String,
    initial_update: Option<(UpdateState, Option<Timestamp>)>,
    stable_since: Option<Instant>,
    counted: BTreeSet<String>,
    slot_failures: HashMap<String, (usize, String)>,
    zero_desired_since: Option<Instant>,
    final_progress: Option<ServiceProgress>,
}

/// The settings `assess` needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) stable: Option<Duration>,
    pub(crate) rollback_ok: bool,
    pub(crate) slot_failures: usize,
}

impl ServiceTracker {
    pub(crate) fn new(service: &Service) -> Self {
        Self {
            id: service.id.clone(),
            initial_update: update_key(service),
            stable_since: None,
            counted: BTreeSet::new(),
            slot_failures: HashMap::new(),
            zero_desired_since: None,
            final_progress: None,
        }
    }

    /// Assesses the service after one poll. `tasks` are every task of the poll (others are
    /// ignored), `events` the poll's transitions, `nodes` the node list if it was fetched.
    pub(crate) fn assess(
        &mut self,
        service: Option<&Service>,
        poll: &PollInput<'_>,
    ) -> ServiceProgress {
        let names = poll.names;
        if let Some(done) = &self.final_progress {
            return done.clone();
        }
        let Some(service) = service else {
            let progress = ServiceProgress {
                id: self.id.clone(),
                name: names.service(&self.id).to_owned(),
                mode: String::new(),
                done: 0,
                wanted: 0,
                status: Convergence::Failed(Failure::Removed),
                lacking: Vec::new(),
                slots: Vec::new(),
            };
            self.final_progress = Some(progress.clone());
            return progress;
        };
        let progress = self.assess_service(service, poll);
        if progress.is_final() {
            self.final_progress = Some(progress.clone());
        }
        progress
    }

    /// True when a global service has wanted no task at the last poll, so the caller should
    /// fetch nodes for the message.
    pub(crate) fn needs_nodes(&self) -> bool {
        self.zero_desired_since.is_some() && self.final_progress.is_none()
    }

    fn assess_service(&mut self, service: &Service, poll: &PollInput<'_>) -> ServiceProgress {
        let PollInput {
            tasks: all_tasks,
            events,
            nodes,
            names,
            rules,
            now,
        } = *poll;
        let name = service.name().unwrap_or(&service.id).to_owned();
        let mode = service.mode();
        let tasks: Vec<&Task> = all_tasks
            .iter()
            .copied()
            .filter(|task| task.service_id.as_deref() == Some(service.id.as_str()))
            .collect();
        self.count_failures(service, events, &name);
        let one_shot = restart_condition(service) == Some(&RestartCondition::None);
        let iteration = service
            .job_status
            .as_ref()
            .and_then(|job| job.job_iteration.as_ref())
            .map(|it| it.index);
        let current: Vec<&Task> = tasks
            .iter()
            .copied()
            .filter(|task| {
                !mode.is_job()
                    || iteration.is_none()
                    || task.job_iteration.as_ref().map(|it| it.index) == iteration
            })
            .collect();
        let mut newest: BTreeMap<String, &Task> = BTreeMap::new();
        for task in &current {
            let entry = newest.entry(slot_key(task)).or_insert(task);
            if task.created_at > entry.created_at {
                *entry = task;
            }
        }
        let mut slots: Vec<SlotProgress> = newest
            .values()
            .map(|task| SlotProgress {
                name: task.display_name(&name),
                state: task.state().cloned(),
                desired_state: task.desired_state.clone(),
            })
            .collect();
        slots.sort_by(|left, right| natural_cmp(&left.name, &right.name));
        let mut progress = ServiceProgress {
            id: service.id.clone(),
            name: name.clone(),
            mode: mode_name(mode).to_owned(),
            done: 0,
            wanted: 0,
            status: Convergence::Converging,
            lacking: Vec::new(),
            slots,
        };
        let explain = |task: &Task| {
            let history: Vec<&Task> = tasks
                .iter()
                .copied()
                .filter(|other| slot_key(other) == slot_key(task))
                .collect();
            explain_task(task, Some(service), &history, &name, names)
        };

        // An update that is still running, paused or rolled back comes first.
        let dirty = current
            .iter()
            .any(|task| wants_running(task) && !runs_current_spec(task, service));
        let update_stale = update_key(service) == self.initial_update && dirty;
        if let Some(failure) = update_failure(service, rules.rollback_ok).filter(|_| !update_stale)
        {
            let failure = match failure {
                Failure::UpdatePaused { message, .. } => Failure::UpdatePaused {
                    message,
                    tasks: newest
                        .values()
                        .filter(|task| task.state().is_some_and(TaskState::is_error))
                        .map(|task| explain(task))
                        .collect(),
                },
                other => other,
            };
            progress.status = Convergence::Failed(failure);
            return progress;
        }
        if let Some((slot, (failures, task_id))) = self
            .slot_failures
            .iter()
            .find(|(_, (failures, _))| *failures >= rules.slot_failures)
        {
            if let Some(task) = tasks.iter().find(|task| task.id == *task_id) {
                progress.status = Convergence::Failed(Failure::SlotFailing {
                    slot: slot.clone(),
                    failures: *failures,
                    task: Box::new(explain(task)),
                });
                return progress;
            }
        }
        if one_shot {
            if let Some(task) = newest
                .values()
                .find(|task| task.state().is_some_and(TaskState::is_error))
            {
                progress.status = Convergence::Failed(Failure::TaskFailed {
                    task: Box::new(explain(task)),
                });
                return progress;
            }
        }
        let update_state = service
            .update_status
            .as_ref()
            .and_then(|status| status.state.clone());
        if matches!(
            update_state,
            Some(UpdateState::Updating | UpdateState::RollbackStarted)
        ) {
            progress.lacking.push(format!(
                "the update is in progress ({})",
                update_state
                    .map(|state| state.to_string())
                    .unwrap_or_default()
            ));
        } else if update_stale {
            progress
                .lacking
                .push("a newer update is pending".to_owned());
        }

        let status = service.service_status.as_ref();
        let is_running = |task: &&&Task| {
            wants_running(task)
                && task.state() == Some(&TaskState::Running)
                && runs_current_spec(task, service)
        };
        let counted: BTreeSet<String>;
        let condition;
        match mode {
            ServiceMode::ReplicatedJob {
                total_completions, ..
            } => {
                let complete = current
                    .iter()
                    .filter(|task| task.state() == Some(&TaskState::Complete))
                    .count() as u64;
                progress.done = complete;
                progress.wanted = total_completions;
                condition = complete >= total_completions;
                counted = BTreeSet::new();
                if !condition {
                    progress
                        .lacking
                        .push(format!("{complete} of {total_completions} completions"));
                }
            }
            ServiceMode::GlobalJob => {
                let complete = newest
                    .values()
                    .filter(|task| task.state() == Some(&TaskState::Complete))
                    .count() as u64;
                progress.done = complete;
                progress.wanted = newest.len() as u64;
                condition = !newest.is_empty() && complete == newest.len() as u64;
                counted = BTreeSet::new();
                if !condition {
                    progress
                        .lacking
                        .push(format!("{complete} of {} nodes complete", newest.len()));
                }
            }
            _ => {
                let running: Vec<&&Task> = current.iter().filter(is_running).collect();
                counted = running.iter().map(|task| task.id.clone()).collect();
                let wanted = match (mode, status.and_then(|status| status.desired_tasks)) {
                    (_, Some(desired)) => desired,
                    (ServiceMode::Replicated { replicas }, None) => replicas,
                    _ => current.iter().filter(|task| wants_running(task)).count() as u64,
                };
                progress.wanted = wanted;
                if mode == ServiceMode::Global
                    && status.and_then(|status| status.desired_tasks) == Some(0)
                {
                    // Right after a deploy the orchestrator may not have made the tasks yet;
                    // a zero that lasts is the scheduler saying no node is eligible.
                    let since = *self.zero_desired_since.get_or_insert(now);
                    if now.duration_since(since) >= NO_ELIGIBLE_NODE_AFTER {
                        if let Some(nodes) = nodes {
                            progress.status = Convergence::Failed(no_eligible_node(service, nodes));
                            return progress;
                        }
                    }
                    progress
                        .lacking
                        .push("the daemon wants no task yet: no eligible node?".to_owned());
                    return progress;
                }
                self.zero_desired_since = None;
                let done = if one_shot {
                    newest
                        .values()
                        .filter(|task| {
                            is_running(task) || task.state() == Some(&TaskState::Complete)
                        })
                        .count() as u64
                } else {
                    running.len() as u64
                };
                progress.done = done;
                condition = done == wanted && !dirty;
                if done != wanted {
                    progress
                        .lacking
                        .push(format!("{done} of {wanted} tasks running"));
                }
                if dirty {
                    let old = current
                        .iter()
                        .filter(|task| wants_running(task) && !runs_current_spec(task, service))
                        .count();
                    progress
                        .lacking
                        .push(format!("{old} tasks still run the previous spec"));
                }
            }
        }
        if !condition || !progress.lacking.is_empty() {
            self.stable_since = None;
            for task in newest.values().filter(|task| !is_fine(task)) {
                progress.lacking.push(explain(task).summary());
            }
            return progress;
        }
        if mode.is_job() {
            progress.status = Convergence::Converged;
            return progress;
        }
        let left = self.counted.difference(&counted).any(|id| {
            tasks
                .iter()
                .find(|task| task.id == *id)
                .is_none_or(|task| task.state() != Some(&TaskState::Complete))
        });
        if self.stable_since.is_none() || left {
            self.stable_since = Some(now);
        }
        self.counted = counted;
        let window = rules.stable.unwrap_or_else(|| service_window(service));
        let stable = now.duration_since(self.stable_since.unwrap_or(now));
        if stable >= window {
            progress.status = Convergence::Converged;
        } else {
            progress.status = Convergence::Stabilizing {
                stable_ms: u64::try_from(stable.as_millis()).unwrap_or(u64::MAX),
                window_ms: u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
            };
            progress.lacking.push(format!(
                "stable for {} of {}",
                super::format_duration(stable),
                super::format_duration(window)
            ));
        }
        progress
    }

    /// When the stability window of this service ends, if it is counting.
    pub(crate) fn window_ends(&self, service: Option<&Service>, rules: Rules) -> Option<Instant> {
        let window = rules
            .stable
            .unwrap_or_else(|| service.map_or(DEFAULT_STABLE, service_window));
        self.stable_since.map(|since| since + window)
    }

    fn count_failures(&mut self, service: &Service, events: &[TaskEvent], name: &str) {
        for event in events {
            let task = match event {
                TaskEvent::StateChanged(change) if change.state_changed() => &change.task,
                TaskEvent::Added { task } => task.as_ref(),
                _ => continue,
            };
            if task.service_id.as_deref() != Some(service.id.as_str())
                || !task.state().is_some_and(TaskState::is_error)
            {
                continue;
            }
            let entry = self
                .slot_failures
                .entry(task.display_name(name))
                .or_insert((0, String::new()));
            entry.0 += 1;
            entry.1 = task.id.clone();
        }
    }
}

fn update_key(service: &Service) -> Option<(UpdateState, Option<Timestamp>)> {
    let status = service.update_status.as_ref()?;
    Some((status.state.clone()?, status.started_at))
}

fn restart_condition(service: &Service) -> Option<&RestartCondition> {
    service
        .spec
        .task_template
        .as_ref()?
        .restart_policy
        .as_ref()?
        .condition
        .as_ref()
}

fn service_window(service: &Service) -> Duration {
    service
        .spec
        .update_config
        .as_ref()
        .and_then(|config| config.monitor)
        .and_then(|monitor| monitor.to_std())
        .filter(|monitor| !monitor.is_zero())
        .unwrap_or(DEFAULT_STABLE)
}

fn wants_running(task: &Task) -> bool {
    task.desired_state == Some(TaskState::Running)
}

fn is_fine(task: &Task) -> bool {
    matches!(task.state(), Some(TaskState::Running | TaskState::Complete))
}

/// True when the task was made from the service's current template, compared on what an
/// update changes in practice (image, command, arguments, environment, force-update counter).
/// The daemon adds defaults to the template that tasks do not carry (`StopGracePeriod`), so
/// whole specs are not compared.
pub(crate) fn runs_current_spec(task: &Task, service: &Service) -> bool {
    let Some(template) = service.spec.task_template.as_ref() else {
        return true;
    };
    if template.force_update.unwrap_or(0) != task.spec.force_update.unwrap_or(0) {
        return false;
    }
    match (&template.container_spec, &task.spec.container_spec) {
        (Some(want), Some(have)) => {
            want.image == have.image
                && want.command == have.command
                && want.args == have.args
                && want.env == have.env
        }
        _ => true,
    }
}
