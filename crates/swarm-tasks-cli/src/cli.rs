//! The command line as clap sees it: every subcommand and flag, with its help text.
//!
//! This is the first of two parsing stages. clap checks only the shape of the command line
//! here and keeps values raw (filters, states and durations stay strings), so that
//! [`crate::config`] can validate them with one-line errors of our own and turn them into a
//! run configuration. Help, completions and the CLI reference are all generated from these
//! definitions, so a flag's doc is written once, here.
//!
//! `cargo xtask codegen` renders docs/cli.md from [`command`]: after changing a help text, run
//! `cargo xtask codegen`.

use std::path::PathBuf;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use swarm_tasks::TransportKind;

use crate::exit::ExitCode;
use crate::format::FormatValueParser;

/// `swarm-tasks`: Docker Swarm tasks, listed and inspected the way `docker service ps` shows
/// them, with lossless JSON and fewer round trips.
#[derive(Debug, Parser)]
#[command(
    name = "swarm-tasks",
    version,
    about = "List and inspect Docker Swarm tasks: docker service ps and node ps, with lossless JSON",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options that apply to every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Builds the clap `Command` as parsed: [`completion_command`] plus the hidden `--now`.
///
/// Use this (not `Cli::command()`) for parsing and generated docs, so they carry the same
/// help; parse with [`try_parse_from`] or [`from_matches`] so that `--now` is read.
pub fn command() -> clap::Command {
    // Hidden, and kept out of the completion scripts (which list hidden flags too).
    let now = clap::Arg::new(NOW)
        .long(NOW)
        .global(true)
        .hide(true)
        .env("SWARM_TASKS_NOW")
        .hide_env(true)
        .value_name("RFC3339")
        .help("Take this RFC 3339 instant as \"now\" when printing ages (reproducible output)");
    finish(Cli::command().arg(now))
}

/// The command users see, for help and completion scripts: every subcommand and flag, the
/// exit-code table in every command's long help, without the hidden `--now`.
pub fn completion_command() -> clap::Command {
    finish(Cli::command())
}

/// Adds the examples and exit codes to every help, and takes the global flags away from
/// `completions`, where they mean nothing (so neither its help nor the scripts offer them).
fn finish(command: clap::Command) -> clap::Command {
    let mut command = add_epilogues(command, "");
    let about = command
        .find_subcommand("completions")
        .and_then(|sub| sub.get_about().cloned());
    command.build();
    command.mut_subcommand("completions", |_| {
        let sub = CompletionsArgs::augment_args(clap::Command::new("completions"))
            .bin_name("swarm-tasks completions");
        let mut sub = add_epilogues(sub, "completions");
        if let Some(about) = about {
            sub = sub.about(about);
        }
        sub.build();
        sub
    })
}

/// Examples for each command (its path below `swarm-tasks`, `""` for the top level). Each
/// one runs in a test (`tests/cli/help.rs`), over the sample swarm.
pub fn examples(path: &str) -> &'static [&'static str] {
    match path {
        "" => &[
            "swarm-tasks service ps web",
            "swarm-tasks ls --state failed --latest",
            "swarm-tasks --replay ./bug-report node ps node-2",
        ],
        "ls" => &[
            "swarm-tasks ls --state failed --state rejected",
            "swarm-tasks ls --latest --format 'table {{.Name}}\\t{{.CurrentState}}'",
            "swarm-tasks ls --filter desired-state=running --format json",
        ],
        "inspect" => &[
            "swarm-tasks inspect f6jgceuinelr",
            "swarm-tasks inspect f6jgceuinelr -f '{{.Status.State}} {{json .Status.ContainerStatus}}'",
            "swarm-tasks inspect --type task f6jgceuinelr --format json",
        ],
        "service" | "service ps" => &[
            "swarm-tasks service ps web",
            "swarm-tasks service ps web broken --no-trunc --filter desired-state=shutdown",
            "swarm-tasks service ps web --format '{{.Name}} {{.Node}} {{.CurrentState}}'",
        ],
        "node" | "node ps" => &[
            "swarm-tasks node ps node-2",
            "swarm-tasks node ps node-2 -q",
            "swarm-tasks node ps node-2 --format json",
        ],
        "snapshot" => &[
            "swarm-tasks snapshot --redact ./bug-report",
            "swarm-tasks --replay ./bug-report service ps web",
        ],
        "version" => &["swarm-tasks version", "swarm-tasks version --format json"],
        "watch" => &[
            "swarm-tasks watch --filter service=web",
            "swarm-tasks --timeout 10m watch --format json",
        ],
        "wait" => &[
            "swarm-tasks wait web broken",
            "swarm-tasks --timeout 5m wait web --stable 10s --rollback-ok",
        ],
        "explain" => &[
            "swarm-tasks explain broken",
            "swarm-tasks explain web --format json",
        ],
        "logs" => &[
            "swarm-tasks logs web",
            "swarm-tasks logs --tail 20 --timestamps web monitor",
            "swarm-tasks logs --since 10m --format json web",
        ],
        "completions" => &[
            "swarm-tasks completions bash > ~/.local/share/bash-completion/completions/swarm-tasks",
            "swarm-tasks completions zsh > ~/.zfunc/_swarm-tasks",
        ],
        _ => &[],
    }
}

/// The "Examples:" block for `path`.
fn examples_text(path: &str) -> String {
    if examples(path).is_empty() {
        return String::new();
    }
    let mut text = String::from("Examples:\n");
    for example in examples(path) {
        text.push_str("  $ ");
        text.push_str(example);
        text.push('\n');
    }
    text
}

/// Ends the short help with the examples and the long help with the exit codes and then the
/// examples, for `command` and its subcommands.
fn add_epilogues(command: clap::Command, path: &str) -> clap::Command {
    let mut command = command.after_long_help(format!(
        "{}\n{}",
        ExitCode::help_table(),
        examples_text(path)
    ));
    if !examples(path).is_empty() {
        command = command.after_help(examples_text(path));
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    names.into_iter().fold(command, |command, name| {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command.mut_subcommand(name, |sub| add_epilogues(sub, &sub_path))
    })
}

/// The id of the hidden `--now` argument.
const NOW: &str = "now";

/// Builds a [`Cli`] from matches of [`command`], `--now` included.
pub fn from_matches(matches: &clap::ArgMatches) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut cli = Cli::from_arg_matches(matches)?;
    cli.global.now = matches.get_one::<String>(NOW).cloned();
    Ok(cli)
}

/// Parses `args` (the program name first) with [`command`].
pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    from_matches(&command().try_get_matches_from(args)?)
}

/// Options that apply to every subcommand: where the daemon is and how to talk to it, and
/// how to print.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Daemon to connect to: unix:///path, tcp://host:port, or ssh://user@host with the cli transport.
    /// Default: DOCKER_HOST, then the current docker context, then unix:///var/run/docker.sock.
    #[arg(short = 'H', long, global = true, value_name = "HOST")]
    pub host: Option<String>,

    /// Name of the docker context to use (overrides DOCKER_HOST and `docker context use`)
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// How to reach the daemon
    #[arg(long, global = true, value_enum, default_value_t = TransportArg::Auto, value_name = "KIND")]
    pub transport: TransportArg,

    /// Read a snapshot folder (written by `swarm-tasks snapshot`) instead of asking a daemon
    #[arg(long, global = true, value_name = "DIR")]
    pub replay: Option<PathBuf>,

    /// Give up when the command takes longer than this: 500ms, 30s, 2m, 1h30m, 1h 30m ...
    /// For `wait`, the deadline of the whole wait (default 10m; exit 4 when it passes); for
    /// `watch`, how long to watch (exit 0)
    #[arg(long, global = true, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// When to color the table output (json, inspect and templates are never colored)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Log to stderr: -v info, -vv debug, -vvv trace (RUST_LOG, when set, wins)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// `--now` / `SWARM_TASKS_NOW`: the instant ages are measured from (hidden; see
    /// [`command`], which adds it outside the derive so completions do not offer it).
    #[arg(skip)]
    pub now: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the tasks of every service (docker service ps over the whole swarm)
    #[command(visible_alias = "list")]
    Ls(ListArgs),

    /// Print tasks as JSON, exactly as `docker inspect --type task` does, or through a template
    Inspect(InspectArgs),

    /// Service commands
    #[command(subcommand)]
    Service(ServiceCommand),

    /// Node commands
    #[command(subcommand)]
    Node(NodeCommand),

    /// Record the swarm's tasks, services and nodes into a folder, for --replay and bug reports
    Snapshot(SnapshotArgs),

    /// Print this client's version and API version, and the engine's (like docker version)
    Version(VersionArgs),

    /// Print a shell completion script to stdout
    Completions(CompletionsArgs),

    /// Print task transitions as they happen (added, state changes, removed), one line each
    Watch(WatchArgs),

    /// Wait until services have converged; fail on a paused update, a rollback or failing tasks
    Wait(WaitArgs),

    /// Say in plain words why a task, or each slot of a service, is not running
    Explain(ExplainArgs),

    /// Fetch the logs of services or tasks, in docker service logs' layout
    Logs(LogsArgs),

    /// Serve a live, read-only picture of the swarm to a browser (one column per node)
    #[command(long_about = UI_ABOUT)]
    Ui(UiArgs),
}

/// The long help of `ui`: what it serves and how it is protected.
const UI_ABOUT: &str =
    "Serve a live, read-only picture of the swarm to a browser: one column per node with its \
task cards, unplaced tasks in a column of their own, the services across the top, a filter box \
and a legend; a click on a task shows explain's text, its error, its last log lines and its \
JSON. One shared poller lists tasks, services and nodes every 1 to 4s (sooner while tasks \
change) and pushes each change to every open page (server-sent events): the daemon sees the \
same requests whatever the number of pages. When the daemon cannot be reached the page says \
so, keeps the last picture and recovers by itself. With --replay DIR it serves the snapshot.

Safety: only GET requests exist and none changes the swarm. It listens on 127.0.0.1:7878 \
unless --listen says otherwise, and without a token it answers only requests addressed to an \
IP address or localhost. On any other address every request needs a token: one is generated \
(or taken from --token) and printed in the URL as ?token=...; the server answers that request \
with an HttpOnly, SameSite=Strict cookie the page then uses. Requests with neither the token \
nor the cookie get 401. Daemon texts are shown as text, never as HTML, a \
Content-Security-Policy forbids inline scripts and other origins, and Env values, secrets and \
configs are only sent inside a task's JSON view. A port already in use is a one-line error \
(exit 1).";

/// `swarm-tasks service ...`
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// List the tasks of one or more services (like docker service ps)
    Ps(ServicePsArgs),
}

/// `swarm-tasks node ...`
#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// List the tasks on one or more nodes, this node by default (like docker node ps)
    Ps(NodePsArgs),
}

/// Arguments of `ls`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tasks and how to print them.
    #[command(flatten)]
    pub tasks: TaskListArgs,
}

/// Arguments of `service ps`.
#[derive(Debug, Args)]
pub struct ServicePsArgs {
    /// Service names, IDs or unique ID prefixes
    #[arg(required = true, value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Which tasks and how to print them.
    #[command(flatten)]
    pub tasks: TaskListArgs,
}

/// Arguments of `node ps`.
#[derive(Debug, Args)]
pub struct NodePsArgs {
    /// Node hostnames, IDs or unique ID prefixes, or `self` (the default)
    #[arg(value_name = "NODE")]
    pub nodes: Vec<String>,
    /// Which tasks and how to print them.
    #[command(flatten)]
    pub tasks: TaskListArgs,
}

/// Selection and output flags shared by `ls`, `service ps` and `node ps`.
#[derive(Debug, Args)]
pub struct TaskListArgs {
    /// Filter tasks by KEY=VALUE (repeatable; values of one key are OR'ed, every label must
    /// match, keys are AND'ed). Keys: id, name, service, node, label, desired-state, runtime
    #[arg(short = 'f', long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,

    /// Only tasks whose current state is STATE (repeatable): running, failed, pending ...
    #[arg(long = "state", value_name = "STATE")]
    pub states: Vec<String>,

    /// Only the newest task of each slot (hide the history of restarts and updates)
    #[arg(long)]
    pub latest: bool,

    /// Print service and node IDs instead of resolving them to names
    #[arg(long)]
    pub no_resolve: bool,

    /// Output flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Task IDs, unique ID prefixes or internal names (service.slot.id)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,

    /// inspect (the full tasks as one JSON array, the default), json (one task per line),
    /// table, or a Go template over each task: '{{.Status.State}}', '{{json .Status}}'.
    /// inspect, json and templates print the daemon's data as it is, Env values included
    #[arg(short = 'f', long, value_name = "FORMAT", value_parser = FormatValueParser)]
    pub format: Option<String>,

    /// The kind of object, as docker's `--type`: only tasks are known here
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub object_type: Option<ObjectType>,

    /// Do not truncate IDs, images and errors in the table format
    #[arg(long)]
    pub no_trunc: bool,
}

/// The object kinds `inspect --type` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectType {
    /// Swarm tasks
    Task,
}

/// How `ls`, `service ps` and `node ps` print.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// table (the default), json (docker's row objects, one per line), inspect (the full
    /// tasks as one JSON array, the daemon's data as it is, Env values included), or a Go
    /// template: '{{.Name}} {{.Node}}', 'table {{.ID}}\t{{.CurrentState}}'
    #[arg(long, value_name = "FORMAT", value_parser = FormatValueParser)]
    pub format: Option<String>,

    /// Do not truncate IDs, images and errors
    #[arg(long)]
    pub no_trunc: bool,

    /// Only print task IDs (12 characters, full with --no-trunc; one per line)
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Folder to write tasks.json, services.json, nodes.json, info.json and logs.json (the
    /// last 50 lines of each task) into (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace every environment value (and any secret or config data) with `<redacted>`,
    /// keeping the names, and leave out the tasks' last log lines: for snapshots you share.
    /// Without it, the snapshot records the Env values the daemon sent (a warning says so).
    #[arg(long)]
    pub redact: bool,
}

/// Arguments of `version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// json (one line), or a Go template over the version object: '{{.Server.Version}}'
    #[arg(short = 'f', long, value_name = "FORMAT", value_parser = FormatValueParser)]
    pub format: Option<String>,
}

/// Arguments of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only tasks matching KEY=VALUE (repeatable), as for `ls`: id, name, service, node,
    /// label, desired-state, runtime
    #[arg(short = 'f', long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,

    /// Output: one line per event for people (the default), or json (one object per event
    /// per line, including a `synced` object after each poll; ndjson is an alias)
    #[arg(long, value_name = "FORMAT", value_parser = ["json", "ndjson"])]
    pub format: Option<String>,
}

/// Arguments of `wait`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Service names, IDs or unique ID prefixes
    #[arg(required = true, value_name = "SERVICE")]
    pub services: Vec<String>,

    /// How long counted tasks must keep running before a service counts as converged
    /// [default: the service's update monitor period, else 5s]
    #[arg(long, value_name = "DURATION")]
    pub stable: Option<String>,

    /// Accept a rollback as the end of the update instead of failing
    #[arg(long)]
    pub rollback_ok: bool,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A service (name, ID or unique ID prefix) or a task (ID, prefix or internal name); a
    /// service wins when both match
    #[arg(value_name = "TASK|SERVICE")]
    pub target: String,

    /// Show the last N log lines of each failed, rejected or restarting task (0: none)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub log_lines: u64,

    /// Output: sentences for people (the default), or json (one object)
    #[arg(long, value_name = "FORMAT", value_parser = ["json"])]
    pub format: Option<String>,
}

/// Arguments of `logs`: docker service logs' flags and meanings.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Services (name, ID or unique ID prefix) or tasks (ID or unique ID prefix); a
    /// service wins when both match
    #[arg(required = true, value_name = "TASK|SERVICE")]
    pub targets: Vec<String>,

    /// Follow log output (Ctrl-C ends it)
    #[arg(short, long)]
    pub follow: bool,

    /// Number of lines to show from the end of the logs of each task, or all
    #[arg(short = 'n', long, value_name = "LINES", default_value = "all")]
    pub tail: String,

    /// Show logs since a timestamp (2013-01-02T13:23:37Z, or Unix seconds 1357133017.5) or
    /// for a duration back from now (42m, 1h30m)
    #[arg(long, value_name = "SINCE")]
    pub since: Option<String>,

    /// Show timestamps; lines of several targets then come in timestamp order
    #[arg(short, long)]
    pub timestamps: bool,

    /// Show extra details provided to logs
    #[arg(long)]
    pub details: bool,

    /// Do not map IDs to Names in output
    #[arg(long)]
    pub no_resolve: bool,

    /// Do not include task IDs in output
    #[arg(long)]
    pub no_task_ids: bool,

    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,

    /// Do not neatly format logs: each line as the daemon sent it, without the task prefix
    #[arg(long)]
    pub raw: bool,

    /// Output: docker's layout for people (the default; task stderr lines go to stderr), or
    /// json (one object per line, on stdout; ndjson is an alias)
    #[arg(long, value_name = "FORMAT", value_parser = ["json", "ndjson"])]
    pub format: Option<String>,
}

/// Arguments of `ui`.
#[derive(Debug, Args)]
pub struct UiArgs {
    /// The address to listen on; any address but loopback requires the token
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub listen: String,

    /// Open the page in the default browser
    #[arg(long)]
    pub open: bool,

    /// The token requests must carry (default: generated when --listen is not loopback)
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate the script for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// When to color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Color when stdout is a terminal, NO_COLOR is unset or empty and TERM is not dumb
    Auto,
    /// Always color the table, even into a pipe
    Always,
    /// Never color
    Never,
}

/// Transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// The Engine API for unix:// and tcp:// hosts, the docker CLI for ssh:// and contexts it cannot read
    Auto,
    /// Always the Engine API over HTTP (fewest round trips)
    Http,
    /// Always run the docker binary (its contexts, ssh and TLS settings work as they do for docker)
    Cli,
}

/// The one mapping from the flag to the facade's transport choice.
impl From<TransportArg> for TransportKind {
    fn from(arg: TransportArg) -> Self {
        match arg {
            TransportArg::Auto => TransportKind::Auto,
            TransportArg::Http => TransportKind::Http,
            TransportArg::Cli => TransportKind::Cli,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn help_lists_exit_codes() {
        let help = command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"), "{help}");
        assert!(help.contains("130"), "{help}");
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = try_parse_from([
            "swarm-tasks",
            "service",
            "ps",
            "web",
            "-H",
            "tcp://x:1",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.global.host.as_deref(), Some("tcp://x:1"));
        assert_eq!(cli.global.verbose, 2);
        let Command::Service(ServiceCommand::Ps(args)) = cli.command else {
            panic!("not service ps")
        };
        assert_eq!(args.services, ["web"]);
    }

    #[test]
    fn repeatable_filters_and_states() {
        let cli = try_parse_from([
            "swarm-tasks",
            "ls",
            "-f",
            "service=web",
            "--filter",
            "node=n1",
            "--state",
            "running",
            "--state",
            "failed",
            "--format",
            "ndjson",
        ])
        .unwrap();
        let Command::Ls(args) = cli.command else {
            panic!("not ls")
        };
        assert_eq!(args.tasks.filters, ["service=web", "node=n1"]);
        assert_eq!(args.tasks.states, ["running", "failed"]);
        assert_eq!(args.tasks.output.format.as_deref(), Some("ndjson"));
    }
}
