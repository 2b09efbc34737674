//! The two tables of docs/cli.md that are not help text: what swarm-tasks does with each
//! flag of the docker commands it stands in for, and each command's `--format` values.
//!
//! They are data here, so tests check them against the clap definition and the format
//! parser, and xtask renders them into docs/cli.md.

/// One flag of a docker command and what swarm-tasks does with it.
#[derive(Debug, Clone, Copy)]
pub struct DockerFlag {
    /// The docker command (`service ps`).
    pub docker: &'static str,
    /// The flag as docker's help spells it (`-f, --filter`).
    pub flag: &'static str,
    /// Our command and long flag that take it, when one does (`("service ps", "filter")`).
    pub ours: Option<(&'static str, &'static str)>,
    /// What happens with it.
    pub note: &'static str,
}

const fn flag(
    docker: &'static str,
    flag: &'static str,
    ours: Option<(&'static str, &'static str)>,
    note: &'static str,
) -> DockerFlag {
    DockerFlag {
        docker,
        flag,
        ours,
        note,
    }
}

/// Every flag of `docker service ps`, `docker node ps`, `docker inspect` and `docker service
/// logs` (docker 28).
pub const DOCKER_FLAGS: &[DockerFlag] = &[
    flag(
        "service ps",
        "-f, --filter",
        Some(("service ps", "filter")),
        "same keys (`id`, `name`, `node`, `desired-state`) plus `service`, `label`, `runtime`; a `desired-state` that is not a task state is a usage error",
    ),
    flag(
        "service ps",
        "--format",
        Some(("service ps", "format")),
        "same: `table`, `json` (docker's row objects, byte for byte), Go templates with docker's placeholders and functions; also `inspect` (the full tasks)",
    ),
    flag(
        "service ps",
        "--no-resolve",
        Some(("service ps", "no-resolve")),
        "same",
    ),
    flag(
        "service ps",
        "--no-trunc",
        Some(("service ps", "no-trunc")),
        "same",
    ),
    flag(
        "service ps",
        "-q, --quiet",
        Some(("service ps", "quiet")),
        "same: full task IDs",
    ),
    flag(
        "node ps",
        "-f, --filter",
        Some(("node ps", "filter")),
        "as for `service ps`",
    ),
    flag(
        "node ps",
        "--format",
        Some(("node ps", "format")),
        "as for `service ps`",
    ),
    flag(
        "node ps",
        "--no-resolve",
        Some(("node ps", "no-resolve")),
        "same",
    ),
    flag(
        "node ps",
        "--no-trunc",
        Some(("node ps", "no-trunc")),
        "same",
    ),
    flag(
        "node ps",
        "-q, --quiet",
        Some(("node ps", "quiet")),
        "same: 12-character task IDs, full ones with `--no-trunc`",
    ),
    flag(
        "inspect",
        "-f, --format",
        Some(("inspect", "format")),
        "Go templates over the task, as docker's; `json` prints one task per line (docker prints one array on one line with sorted keys); `inspect`, the default, is docker's default output",
    ),
    flag(
        "inspect",
        "-s, --size",
        None,
        "not taken: tasks have no size",
    ),
    flag(
        "inspect",
        "--type",
        Some(("inspect", "type")),
        "`--type task` accepted; tasks are the only kind",
    ),
    flag(
        "service logs",
        "--details",
        Some(("logs", "details")),
        "same: the daemon's other attributes, sorted, before each line",
    ),
    flag(
        "service logs",
        "-f, --follow",
        Some(("logs", "follow")),
        "same; Ctrl-C ends it with exit 130; several targets in timestamp order (with `-t`) are held up to 100 ms to be put in order",
    ),
    flag(
        "service logs",
        "--no-resolve",
        Some(("logs", "no-resolve")),
        "same: service and node IDs instead of names",
    ),
    flag(
        "service logs",
        "--no-task-ids",
        Some(("logs", "no-task-ids")),
        "same",
    ),
    flag(
        "service logs",
        "--no-trunc",
        Some(("logs", "no-trunc")),
        "same: full task IDs",
    ),
    flag(
        "service logs",
        "--raw",
        Some(("logs", "raw")),
        "same: each line as the daemon sent it (with `-t` and `--details` their parts), no task prefix",
    ),
    flag(
        "service logs",
        "--since",
        Some(("logs", "since")),
        "same forms: an RFC 3339 time, Unix seconds, or a duration back from now",
    ),
    flag(
        "service logs",
        "-n, --tail",
        Some(("logs", "tail")),
        "same: a number of lines per task, or `all`; anything else is a usage error (docker reads it as `all`)",
    ),
    flag(
        "service logs",
        "-t, --timestamps",
        Some(("logs", "timestamps")),
        "same; lines of several targets then come in timestamp order",
    ),
];

/// One `--format` value of one command.
#[derive(Debug, Clone, Copy)]
pub struct FormatValue {
    /// The command (`ls`, `service ps`, ...).
    pub command: &'static str,
    /// The value (`TEMPLATE` for a Go template).
    pub value: &'static str,
    /// What it prints.
    pub prints: &'static str,
}

const fn value(command: &'static str, value: &'static str, prints: &'static str) -> FormatValue {
    FormatValue {
        command,
        value,
        prints,
    }
}

const ROW_COMMANDS: &str = "ls, service ps, node ps";

/// Every `--format` value of every command.
pub const FORMAT_VALUES: &[FormatValue] = &[
    value(
        ROW_COMMANDS,
        "table",
        "docker's table (the default), byte for byte",
    ),
    value(
        ROW_COMMANDS,
        "json",
        "one object per row with docker's keys `CurrentState`, `DesiredState`, `Error`, `ID`, `Image`, `Name`, `Node`, `Ports`, as `docker service ps --format json`",
    ),
    value(
        ROW_COMMANDS,
        "ndjson",
        "`json`, with a note on stderr (the old name, kept for one release)",
    ),
    value(
        ROW_COMMANDS,
        "inspect",
        "the full task objects as the daemon sent them, one array indented like `docker inspect`",
    ),
    value(
        ROW_COMMANDS,
        "TEMPLATE",
        "a Go template per row over docker's placeholders (`{{.Name}}`, `{{json .}}`); `table TEMPLATE` adds headers and aligns columns",
    ),
    value(
        "inspect",
        "inspect",
        "the full task objects, one array indented like `docker inspect` (the default)",
    ),
    value("inspect", "json", "one full task object per line"),
    value("inspect", "table", "the tasks as `service ps` rows"),
    value(
        "inspect",
        "TEMPLATE",
        "a Go template per task over the whole object as the daemon sent it (`{{.Status.State}}`, `{{json .Status}}`); a field the daemon left out is an error, where docker prints its Go zero value",
    ),
    value(
        "version",
        "(none)",
        "client and engine versions laid out like `docker version`",
    ),
    value("version", "json", "the version object on one line"),
    value(
        "watch",
        "(none)",
        "one line per task event: when, `name`, short ID, and what changed, with the exit code and the whole error of a failure",
    ),
    value(
        "watch",
        "json",
        "one object per event per line: `event` (`initial`, `added`, `state_changed`, `removed`, `synced`), `name`, and the task (see docs/monitoring.md)",
    ),
    value("watch", "ndjson", "`json`, with a note on stderr"),
    value(
        "wait",
        "(none)",
        "progress bars on a terminal, else one line per change on stderr; the result per service on stdout",
    ),
    value(
        "explain",
        "(none)",
        "the reasons as sentences, the daemon's error text whole",
    ),
    value("explain", "json", "the explanation as one object"),
    value(
        "logs",
        "(none)",
        "docker's layout, `service.slot.taskid@node    | line`; task stderr lines on stderr",
    ),
    value(
        "logs",
        "json",
        "one object per line on stdout: `timestamp`, `stream`, `task_id`, `service_id`, `service`, `slot`, `node_id`, `node`, `details`, `line` (invalid UTF-8 as U+FFFD)",
    ),
    value("logs", "ndjson", "`json`, with a note on stderr"),
    value(
        "version",
        "TEMPLATE",
        "a Go template over the version object (`{{.Server.Version}}`)",
    ),
];

/// Both tables as markdown, for docs/cli.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "\n## docker's flags\n\nEvery flag of the docker commands swarm-tasks stands in for, and what it does here.\n\n| docker command | flag | swarm-tasks |\n|---|---|---|\n",
    );
    for row in DOCKER_FLAGS {
        let ours = match row.ours {
            Some((command, long)) => format!("`swarm-tasks {command} --{long}`: {}", row.note),
            None => row.note.to_owned(),
        };
        out.push_str(&format!(
            "| `docker {}` | `{}` | {ours} |\n",
            row.docker, row.flag
        ));
    }
    out.push_str("\n## `--format` values\n\n| command | `--format` | prints |\n|---|---|---|\n");
    for row in FORMAT_VALUES {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            row.command, row.value, row.prints
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Environment, RunConfig};

    fn find<'a>(command: &'a clap::Command, path: &str) -> &'a clap::Command {
        path.split(' ').fold(command, |command, name| {
            command.find_subcommand(name).unwrap()
        })
    }

    #[test]
    fn our_flags_exist() {
        let command = crate::cli::command();
        for row in DOCKER_FLAGS {
            if let Some((path, long)) = row.ours {
                let sub = find(&command, path);
                assert!(
                    sub.get_arguments().any(|arg| arg.get_long() == Some(long)),
                    "swarm-tasks {path} has no --{long}"
                );
            }
        }
    }

    #[test]
    fn every_format_value_is_accepted_by_its_commands() {
        for row in FORMAT_VALUES {
            for command in row.command.split(", ") {
                let mut argv: Vec<&str> = vec!["swarm-tasks"];
                argv.extend(command.split(' '));
                match command {
                    "service ps" => argv.push("web"),
                    "inspect" => argv.push("abc"),
                    "wait" | "explain" | "logs" => argv.push("web"),
                    _ => {}
                }
                let template = "{{.ID}}";
                match row.value {
                    "(none)" => {}
                    "TEMPLATE" if command == "version" => {
                        argv.extend(["--format", "{{.Client.Version}}"])
                    }
                    "TEMPLATE" => argv.extend(["--format", template]),
                    other => argv.extend(["--format", other]),
                }
                let cli = crate::cli::try_parse_from(&argv).unwrap();
                RunConfig::from_cli(cli, &Environment::default())
                    .unwrap_or_else(|error| panic!("{argv:?}: {error}"));
            }
        }
    }
}
