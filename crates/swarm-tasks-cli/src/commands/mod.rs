//! The monitoring subcommands, `watch`, `wait` and `explain`, and `logs`: their validated settings (built
//! by [`crate::config`]) and how they run and print. The decisions (what an event is, when a
//! service has converged, why a task failed) are the library's `monitor` module; this is
//! output only.

pub mod explain;
pub mod logs;
pub mod wait;
pub mod watch;

use std::time::Duration;

use swarm_tasks::models::TaskFilter;
use swarm_tasks::monitor::WaitConfig;

use crate::cli;
use crate::config::UsageError;
use crate::format::NDJSON_NOTE;

pub use explain::ExplainAction;
pub use logs::LogsAction;
pub use wait::WaitAction;
pub use watch::WatchAction;

/// The deadline of `wait` when `--timeout` is not given.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The global settings the monitoring commands read.
#[derive(Debug, Clone, Copy)]
pub struct MonitorGlobals {
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--replay` was given.
    pub replay: bool,
    /// Whether stderr is a terminal (progress bars).
    pub stderr_is_terminal: bool,
}

/// Validates `watch`.
pub fn watch_action(
    args: cli::WatchArgs,
    filter: TaskFilter,
    globals: &MonitorGlobals,
    notes: &mut Vec<&'static str>,
) -> Result<WatchAction, UsageError> {
    if globals.replay {
        return Err(UsageError::Replay { command: "watch" });
    }
    if args.format.as_deref() == Some("ndjson") {
        notes.push(NDJSON_NOTE);
    }
    Ok(WatchAction {
        filter,
        json: matches!(args.format.as_deref(), Some("json" | "ndjson")),
        duration: globals.timeout,
    })
}

/// Validates `wait`.
pub fn wait_action(
    args: cli::WaitArgs,
    globals: &MonitorGlobals,
) -> Result<WaitAction, UsageError> {
    if globals.replay {
        return Err(UsageError::Replay { command: "wait" });
    }
    let mut config = WaitConfig::default()
        .rollback_ok(args.rollback_ok)
        .timeout(globals.timeout.unwrap_or(DEFAULT_WAIT_TIMEOUT));
    if let Some(text) = &args.stable {
        match humantime::parse_duration(text.trim()) {
            Ok(window) => config = config.stable(window),
            Err(_) => {
                return Err(UsageError::StableDuration {
                    input: text.clone(),
                });
            }
        }
    }
    Ok(WaitAction {
        services: args.services,
        config,
        bars: globals.stderr_is_terminal,
    })
}

/// Validates `explain`.
pub fn explain_action(args: cli::ExplainArgs) -> ExplainAction {
    ExplainAction {
        target: args.target,
        log_lines: args.log_lines,
        json: args.format.as_deref() == Some("json"),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
