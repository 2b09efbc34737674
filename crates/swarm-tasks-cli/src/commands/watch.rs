//! `swarm-tasks watch`: one line per task event, or one JSON object per event.

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
use serde::Serialize;
use swarm_tasks::Client;
use swarm_tasks::models::{Task, TaskFilter, TaskState};
use swarm_tasks::monitor::{TaskEvent, TaskStreamExt, WatchConfig};
use swarm_tasks::rows::NameIndex;

use crate::exit::ExitCode;
use crate::report;
use crate::sanitize::for_terminal;

/// A validated `watch`.
#[derive(Debug)]
pub struct WatchAction {
    /// Which tasks.
    pub filter: TaskFilter,
    /// One JSON object per event instead of text.
    pub json: bool,
    /// Stop after this long (exit 0); none: until interrupted.
    pub duration: Option<Duration>,
}

/// One `--format json` line: the event as the library serializes it, plus the task's docker
/// name (absent for `synced`).
#[derive(Serialize)]
struct JsonEvent<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(flatten)]
    event: &'a TaskEvent,
}

/// Runs the watch: names are looked up first (services and nodes, again once for each new
/// service), then events are printed
/// as they come; a failed poll is reported on stderr and retried after a backoff.
pub async fn run(
    client: &Client,
    action: WatchAction,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let (services, nodes) = tokio::try_join!(client.services(), client.nodes())?;
    let mut names = NameIndex::new(&services, &nodes);
    // Services created during the watch are looked up once each, when their first task shows.
    let mut looked_up: HashSet<String> = HashSet::new();
    let stream = client
        .watch(action.filter, WatchConfig::default())
        .default_backoff();
    let json = action.json;
    let work = async {
        let mut stream = std::pin::pin!(stream);
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => {
                    let service_id = event
                        .task()
                        .and_then(|task| task.service_id.clone())
                        .filter(|id| names.service(id) == id && !looked_up.contains(id));
                    if let Some(service_id) = service_id {
                        looked_up.insert(service_id);
                        if let Ok((services, nodes)) =
                            tokio::try_join!(client.services(), client.nodes())
                        {
                            names = NameIndex::new(&services, &nodes);
                        }
                    }
                    if json {
                        let name = event.task().map(|task| task_name(task, &names));
                        serde_json::to_writer(
                            &mut *out,
                            &JsonEvent {
                                name,
                                event: &event,
                            },
                        )?;
                        writeln!(out)?;
                    } else if let Some(line) = event_line(&event, &names) {
                        writeln!(out, "{}", for_terminal(&line))?;
                    }
                    if event.is_synced() || !json {
                        out.flush()?;
                    }
                }
                Err(error) => {
                    report::error_line(err, &error)?;
                }
            }
        }
        anyhow::Ok(())
    };
    match action.duration {
        Some(duration) => {
            if let Ok(result) = tokio::time::timeout(duration, work).await {
                result?;
            }
        }
        None => work.await?,
    }
    Ok(ExitCode::Ok)
}

/// The docker name of a task (`web.2`, `agent.<nodeID>`).
pub fn task_name(task: &Task, names: &NameIndex) -> String {
    task.display_name(names.service(task.service_id.as_deref().unwrap_or("")))
}

/// The line for one event, `None` for `Synced`: when, the task's name and short ID, and what
/// happened, with the exit code and the daemon's whole error for failures.
pub fn event_line(event: &TaskEvent, names: &NameIndex) -> Option<String> {
    let task = event.task()?;
    let when = task
        .status
        .timestamp
        .map_or_else(|| "-".to_owned(), |stamp| stamp.to_string());
    let head = format!("{when} {} {}", task_name(task, names), short_id(&task.id));
    let what = match event {
        TaskEvent::Initial { task } => {
            format!(
                "{} (desired {})",
                state(task.state()),
                state(task.desired_state.as_ref())
            )
        }
        TaskEvent::Added { task } => format!(
            "added: {} (desired {})",
            state(task.state()),
            state(task.desired_state.as_ref())
        ),
        TaskEvent::StateChanged(change) => {
            let mut text = format!("{} -> {}", state(change.from.as_ref()), state(change.to()));
            if change.desired_from.as_ref() != change.desired() {
                text.push_str(&format!(
                    " (desired {} -> {})",
                    state(change.desired_from.as_ref()),
                    state(change.desired())
                ));
            }
            if change.to().is_some_and(TaskState::is_error) {
                if let Some(code) = change.exit_code().filter(|code| *code != 0) {
                    text.push_str(&format!("; exit code {code}"));
                }
                if let Some(error) = change.error() {
                    text.push_str(&format!("; error: {error}"));
                }
            }
            text
        }
        TaskEvent::Removed { task } => format!("removed (was {})", state(task.state())),
        _ => return None,
    };
    Some(format!("{head} {what}"))
}

fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn state(state: Option<&TaskState>) -> String {
    state.map_or_else(|| "-".to_owned(), ToString::to_string)
}
