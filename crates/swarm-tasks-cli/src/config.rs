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
use swarm_tasks::models::{FilterError, FilterKey, TaskFilter, TaskState, Timestamp};
use swarm_tasks::{PsOptions, TransportKind};

use crate::cli::{self, Cli, ColorWhen, GlobalArgs};
use crate::format::{Format, NDJSON_NOTE, Template, TemplateError};
use crate::render::RenderOptions;

/// The longest id, name, filter or other value accepted on the command line (4 KiB): longer
/// input is a usage error before any request is made.
pub const MAX_INPUT_LEN: usize = 4096;

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
    /// A `--filter desired-state=` value that is not a task state.
    #[error("unknown task state {state:?} in --filter desired-state: expected one of {}", TaskState::KNOWN.join(", "))]
    UnknownDesiredState {
        /// The state as given.
        state: String,
    },
    /// A `--timeout` that is not a duration.
    #[error(
        "invalid duration {input:?} in --timeout: write numbers with units, like 500ms, 30s, 2m or 1h30m"
    )]
    Duration {
        /// The text as given.
        input: String,
    },
    /// A `--format` template that does not parse or names a field rows do not have.
    #[error(transparent)]
    Format(#[from] TemplateError),
    /// `-H ""`: an empty host would silently mean the default one.
    #[error(
        "empty -H/--host: give a daemon address like unix:///var/run/docker.sock or tcp://host:2376"
    )]
    EmptyHost,
    /// `--context ""`.
    #[error("empty --context: give a context name (`docker context ls` lists them)")]
    EmptyContext,
    /// A value longer than [`MAX_INPUT_LEN`].
    #[error("{what} is {len} bytes long, over the limit of 4096")]
    TooLong {
        /// Which argument.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A `--now` / `SWARM_TASKS_NOW` that is not RFC 3339.
    #[error(
        "invalid --now / SWARM_TASKS_NOW {input:?}: expected an RFC 3339 time like 2024-05-01T12:00:00Z"
    )]
    Now {
        /// The text as given.
        input: String,
    },
    /// A `--listen` that is not IP:PORT.
    #[error(
        "invalid address {input:?} in --listen: write an IP and a port, like 127.0.0.1:7878 or [::1]:7878"
    )]
    Listen {
        /// As given.
        input: String,
    },
    /// A `--token` with characters a URL or cookie would mangle.
    #[error("invalid --token: use 1 to 200 letters, digits, '-' and '_'")]
    Token,
    /// `watch` or `wait` with `--replay`: a snapshot never changes.
    #[error("--replay serves a snapshot, which never changes: `{command}` needs a live daemon")]
    Replay {
        /// The subcommand.
        command: &'static str,
    },
    /// A `--stable` that is not a duration.
    #[error(
        "invalid duration {input:?} in --stable: write numbers with units, like 500ms, 5s or 1m"
    )]
    StableDuration {
        /// The text as given.
        input: String,
    },
    /// A `--tail` that is neither `all` nor a number of lines.
    #[error("invalid --tail {input:?}: give a number of lines or all")]
    LogsTail {
        /// The text as given.
        input: String,
    },
    /// A `--since` that is neither a time nor a duration.
    #[error(
        "invalid --since {input:?}: give a time (2013-01-02T13:23:37Z), Unix seconds (1357133017) or a duration back from now (42m)"
    )]
    LogsSince {
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
    /// Notes for stderr before the run (a deprecated alias was used, ...).
    pub notes: Vec<&'static str>,
}

/// How to reach the daemon; handed to the facade's `ClientBuilder`.
#[derive(Debug, Clone)]
pub struct Connection {
    /// `--transport`.
    pub transport: TransportKind,
    /// `-H/--host`.
    pub host: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `--replay`.
    pub replay: Option<PathBuf>,
    /// `--timeout`, also used as the facade's request timeout.
    pub timeout: Option<Duration>,
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
        /// Replace Env values and secret data before writing.
        redact: bool,
    },
    /// `version`.
    Version {
        /// Output: `Table` is docker's text layout.
        format: Format,
    },
    /// `watch`: print task events until `--timeout` (or forever).
    Watch(crate::commands::WatchAction),
    /// `wait`: wait for services to converge.
    Wait(crate::commands::WaitAction),
    /// `explain`: why a task or service is not running.
    Explain(crate::commands::ExplainAction),
    /// `logs`: the logs of services or tasks.
    Logs(crate::commands::LogsAction),
    /// `ui`: serve the page.
    Ui(crate::ui::UiAction),
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
    /// Whether stderr is a terminal (progress bars).
    pub stderr_is_terminal: bool,
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
            stderr_is_terminal: std::io::stderr().is_terminal(),
            no_color: std::env::var("NO_COLOR").ok(),
            term: std::env::var("TERM").ok(),
            now: DateTime::<Utc>::from(std::time::SystemTime::now()),
        }
    }
}

impl RunConfig {
    /// Validates the raw command line.
    pub fn from_cli(cli: Cli, env: &Environment) -> Result<Self, UsageError> {
        let mut connection = connection(&cli.global)?;
        let output = Output {
            color: cli.global.color,
            now: now(cli.global.now.as_deref(), env)?,
            env,
            timeout: connection.timeout,
            replay: connection.replay.is_some(),
        };
        let pinned = cli.global.now.is_some();
        let mut notes = Vec::new();
        let mut action = action(cli.command, &output, &mut notes)?;
        if let Action::Ui(ui) = &mut action {
            // The page measures ages from the pinned instant too (reproducible screenshots).
            ui.now = pinned.then(|| {
                output
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            });
        }
        if matches!(action, Action::Watch(_) | Action::Wait(_) | Action::Ui(_)) {
            // `--timeout` is their own deadline; each request keeps the transport's bound.
            connection.timeout = None;
        }
        Ok(Self {
            deadline: connection.timeout,
            connection,
            verbosity: cli.global.verbose,
            action,
            notes,
        })
    }
}

/// Where the daemon is and how to reach it: the connection flags, checked against each other.
fn connection(global: &GlobalArgs) -> Result<Connection, UsageError> {
    if global
        .host
        .as_deref()
        .is_some_and(|host| host.trim().is_empty())
    {
        return Err(UsageError::EmptyHost);
    }
    if global
        .context
        .as_deref()
        .is_some_and(|name| name.trim().is_empty())
    {
        return Err(UsageError::EmptyContext);
    }
    check_len("-H/--host", global.host.as_deref())?;
    check_len("--context", global.context.as_deref())?;
    check_len("--timeout", global.timeout.as_deref())?;
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
    let timeout = global.timeout.as_deref().map(parse_duration).transpose()?;
    Ok(Connection {
        transport: global.transport.into(),
        host: global.host.clone(),
        context: global.context.clone(),
        replay: global.replay.clone(),
        timeout,
    })
}

/// `--timeout`: humantime's grammar (`500ms`, `30s`, `2m`, `1h30m`, `1h 30m`), never zero.
fn parse_duration(input: &str) -> Result<Duration, UsageError> {
    match humantime::parse_duration(input.trim()) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(UsageError::Duration {
            input: input.to_owned(),
        }),
    }
}

/// The instant ages are measured from: `--now` when given, else the real time.
fn now(pinned: Option<&str>, env: &Environment) -> Result<DateTime<Utc>, UsageError> {
    match pinned {
        Some(text) => text
            .parse::<Timestamp>()
            .map(|timestamp| timestamp.as_datetime())
            .map_err(|_| UsageError::Now {
                input: text.to_owned(),
            }),
        None => Ok(env.now),
    }
}

/// The subcommand with its arguments checked.
fn action(
    command: cli::Command,
    output: &Output<'_>,
    notes: &mut Vec<&'static str>,
) -> Result<Action, UsageError> {
    Ok(match command {
        cli::Command::Ls(args) => {
            let (options, render) = task_list(args.tasks, output, notes)?;
            Action::List { options, render }
        }
        cli::Command::Inspect(args) => {
            check_ids("task", &args.ids)?;
            let format = match args.format.as_deref() {
                Some(text) => object_format(text, notes)?,
                None => Format::Inspect,
            };
            let render = output.render(format, args.no_trunc, false);
            Action::Inspect {
                ids: args.ids,
                render,
            }
        }
        cli::Command::Service(cli::ServiceCommand::Ps(args)) => {
            check_ids("service", &args.services)?;
            let (options, render) = task_list(args.tasks, output, notes)?;
            Action::ServicePs {
                services: args.services,
                options,
                render,
            }
        }
        cli::Command::Node(cli::NodeCommand::Ps(args)) => {
            check_ids("node", &args.nodes)?;
            let (options, mut render) = task_list(args.tasks, output, notes)?;
            render.quiet_short_ids = true;
            Action::NodePs {
                nodes: args.nodes,
                options,
                render,
            }
        }
        cli::Command::Snapshot(args) => Action::Snapshot {
            dir: args.dir,
            redact: args.redact,
        },
        cli::Command::Version(args) => Action::Version {
            format: match args.format.as_deref() {
                Some(text) => object_format(text, notes)?,
                None => Format::Table,
            },
        },
        cli::Command::Completions(args) => Action::Completions { shell: args.shell },
        cli::Command::Watch(args) => {
            let filter = task_filter(&args.filters)?;
            Action::Watch(crate::commands::watch_action(
                args,
                filter,
                &output.monitor(),
                notes,
            )?)
        }
        cli::Command::Wait(args) => {
            check_ids("service", &args.services)?;
            Action::Wait(crate::commands::wait_action(args, &output.monitor())?)
        }
        cli::Command::Explain(args) => {
            check_ids("task or service", std::slice::from_ref(&args.target))?;
            Action::Explain(crate::commands::explain_action(args))
        }
        cli::Command::Logs(args) => {
            check_ids("task or service", &args.targets)?;
            if args.format.as_deref() == Some("ndjson") {
                notes.push(NDJSON_NOTE);
            }
            Action::Logs(crate::commands::logs::action(
                args,
                output.now,
                output.env.stdout_is_terminal,
            )?)
        }
        cli::Command::Ui(args) => Action::Ui(crate::ui::action(args, output.replay)?),
    })
}

/// A `--format` for rows: a name or a template whose placeholders rows have.
pub fn row_format(text: &str, notes: &mut Vec<&'static str>) -> Result<Format, UsageError> {
    check_len("--format", Some(text))?;
    let parsed = Format::parse(text)?;
    if parsed.used_alias {
        notes.push(NDJSON_NOTE);
    }
    if let Format::Template(template) = &parsed.format {
        crate::render::check_row_template(template)?;
    }
    Ok(parsed.format)
}

/// A `--format` for whole objects (`inspect`): a name, or a template taken as it is, as
/// `docker inspect` takes it.
pub fn object_format(text: &str, notes: &mut Vec<&'static str>) -> Result<Format, UsageError> {
    check_len("--format", Some(text))?;
    let parsed = Format::parse(text)?;
    if parsed.used_alias {
        notes.push(NDJSON_NOTE);
    }
    Ok(match parsed.format {
        Format::Template(_) => Format::Template(Template::parse_raw(text)?),
        other => other,
    })
}

/// The output-related globals, to build [`RenderOptions`] per subcommand.
struct Output<'a> {
    color: ColorWhen,
    now: DateTime<Utc>,
    env: &'a Environment,
    timeout: Option<Duration>,
    replay: bool,
}

impl Output<'_> {
    fn monitor(&self) -> crate::commands::MonitorGlobals {
        crate::commands::MonitorGlobals {
            timeout: self.timeout,
            replay: self.replay,
            stderr_is_terminal: self.env.stderr_is_terminal,
        }
    }

    fn render(&self, format: Format, no_trunc: bool, quiet: bool) -> RenderOptions {
        RenderOptions {
            color: use_color(self.color, &format, quiet, self.env),
            format,
            no_trunc,
            quiet,
            quiet_short_ids: false,
            now: self.now,
        }
    }
}

/// Decides on color: only for the table, `always` forces it, `auto` needs a terminal on
/// stdout, `NO_COLOR` unset or empty, and `TERM` other than `dumb`.
pub fn use_color(when: ColorWhen, format: &Format, quiet: bool, env: &Environment) -> bool {
    if !format.is_table() || quiet {
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
    notes: &mut Vec<&'static str>,
) -> Result<(PsOptions, RenderOptions), UsageError> {
    let filter = task_filter(&args.filters)?;
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
    let format = match args.output.format.as_deref() {
        Some(text) => row_format(text, notes)?,
        None => Format::Table,
    };
    let render = output.render(format, args.output.no_trunc, args.output.quiet);
    Ok((options, render))
}

/// `--filter` values into the daemon's filter, desired states checked.
fn task_filter(args: &[String]) -> Result<TaskFilter, UsageError> {
    let mut filter = TaskFilter::new();
    for arg in args {
        check_len("--filter", Some(arg))?;
        filter.push_arg(arg)?;
    }
    for state in filter.values(FilterKey::DesiredState) {
        if TaskState::from(state.trim().to_ascii_lowercase().as_str()).is_unknown() {
            return Err(UsageError::UnknownDesiredState {
                state: state.to_owned(),
            });
        }
    }
    Ok(filter)
}

fn parse_state(text: &str) -> Result<TaskState, UsageError> {
    check_len("--state", Some(text))?;
    let lower = text.trim().to_ascii_lowercase();
    let state = TaskState::from(lower.as_str());
    if state.is_unknown() {
        return Err(UsageError::UnknownState {
            state: text.to_owned(),
        });
    }
    Ok(state)
}

fn check_len(what: &'static str, value: Option<&str>) -> Result<(), UsageError> {
    match value {
        Some(text) if text.len() > MAX_INPUT_LEN => Err(UsageError::TooLong {
            what,
            len: text.len(),
        }),
        _ => Ok(()),
    }
}

fn check_ids(kind: &'static str, ids: &[String]) -> Result<(), UsageError> {
    for id in ids {
        if id.trim().is_empty() {
            return Err(UsageError::EmptyId { kind });
        }
        check_len(
            match kind {
                "task" => "a task id",
                "service" => "a service id or name",
                "task or service" => "a task or service id",
                _ => "a node id or name",
            },
            Some(id),
        )?;
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
#[path = "config_tests.rs"]
mod tests;
