//! `swarm-tasks explain`: the library's reasons as sentences, or as one JSON object.

use std::io::Write;

use swarm_tasks::Client;
use swarm_tasks::monitor::{Explained, Explanation, Section};

use crate::exit::ExitCode;
use crate::sanitize::for_terminal;

/// A validated `explain`.
#[derive(Debug)]
pub struct ExplainAction {
    /// The service or task as given.
    pub target: String,
    /// Log lines to show of each failing task (`--log-lines`).
    pub log_lines: u64,
    /// One JSON object instead of text.
    pub json: bool,
}

/// Explains the target and prints it.
pub async fn run(
    client: &Client,
    action: ExplainAction,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let explained = client
        .explain_with_logs(&action.target, action.log_lines)
        .await?;
    if action.json {
        serde_json::to_writer(&mut *out, &explained)?;
        writeln!(out)?;
    } else {
        for line in lines(&explained) {
            writeln!(out, "{}", for_terminal(&line))?;
        }
    }
    Ok(ExitCode::Ok)
}

/// The text of an explanation, one string per line, daemon texts whole.
pub fn lines(explained: &Explained) -> Vec<String> {
    let mut lines = Vec::new();
    match explained {
        Explained::Service(service) => {
            let counts = match (service.running, service.desired) {
                (Some(running), Some(desired)) => format!(": {running} of {desired} tasks running"),
                _ => String::new(),
            };
            lines.push(format!(
                "service {} ({}){counts}",
                service.name, service.mode
            ));
            for problem in &service.problems {
                lines.push(format!("  - {problem}"));
            }
            if service.tasks.is_empty() && service.problems.is_empty() {
                lines.push("  every slot's newest task is running or complete".to_owned());
            }
            for task in &service.tasks {
                task_lines(task, &mut lines);
            }
            section_lines(&service.sections, &mut lines);
        }
        Explained::Task(task) => task_lines(task, &mut lines),
        _ => {}
    }
    lines
}

fn task_lines(task: &Explanation, lines: &mut Vec<String>) {
    let node = task
        .node
        .as_deref()
        .map(|node| format!(" on {node}"))
        .unwrap_or_default();
    let state = task
        .state
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let desired = task
        .desired_state
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let since = task
        .since
        .map(|since| format!(" since {since}"))
        .unwrap_or_default();
    lines.push(format!(
        "{} (task {}){node}: {state}, desired {desired}{since}",
        task.name, task.task_id
    ));
    for reason in &task.reasons {
        lines.push(format!("  - {reason}"));
    }
    section_lines(&task.sections, lines);
}

fn section_lines(sections: &[Section], lines: &mut Vec<String>) {
    for section in sections {
        lines.push(format!("  {}:", section.title));
        lines.extend(section.lines.iter().map(|line| format!("    {line}")));
    }
}
