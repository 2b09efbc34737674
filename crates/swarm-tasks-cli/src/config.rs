//! The second parsing stage: raw clap values become a validated [`RunConfig`].
//!
//! Everything a user can get wrong on the command line is checked here, before any daemon is
//! contacted: filters (`key=value`, known keys), states, ids, durations, conflicting flags.
//! Each problem is a [`UsageError`] with a one-line message naming it; `main` exits 2 on it.
//! The result holds only validated, typed values (a `TaskFilter`, `TaskState`s, a deadline,
//! the decided color), so the command runner never re-checks input.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use swarm_tasks::models::{FilterError, TaskFilter, TaskState, Timestamp};
use swarm_tasks::{PsOptions, TransportKind};

use crate::cli::{self, Cli, ColorWhen, Format, TransportArg};
use crate::render::RenderOptions;

/// A command line that cannot be run as given.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A `--filter` that is not `key=value` or has an unknown key.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// An id or name that is empty.
    #[error("empty {kind} id or name")]
    EmptyId {
        /// task, service or node.
        kind: &'static str,
    },
    /// An id or name that starts with `-` (a mistyped flag, most likely).
    #[error("invalid {kind} id {id:?}: ids and names never start with '-'")]
    DashId {
        /// task, service or node.
        kind: &'static str,
        /// The id as given.
        id: String,
    },
    /// A `--state` that is not a task state.
    #[error("unknown task state {state:?} in --state: expected one of {}", TaskState::KNOWN.join(", "))]
    UnknownState {
        /// The state as given.
        state: String,
    },
    /// A `--timeout` that is not a duration.
    #[error(
        "invalid duration {input:?} in --timeout: write a number and a unit, like 500ms, 30s, 2m or 1h30m"
    )]
    Duration {
        /// The text as given.
        input: String,
    },
    /// A `--now` / `SWARM_TASKS_NOW` that is not RFC 3339.
    #[error(
        "invalid --now / SWARM_TASKS_NOW {input:?}: expected an RFC 3339 time like 2024-05-01T12:00:00Z"
    )]
    Now {
        /// The text as given.
        input: String,
    },
    /// Two flags that cannot be used together.
    #[error("{first} and {second} cannot be used together")]
    Conflict {
        /// One flag.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
}

/// Everything the runner needs, validated.
#[derive(Debug)]
pub struct RunConfig {
    /// How to build the client.
    pub connection: Connection,
    /// The whole command must finish within this, if set.
    pub deadline: Option<Duration>,
    /// `-v` count.
    pub verbosity: u8,
    /// What to do.
    pub action: Action,
}

/// How to reach the daemon; handed to the facade's `ClientBuilder`.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `--transport`.
    pub transport: TransportKindArg,
    /// `-H/--host`.
    pub host: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `--replay`.
    pub replay: Option<PathBuf>,
    /// `--timeout`, also used as the facade's request timeout.
    pub timeout: Option<Duration>,
}

/// The transport choice, kept as our own enum so this module does not depend on whether the
/// facade's enum is `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKindArg {
    /// Let the facade decide.
    Auto,
    /// The Engine API.
    Http,
    /// The docker binary.
    Cli,
}

impl TransportKindArg {
    /// The facade's value.
    pub fn to_kind(self) -> TransportKind {
        match self {
            Self::Auto => TransportKind::Auto,
            Self::Http => TransportKind::Http,
            Self::Cli => TransportKind::Cli,
        }
    }
}

/// A validated subcommand.
#[derive(Debug)]
pub enum Action {
    /// `ls`.
    List {
        /// Selection.
        options: PsOptions,
        /// Output.
        render: RenderOptions,
    },
    /// `inspect`.
    Inspect {
        /// Ids in the order given.
        ids: Vec<String>,
        /// Output.
        render: RenderOptions,
    },
    /// `service ps`.
    ServicePs {
        /// Services as given.
        services: Vec<String>,
        /// Selection.
        options: PsOptions,
        /// Output.
        render: RenderOptions,
    },
    /// `node ps`.
    NodePs {
        /// Nodes as given (empty: this node).
        nodes: Vec<String>,
        /// Selection.
        options: PsOptions,
        /// Output.
        render: RenderOptions,
    },
    /// `snapshot`.
    Snapshot {
        /// Where to write.
        dir: PathBuf,
    },
    /// `completions`.
    Completions {
        /// For which shell.
        shell: clap_complete::Shell,
    },
}

/// What the environment says, passed in so that validation stays a pure function.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// `NO_COLOR`.
    pub no_color: Option<String>,
    /// `TERM`.
    pub term: Option<String>,
    /// The real current time.
    pub now: DateTime<Utc>,
}

impl Environment {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        use std::io::IsTerminal;
        Self {
            stdout_is_terminal: std::io::stdout().is_terminal(),
            no_color: std::env::var("NO_COLOR").ok(),
            term: std::env::var("TERM").ok(),
            now: DateTime::<Utc>::from(std::time::SystemTime::now()),
        }
    }
}

impl RunConfig {
    /// Validates the raw command line.
    pub fn from_cli(cli: Cli, env: &Environment) -> Result<Self, UsageError> {
        let global = cli.global;
        if global.host.is_some() && global.context.is_some() {
            return Err(UsageError::Conflict {
                first: "--host",
                second: "--context",
            });
        }
        if global.replay.is_some() && (global.host.is_some() || global.context.is_some()) {
            return Err(UsageError::Conflict {
                first: "--replay",
                second: if global.host.is_some() {
                    "--host"
                } else {
                    "--context"
                },
            });
        }
        let timeout = global
            .timeout
            .as_deref()
            .map(|input| {
                crate::duration::parse(input).ok_or_else(|| UsageError::Duration {
                    input: input.to_owned(),
                })
            })
            .transpose()?;
        let now = match global.now.as_deref() {
            Some(text) => text
                .parse::<Timestamp>()
                .map_err(|_| UsageError::Now {
                    input: text.to_owned(),
                })?
                .as_datetime(),
            None => env.now,
        };
        let output = Output {
            color: global.color,
            now,
            env,
        };
        let action = match cli.command {
            cli::Command::Ls(args) => {
                let (options, render) = task_list(args.tasks, &output)?;
                Action::List { options, render }
            }
            cli::Command::Inspect(args) => {
                check_ids("task", &args.ids)?;
                let format = args.format.unwrap_or(Format::Json);
                let render = output.render(format, args.no_trunc, false);
                Action::Inspect {
                    ids: args.ids,
                    render,
                }
            }
            cli::Command::Service(cli::ServiceCommand::Ps(args)) => {
                check_ids("service", &args.services)?;
                let (options, render) = task_list(args.tasks, &output)?;
                Action::ServicePs {
                    services: args.services,
                    options,
                    render,
                }
            }
            cli::Command::Node(cli::NodeCommand::Ps(args)) => {
                check_ids("node", &args.nodes)?;
                let (options, render) = task_list(args.tasks, &output)?;
                Action::NodePs {
                    nodes: args.nodes,
                    options,
                    render,
                }
            }
            cli::Command::Snapshot(args) => Action::Snapshot { dir: args.dir },
            cli::Command::Completions(args) => Action::Completions { shell: args.shell },
        };
        let transport = match global.transport {
            TransportArg::Auto => TransportKindArg::Auto,
            TransportArg::Http => TransportKindArg::Http,
            TransportArg::Cli => TransportKindArg::Cli,
        };
        Ok(Self {
            connection: Connection {
                transport,
                host: global.host,
                context: global.context,
                replay: global.replay,
                timeout,
            },
            deadline: timeout,
            verbosity: global.verbose,
            action,
        })
    }
}

/// The output-related globals, to build [`RenderOptions`] per subcommand.
struct Output<'a> {
    color: ColorWhen,
    now: DateTime<Utc>,
    env: &'a Environment,
}

impl Output<'_> {
    fn render(&self, format: Format, no_trunc: bool, quiet: bool) -> RenderOptions {
        RenderOptions {
            format,
            no_trunc,
            quiet,
            color: use_color(self.color, format, quiet, self.env),
            now: self.now,
        }
    }
}

/// Decides on color: only for the table, `always` forces it, `auto` needs a terminal on
/// stdout, `NO_COLOR` unset or empty, and `TERM` other than `dumb`.
pub fn use_color(when: ColorWhen, format: Format, quiet: bool, env: &Environment) -> bool {
    if format != Format::Table || quiet {
        return false;
    }
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            env.stdout_is_terminal
                && env.no_color.as_deref().is_none_or(str::is_empty)
                && env.term.as_deref() != Some("dumb")
        }
    }
}

fn task_list(
    args: cli::TaskListArgs,
    output: &Output<'_>,
) -> Result<(PsOptions, RenderOptions), UsageError> {
    let mut filter = TaskFilter::new();
    for arg in &args.filters {
        filter.push_arg(arg)?;
    }
    let states = args
        .states
        .iter()
        .map(|state| parse_state(state))
        .collect::<Result<Vec<_>, _>>()?;
    let options = PsOptions {
        filter,
        states,
        latest: args.latest,
        no_resolve: args.no_resolve,
    };
    let format = args.output.format.unwrap_or(Format::Table);
    let render = output.render(format, args.output.no_trunc, args.output.quiet);
    Ok((options, render))
}

fn parse_state(text: &str) -> Result<TaskState, UsageError> {
    let lower = text.trim().to_ascii_lowercase();
    let state = TaskState::from(lower.as_str());
    if state.is_unknown() {
        return Err(UsageError::UnknownState {
            state: text.to_owned(),
        });
    }
    Ok(state)
}

fn check_ids(kind: &'static str, ids: &[String]) -> Result<(), UsageError> {
    for id in ids {
        if id.trim().is_empty() {
            return Err(UsageError::EmptyId { kind });
        }
        if id.starts_with('-') {
            return Err(UsageError::DashId {
                kind,
                id: id.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn env() -> Environment {
        Environment {
            stdout_is_terminal: true,
            no_color: None,
            term: Some("xterm-256color".into()),
            now: "2024-05-01T12:00:00Z".parse().unwrap(),
        }
    }

    fn config(args: &[&str]) -> Result<RunConfig, UsageError> {
        let mut argv = vec!["swarm-tasks"];
        argv.extend_from_slice(args);
        RunConfig::from_cli(Cli::try_parse_from(argv).unwrap(), &env())
    }

    #[test]
    fn color_rules() {
        let mut environment = env();
        assert!(use_color(
            ColorWhen::Auto,
            Format::Table,
            false,
            &environment
        ));
        assert!(!use_color(
            ColorWhen::Auto,
            Format::Json,
            false,
            &environment
        ));
        assert!(!use_color(
            ColorWhen::Always,
            Format::Ndjson,
            false,
            &environment
        ));
        assert!(!use_color(
            ColorWhen::Never,
            Format::Table,
            false,
            &environment
        ));
        environment.no_color = Some(String::new());
        assert!(use_color(
            ColorWhen::Auto,
            Format::Table,
            false,
            &environment
        ));
        environment.no_color = Some("1".into());
        assert!(!use_color(
            ColorWhen::Auto,
            Format::Table,
            false,
            &environment
        ));
        assert!(use_color(
            ColorWhen::Always,
            Format::Table,
            false,
            &environment
        ));
        environment.no_color = None;
        environment.term = Some("dumb".into());
        assert!(!use_color(
            ColorWhen::Auto,
            Format::Table,
            false,
            &environment
        ));
        environment.term = None;
        environment.stdout_is_terminal = false;
        assert!(!use_color(
            ColorWhen::Auto,
            Format::Table,
            false,
            &environment
        ));
    }

    #[test]
    fn filters_and_states_are_typed() {
        let run = config(&["ls", "-f", "service=web", "--state", "Running", "--latest"]).unwrap();
        let Action::List { options, render } = run.action else {
            panic!("not ls")
        };
        assert_eq!(
            options
                .filter
                .values(swarm_tasks::models::FilterKey::Service)
                .collect::<Vec<_>>(),
            ["web"]
        );
        assert_eq!(options.states, [TaskState::Running]);
        assert!(options.latest);
        assert_eq!(render.format, Format::Table);
    }

    #[test]
    fn bad_input_is_a_one_line_usage_error() {
        let cases: [(&[&str], &str); 8] = [
            (&["ls", "-f", "service"], "bad format of filter"),
            (&["ls", "-f", "colour=red"], "invalid filter 'colour'"),
            (&["inspect", ""], "empty task id"),
            (&["inspect", "--", "-x"], "invalid task id \"-x\""),
            (&["service", "ps", " "], "empty service id"),
            (
                &["ls", "--state", "runing"],
                "unknown task state \"runing\"",
            ),
            (&["--timeout", "soon", "ls"], "invalid duration \"soon\""),
            (
                &["-H", "tcp://a:1", "--context", "b", "ls"],
                "--host and --context",
            ),
        ];
        for (args, expected) in cases {
            let message = config(args).unwrap_err().to_string();
            assert!(message.contains(expected), "{args:?}: {message}");
            assert_eq!(message.lines().count(), 1, "{message}");
        }
    }

    #[test]
    fn now_can_be_pinned() {
        let run = config(&["--now", "2020-01-01T00:00:00Z", "inspect", "abc"]).unwrap();
        let Action::Inspect { render, ids } = run.action else {
            panic!("not inspect")
        };
        assert_eq!(ids, ["abc"]);
        assert_eq!(render.format, Format::Json);
        assert_eq!(render.now.to_rfc3339(), "2020-01-01T00:00:00+00:00");
        assert!(config(&["--now", "yesterday", "ls"]).is_err());
    }
}
