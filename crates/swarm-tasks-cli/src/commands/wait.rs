//! `swarm-tasks wait`: progress while waiting (bars on a terminal, otherwise one line per
//! change and nothing else), then one result line per service on stdout, with the failing
//! tasks explained in full, and the exit code: 0 converged, 1 failed, 4 out of time.

use std::collections::HashMap;
use std::io::Write;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use swarm_tasks::Client;
use swarm_tasks::monitor::{
    Convergence, Failure, ServiceProgress, ServiceResult, WaitConfig, WaitEvent, WaitOutcome,
    format_duration,
};
use swarm_tasks::rows::NameIndex;

use super::watch::event_line;
use crate::exit::ExitCode;
use crate::report;
use crate::sanitize::for_terminal;

/// Slots drawn as bars of their own under a service's bar; beyond this, only the service bar.
pub const MAX_SLOT_BARS: usize = 8;

/// A validated `wait`.
#[derive(Debug)]
pub struct WaitAction {
    /// The services as given.
    pub services: Vec<String>,
    /// The library settings, the deadline included.
    pub config: WaitConfig,
    /// Draw progress bars (stderr is a terminal).
    pub bars: bool,
}

/// Waits, drawing progress on `err`, then prints the outcome on `out`.
pub async fn run(
    client: &Client,
    action: WaitAction,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut lines = ChangeLines::default();
    let mut bars = action.bars.then(Bars::new);
    let mut write_failed = None;
    let outcome = client
        .wait_with(&action.services, action.config, |event| {
            match bars.as_mut() {
                Some(bars) => bars.draw(event),
                None => {
                    for line in lines.lines(event) {
                        if let Err(error) = writeln!(err, "{}", for_terminal(&line)) {
                            write_failed = Some(error);
                        }
                    }
                }
            }
        })
        .await;
    if let Some(bars) = bars {
        bars.finish();
    }
    if let Some(error) = write_failed {
        return Err(error.into());
    }
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error @ swarm_tasks::Error::WaitNoPoll { .. }) => {
            report::error_line(err, &error)?;
            return Ok(ExitCode::WaitTimedOut);
        }
        Err(error) => return Err(error.into()),
    };
    for line in outcome_lines(&outcome, action.config.timeout) {
        writeln!(out, "{}", for_terminal(&line))?;
    }
    Ok(exit_code(&outcome))
}

/// 1 when a service failed, else 4 when one ran out of time, else 0.
pub fn exit_code(outcome: &WaitOutcome) -> ExitCode {
    if outcome.is_failed() {
        ExitCode::Failure
    } else if outcome.is_timed_out() {
        ExitCode::WaitTimedOut
    } else {
        ExitCode::Ok
    }
}

/// The result: a line per service, the failing tasks explained in full under a failure, what
/// is missing under a timeout, and since when the daemon has been away if it is.
pub fn outcome_lines(outcome: &WaitOutcome, timeout: Option<std::time::Duration>) -> Vec<String> {
    let mut lines = Vec::new();
    for service in &outcome.services {
        match &service.result {
            ServiceResult::Converged => lines.push(format!("{}: converged", service.name)),
            ServiceResult::Failed(failure) => {
                lines.push(format!("{}: failed: {failure}", service.name));
                let tasks = match failure {
                    Failure::UpdatePaused { tasks, .. } => tasks.iter().collect(),
                    Failure::SlotFailing { task, .. } | Failure::TaskFailed { task } => {
                        vec![task.as_ref()]
                    }
                    _ => Vec::new(),
                };
                for task in tasks {
                    lines.push(format!("  {} (task {})", task.name, task.task_id));
                    lines.extend(task.reasons.iter().map(|reason| format!("    - {reason}")));
                }
            }
            ServiceResult::TimedOut { lacking } => {
                let after = timeout
                    .map(|timeout| format!(" after {}", format_duration(timeout)))
                    .unwrap_or_default();
                lines.push(format!(
                    "{}: not converged{after}; still lacking:",
                    service.name
                ));
                lines.extend(lacking.iter().map(|item| format!("  - {item}")));
            }
            _ => lines.push(format!("{}: {:?}", service.name, service.result)),
        }
    }
    if let Some(unreachable) = &outcome.unreachable {
        lines.push(format!(
            "the daemon has been unreachable for the last {}: {}",
            format_duration(std::time::Duration::from_secs(unreachable.for_secs)),
            unreachable.error
        ));
    }
    lines
}

/// What a wait prints when stderr is not a terminal: a line for each task transition and
/// each change of a service's status, and nothing that repeats.
#[derive(Debug, Default)]
pub struct ChangeLines {
    last: HashMap<String, String>,
    away: bool,
    names: NameIndex,
}

impl ChangeLines {
    /// The new lines for one event (often none).
    pub fn lines(&mut self, event: &WaitEvent) -> Vec<String> {
        let mut lines = Vec::new();
        match event {
            WaitEvent::Polled { services, changes } => {
                if self.away {
                    lines.push("the daemon answers again".to_owned());
                    self.away = false;
                }
                self.names = names_of(services);
                for change in changes {
                    if matches!(change, swarm_tasks::monitor::TaskEvent::Initial { .. }) {
                        continue;
                    }
                    lines.extend(event_line(change, &self.names));
                }
                for service in services {
                    let status = status_line(service);
                    if self.last.get(&service.id) != Some(&status) {
                        self.last.insert(service.id.clone(), status.clone());
                        lines.push(status);
                    }
                }
            }
            WaitEvent::PollFailed(error) if !self.away => {
                self.away = true;
                lines.push(format!("cannot reach the daemon, retrying: {error}"));
            }
            _ => {}
        }
        lines
    }
}

/// A service's status in words, without anything that changes by itself (no elapsed time),
/// so that a line is printed only when something happened.
pub fn status_line(service: &ServiceProgress) -> String {
    match &service.status {
        Convergence::Converged => format!("{}: converged", service.name),
        Convergence::Failed(failure) => format!("{}: failed: {failure}", service.name),
        Convergence::Stabilizing { window_ms, .. } => format!(
            "{}: {} of {} tasks running, waiting {} for them to stay up",
            service.name,
            service.done,
            service.wanted,
            format_duration(std::time::Duration::from_millis(*window_ms))
        ),
        _ => format!("{}: {}", service.name, service.lacking.join("; ")),
    }
}

/// Service names for event lines, from what the wait reported (nodes stay IDs).
fn names_of(services: &[ServiceProgress]) -> NameIndex {
    let services: Vec<swarm_tasks::models::Service> = services
        .iter()
        .map(|service| swarm_tasks::models::Service {
            id: service.id.clone(),
            spec: swarm_tasks::models::ServiceSpec {
                name: Some(service.name.clone()),
                ..Default::default()
            },
            ..Default::default()
        })
        .collect();
    NameIndex::new(&services, &[])
}

/// Progress bars on stderr: one per service, and one per slot up to [`MAX_SLOT_BARS`].
struct Bars {
    multi: MultiProgress,
    services: HashMap<String, (ProgressBar, Vec<ProgressBar>)>,
}

impl Bars {
    fn new() -> Self {
        Self {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            services: HashMap::new(),
        }
    }

    fn draw(&mut self, event: &WaitEvent) {
        let WaitEvent::Polled { services, .. } = event else {
            return;
        };
        for service in services {
            let (bar, slots) = self.services.entry(service.id.clone()).or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(service.wanted.max(1)));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:.bold} [{bar:30}] {pos}/{len} {wide_msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(service.name.clone());
                (bar, Vec::new())
            });
            bar.set_length(service.wanted.max(1));
            bar.set_position(service.done);
            let message = match &service.status {
                Convergence::Converged => "converged".to_owned(),
                Convergence::Failed(failure) => format!("failed: {failure}"),
                _ => service.lacking.first().cloned().unwrap_or_default(),
            };
            bar.set_message(for_terminal(&message).into_owned());
            for (slot_idx, slot) in service.slots.iter().take(MAX_SLOT_BARS).enumerate() {
                if slots.len() <= slot_idx {
                    let slot_bar = self
                        .multi
                        .insert_after(slots.last().unwrap_or(bar), ProgressBar::new_spinner());
                    slot_bar.set_style(
                        ProgressStyle::with_template("  {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    slots.push(slot_bar);
                }
                let state = slot
                    .state
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), ToString::to_string);
                slots[slot_idx].set_message(format!("{} {state}", slot.name));
            }
            if service.is_final() {
                bar.finish();
                for slot in slots.iter() {
                    slot.finish();
                }
            }
        }
    }

    fn finish(self) {
        for (bar, slots) in self.services.values() {
            bar.finish();
            for slot in slots {
                slot.finish();
            }
        }
    }
}
