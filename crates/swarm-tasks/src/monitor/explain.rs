//! [`explain`](crate::Client::explain): why a task (or each slot of a service) is not
//! running, in plain words.
//!
//! The reasons are pure functions of objects already fetched ([`explain_task`],
//! [`explain_service`]), so `wait` reports a failing task with exactly the words `explain`
//! uses. The daemon's error text is always kept whole; an [`Explanation`] is a list of
//! reasons plus optional extra [`Section`]s (for example a task's last log lines), so more
//! can be added without changing its shape.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;
use swarm_models::{
    Node, RestartCondition, Service, ServiceMode, Task, TaskFilter, TaskState, Timestamp,
};

use super::failure::{Failure, mode_name, no_eligible_node, update_failure};
use crate::client::Client;
use crate::error::Result;
use crate::rows::NameIndex;

/// How many failed tasks of one slot within the window make a restart loop.
pub const RESTART_LOOP_FAILURES: usize = 3;

/// The window for counting a slot's failures when the restart policy sets none.
pub const RESTART_LOOP_WINDOW: Duration = Duration::from_secs(300);

/// Why one task is where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The task ID.
    pub task_id: String,
    /// docker's display name (`web.3`, or `agent.<nodeID>`).
    pub name: String,
    /// The node's hostname (or ID), if assigned.
    pub node: Option<String>,
    /// The current state.
    pub state: Option<TaskState>,
    /// The desired state.
    pub desired_state: Option<TaskState>,
    /// When the task entered its current state.
    pub since: Option<Timestamp>,
    /// The reasons, most important first; never empty.
    pub reasons: Vec<Reason>,
    /// Extra sections after the reasons (empty unless a caller adds some).
    pub sections: Vec<Section>,
}

/// An extra titled block of an explanation, such as a task's last log lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The title.
    pub title: String,
    /// The lines, as they are.
    pub lines: Vec<String>,
}

/// One reason, in words a person can act on. `Display` gives the sentence; the daemon's
/// texts are included whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The task runs.
    Running,
    /// The task ran to completion (jobs, one-shot services).
    Complete,
    /// The task is on its way to running (assigned, preparing, starting ...).
    Starting {
        /// The state.
        state: TaskState,
        /// The daemon's status message.
        message: Option<String>,
    },
    /// The scheduler cannot place the task yet.
    Pending {
        /// The scheduler's words (`Status.Err`, else `Status.Message`), e.g. "no suitable
        /// node (scheduling constraints not satisfied on 3 nodes)".
        message: Option<String>,
        /// The task's placement constraints.
        constraints: Vec<String>,
    },
    /// The node refused the task (e.g. the image cannot be pulled).
    Rejected {
        /// The daemon's error, whole.
        error: Option<String>,
    },
    /// The task's container exited with an error or could not start.
    Failed {
        /// The exit code, when the container ran.
        exit_code: Option<i64>,
        /// What the exit code means.
        cause: ExitCause,
        /// The daemon's error, whole.
        error: Option<String>,
    },
    /// The task was shut down on request (an update, a scale-down, a removal).
    ShutDown {
        /// The daemon's status message.
        message: Option<String>,
        /// The error, if any.
        error: Option<String>,
    },
    /// The node the task ran on is gone.
    Orphaned,
    /// The task is in a state this version does not know.
    Other {
        /// The state.
        state: Option<TaskState>,
        /// The daemon's status message.
        message: Option<String>,
    },
    /// The slot keeps failing: its task is replaced and fails again.
    RestartLoop {
        /// Failed tasks of the slot within the window.
        failures: usize,
        /// The window, in seconds.
        window_secs: u64,
    },
}

/// What a failed task's exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExitCause {
    /// No exit code (the container never ran), or a plain non-zero exit.
    Exited,
    /// 137: killed by SIGKILL; with a memory limit set, most likely out of memory.
    Killed {
        /// The task's memory limit in bytes, if it has one.
        memory_limit: Option<i64>,
    },
    /// 143: terminated by SIGTERM.
    Terminated,
}

/// What [`Client::explain`] found: a service (every slot that is not fine) or one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Explained {
    /// The argument named a service.
    Service(ServiceExplanation),
    /// The argument named a task.
    Task(Explanation),
}

/// Why a service is where it is: its own problems, then each slot that is not fine.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ServiceExplanation {
    /// The service ID.
    pub id: String,
    /// The service name.
    pub name: String,
    /// replicated, global, replicated-job or global-job.
    pub mode: String,
    /// Running tasks, as the daemon counts them.
    pub running: Option<u64>,
    /// Desired tasks, as the daemon counts them.
    pub desired: Option<u64>,
    /// Service-level problems: a paused update, a rollback, no eligible node.
    pub problems: Vec<Failure>,
    /// The newest task of each slot that is not running (or complete), or keeps failing.
    pub tasks: Vec<Explanation>,
    /// Extra sections (empty unless a caller adds some).
    pub sections: Vec<Section>,
}

impl Client {
    /// Explains a service (by ID, name or unique ID prefix) or, if no service matches, a
    /// task (by ID, internal name or unique prefix): an argument that could be both is taken
    /// as the service, as docker does.
    ///
    /// Requests: services and nodes (concurrently), the task if needed, then the tasks of
    /// the service.
    pub async fn explain(&self, arg: &str) -> Result<Explained> {
        let transport = self.transport();
        let (services, nodes) =
            futures::try_join!(transport.list_services(), transport.list_nodes())?;
        let names = NameIndex::new(&services, &nodes);
        let resolved = crate::ps::resolve_services(&[arg.to_owned()], &services)?;
        if let Some(id) = resolved.ids.first() {
            let tasks = transport
                .list_tasks(&TaskFilter::new().service(id.clone()))
                .await?;
            let service = services.iter().find(|service| service.id == *id);
            if let Some(service) = service {
                return Ok(Explained::Service(explain_service(
                    service, &tasks, &nodes, &names,
                )));
            }
        }
        let task = match transport.inspect_task(arg).await {
            Err(swarm_transport::Error::NotFound { kind, .. }) => {
                // No service and no task: say it in docker's words, for the argument as given.
                return Err(crate::Error::NotFound {
                    kind,
                    ids: vec![arg.to_owned()],
                });
            }
            other => other?,
        };
        let service_id = task.service_id.clone().unwrap_or_default();
        let siblings = if service_id.is_empty() {
            vec![task.clone()].into()
        } else {
            transport
                .list_tasks(&TaskFilter::new().service(service_id.clone()))
                .await?
        };
        let service = services.iter().find(|service| service.id == service_id);
        let service_name = names.service(&service_id).to_owned();
        let history = slot_history(&task, &siblings);
        Ok(Explained::Task(explain_task(
            &task,
            service,
            &history,
            &service_name,
            &names,
        )))
    }
}

impl Client {
    /// [`Client::explain`], plus the last `lines` log lines of each explained task that
    /// failed, was rejected or keeps restarting, as a section titled `last N log lines`
    /// (one logs request per such task; none when `lines` is 0). A task that wrote nothing
    /// gets no section; logs that cannot be read give a section saying why.
    pub async fn explain_with_logs(&self, arg: &str, lines: u64) -> Result<Explained> {
        let mut explained = self.explain(arg).await?;
        if lines == 0 {
            return Ok(explained);
        }
        let explanations: Vec<&mut Explanation> = match &mut explained {
            Explained::Service(service) => service.tasks.iter_mut().collect(),
            Explained::Task(task) => vec![task],
        };
        for explanation in explanations {
            let failing = explanation.reasons.iter().any(|reason| {
                matches!(
                    reason,
                    Reason::Failed { .. } | Reason::Rejected { .. } | Reason::RestartLoop { .. }
                )
            });
            if !failing {
                continue;
            }
            let target = swarm_transport::logs::LogTarget::Task(explanation.task_id.clone());
            let options = swarm_transport::logs::LogOptions::new().tail(lines);
            let text = match self.transport().logs(&target, &options).await {
                Ok(stream) => {
                    use futures::StreamExt;
                    let items: Vec<_> = stream.collect().await;
                    let mut text = Vec::new();
                    for item in items {
                        match item {
                            Ok(line) => text.push(line.text().into_owned()),
                            Err(err) => text.push(format!("(the logs ended with an error: {err})")),
                        }
                    }
                    text
                }
                Err(err) => vec![format!("(cannot read the logs: {err})")],
            };
            if !text.is_empty() {
                explanation.sections.push(Section {
                    title: format!("last {lines} log lines"),
                    lines: text,
                });
            }
        }
        Ok(explained)
    }
}

/// Explains one task. `history` holds the tasks of the same slot (the task itself may be in
/// it), for the restart-loop check; `service_name` names the task.
pub fn explain_task(
    task: &Task,
    service: Option<&Service>,
    history: &[&Task],
    service_name: &str,
    names: &NameIndex,
) -> Explanation {
    let mut reasons = vec![state_reason(task)];
    if let Some(restart_loop) = restart_loop(task, service, history) {
        reasons.push(restart_loop);
    }
    Explanation {
        task_id: task.id.clone(),
        name: task.display_name(service_name),
        node: task
            .node_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map(|id| names.node(id).to_owned()),
        state: task.state().cloned(),
        desired_state: task.desired_state.clone(),
        since: task.status.timestamp,
        reasons,
        sections: Vec::new(),
    }
}

/// Explains a service from its tasks: service-level problems (paused update, rollback, no
/// eligible node), then the newest task of each slot that is neither running nor complete,
/// or keeps failing.
pub fn explain_service(
    service: &Service,
    tasks: &[Task],
    nodes: &[Node],
    names: &NameIndex,
) -> ServiceExplanation {
    let name = service.name().unwrap_or(&service.id).to_owned();
    let status = service.service_status.as_ref();
    let mut problems: Vec<Failure> = update_failure(service, false).into_iter().collect();
    if service.mode() == ServiceMode::Global
        && status.and_then(|status| status.desired_tasks) == Some(0)
    {
        problems.push(no_eligible_node(service, nodes));
    }
    let own: Vec<&Task> = tasks
        .iter()
        .filter(|task| task.service_id.as_deref() == Some(service.id.as_str()))
        .collect();
    let mut slots: BTreeMap<String, Vec<&Task>> = BTreeMap::new();
    for task in &own {
        slots.entry(slot_key(task)).or_default().push(task);
    }
    let mut explained = Vec::new();
    for history in slots.values_mut() {
        history.sort_by_key(|task| std::cmp::Reverse(task.created_at));
        let Some(newest) = history.first() else {
            continue;
        };
        let explanation = explain_task(newest, Some(service), history, &name, names);
        // A slot whose newest task runs, completed, or was shut down on purpose (scaled
        // down, replaced) needs no explanation; a failure does, even once given up on.
        let fine = matches!(
            explanation.reasons.as_slice(),
            [Reason::Running] | [Reason::Complete] | [Reason::ShutDown { .. }]
        );
        if !fine {
            explained.push(explanation);
        }
    }
    explained.sort_by(|left, right| crate::rows::natural_cmp(&left.name, &right.name));
    ServiceExplanation {
        id: service.id.clone(),
        name,
        mode: mode_name(service.mode()).to_owned(),
        running: status.and_then(|status| status.running_tasks),
        desired: status.and_then(|status| status.desired_tasks),
        problems,
        tasks: explained,
        sections: Vec::new(),
    }
}

/// The tasks of `task`'s slot among `tasks` (same service and slot, or same node for tasks
/// without a slot), newest first.
pub fn slot_history<'a>(task: &Task, tasks: &'a [Task]) -> Vec<&'a Task> {
    let key = slot_key(task);
    let mut history: Vec<&Task> = tasks
        .iter()
        .filter(|candidate| candidate.service_id == task.service_id && slot_key(candidate) == key)
        .collect();
    history.sort_by_key(|task| std::cmp::Reverse(task.created_at));
    history
}

/// A slot's identity within its service: the slot number, or the node for global tasks.
pub(crate) fn slot_key(task: &Task) -> String {
    match task.slot {
        Some(slot) if slot != 0 => {
            format!("{}.{slot}", task.service_id.as_deref().unwrap_or_default())
        }
        _ => format!(
            "{}.{}",
            task.service_id.as_deref().unwrap_or_default(),
            task.node_id.as_deref().unwrap_or_default()
        ),
    }
}

fn state_reason(task: &Task) -> Reason {
    let message = task.status.message.clone().filter(|text| !text.is_empty());
    let error = task.error().map(str::to_owned);
    match task.state() {
        Some(TaskState::Running) => Reason::Running,
        Some(TaskState::Complete) => Reason::Complete,
        Some(TaskState::Pending) => Reason::Pending {
            message: error.or(message),
            constraints: task
                .spec
                .placement
                .as_ref()
                .map(|placement| placement.constraints.clone())
                .unwrap_or_default(),
        },
        Some(TaskState::Rejected) => Reason::Rejected {
            error: error.or(message),
        },
        Some(TaskState::Failed) => {
            let exit_code = task.exit_code().filter(|code| *code != 0);
            let cause = match exit_code {
                Some(137) => ExitCause::Killed {
                    memory_limit: task
                        .spec
                        .resources
                        .as_ref()
                        .and_then(|resources| resources.limits.as_ref())
                        .and_then(|limits| limits.memory_bytes)
                        .filter(|bytes| *bytes > 0),
                },
                Some(143) => ExitCause::Terminated,
                _ => ExitCause::Exited,
            };
            Reason::Failed {
                exit_code,
                cause,
                error: error.or(message),
            }
        }
        Some(TaskState::Shutdown | TaskState::Remove) => Reason::ShutDown { message, error },
        Some(TaskState::Orphaned) => Reason::Orphaned,
        Some(state) if state.is_starting_up() => Reason::Starting {
            state: state.clone(),
            message,
        },
        state => Reason::Other {
            state: state.cloned(),
            message,
        },
    }
}

fn restart_loop(task: &Task, service: Option<&Service>, history: &[&Task]) -> Option<Reason> {
    let policy = task.spec.restart_policy.as_ref().or_else(|| {
        service?
            .spec
            .task_template
            .as_ref()?
            .restart_policy
            .as_ref()
    });
    if policy.and_then(|policy| policy.condition.as_ref()) == Some(&RestartCondition::None) {
        return None;
    }
    let window = policy
        .and_then(|policy| policy.window)
        .and_then(|window| window.to_std())
        .filter(|window| !window.is_zero())
        .unwrap_or(RESTART_LOOP_WINDOW);
    let newest = history
        .iter()
        .filter_map(|task| task.status.timestamp)
        .max()?
        .as_datetime();
    let window_start = newest - chrono::Duration::from_std(window).ok()?;
    let failures = history
        .iter()
        .filter(|task| task.state().is_some_and(TaskState::is_error))
        .filter(|task| {
            task.status
                .timestamp
                .is_some_and(|at| at.as_datetime() >= window_start)
        })
        .count();
    (failures >= RESTART_LOOP_FAILURES).then_some(Reason::RestartLoop {
        failures,
        window_secs: window.as_secs(),
    })
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Running => f.write_str("running"),
            Self::Complete => f.write_str("complete: the task ran to completion"),
            Self::Starting { state, message } => {
                write!(f, "starting: {state}")?;
                write_text(f, " (", message.as_deref(), ")")
            }
            Self::Pending {
                message,
                constraints,
            } => {
                f.write_str("pending: the scheduler cannot place it")?;
                write_text(f, ": ", message.as_deref(), "")?;
                if !constraints.is_empty() {
                    write!(f, "; placement constraints: {}", constraints.join(", "))?;
                }
                Ok(())
            }
            Self::Rejected { error } => {
                f.write_str("rejected by the node")?;
                write_text(f, ": ", error.as_deref(), "")
            }
            Self::Failed {
                exit_code,
                cause,
                error,
            } => {
                f.write_str("failed")?;
                match (exit_code, cause) {
                    (
                        Some(code),
                        ExitCause::Killed {
                            memory_limit: Some(limit),
                        },
                    ) => write!(
                        f,
                        ": exit code {code}, killed (SIGKILL), most likely out of memory (memory limit {})",
                        format_bytes(*limit)
                    )?,
                    (Some(code), ExitCause::Killed { memory_limit: None }) => {
                        write!(f, ": exit code {code}, killed (SIGKILL)")?
                    }
                    (Some(code), ExitCause::Terminated) => {
                        write!(f, ": exit code {code}, terminated (SIGTERM)")?
                    }
                    (Some(code), _) => write!(f, ": exit code {code}")?,
                    (None, _) => {}
                }
                write_text(f, "; error: ", error.as_deref(), "")
            }
            Self::ShutDown { message, error } => {
                f.write_str("shut down")?;
                write_text(f, ": ", message.as_deref(), "")?;
                write_text(f, "; error: ", error.as_deref(), "")
            }
            Self::Orphaned => f.write_str("orphaned: the node it ran on is gone"),
            Self::Other { state, message } => {
                match state {
                    Some(state) => write!(f, "in state {state}")?,
                    None => f.write_str("no state reported")?,
                }
                write_text(f, ": ", message.as_deref(), "")
            }
            Self::RestartLoop {
                failures,
                window_secs,
            } => write!(
                f,
                "restarting in a loop: {failures} failed tasks in this slot within {}",
                crate::monitor::format_duration(Duration::from_secs(*window_secs))
            ),
        }
    }
}

impl Explanation {
    /// One line: the name, then the reasons separated by `; `.
    pub fn summary(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(ToString::to_string).collect();
        format!("{}: {}", self.name, reasons.join("; "))
    }
}

fn write_text(
    f: &mut fmt::Formatter<'_>,
    before: &str,
    text: Option<&str>,
    after: &str,
) -> fmt::Result {
    match text {
        Some(text) if !text.is_empty() => write!(f, "{before}{text}{after}"),
        _ => Ok(()),
    }
}

fn format_bytes(bytes: i64) -> String {
    const MIB: i64 = 1024 * 1024;
    if bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
#[path = "explain_tests.rs"]
mod tests;
