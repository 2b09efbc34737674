//! Builds `docs/cli.md`, the command-line reference: the long help of `swarm-tasks` and of
//! every subcommand, rendered by clap from the CLI's own definitions.
//!
//! The definitions are `swarm_tasks_cli::cli::command()` (the CLI is a library as well as a
//! binary), so a flag's doc is written once and the reference cannot drift.
//! Help is rendered at terminal width 0 (no wrapping), so the text is the same everywhere.

use clap::Command;

/// The whole markdown page for `command` (the CLI's `cli::command()`), header included.
pub fn render(command: Command) -> String {
    // Width 0: source formatting, even if a build enables `wrap_help` through feature
    // unification, so the page is the same on every terminal and in every build.
    let mut command = command.term_width(0);
    command.build();
    let mut out = String::from(super::MARKDOWN_HEADER);
    out.push_str(
        "\n# Command-line reference\n\n\
         What `swarm-tasks --help` and `swarm-tasks help <command>` print, for every command.\n\
         Generated from the clap definitions in `crates/swarm-tasks-cli/src/cli.rs`.\n",
    );
    let name = command.get_name().to_owned();
    section(&mut command, &name, &mut out);
    out
}

/// docs/cli.md: the help of every command, then the docker-flags and `--format` tables.
pub fn page() -> String {
    let mut out = render(swarm_tasks_cli::cli::command());
    out.push_str(&swarm_tasks_cli::docs::markdown());
    out
}

/// Appends the help of `command` (known to users as `path`) and then of its subcommands.
fn section(command: &mut Command, path: &str, out: &mut String) {
    let help = command.render_long_help().to_string();
    out.push_str(&format!("\n## `{path}`\n\n```text\n"));
    for line in help.trim_end().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("```\n");
    for sub in command.get_subcommands_mut() {
        if sub.get_name() == "help" {
            continue;
        }
        let sub_path = format!("{path} {}", sub.get_name());
        section(sub, &sub_path, out);
    }
}

#[cfg(test)]
mod tests {
    use clap::{Arg, Command};

    #[test]
    fn renders_every_subcommand_with_its_path() {
        let command = Command::new("tool").about("A tool.").subcommand(
            Command::new("service").about("Services.").subcommand(
                Command::new("ps")
                    .about("List tasks.")
                    .arg(Arg::new("name")),
            ),
        );
        let page = super::render(command);
        assert!(page.starts_with(super::super::MARKDOWN_HEADER));
        for heading in ["## `tool`", "## `tool service`", "## `tool service ps`"] {
            assert!(page.contains(heading), "{heading} in {page}");
        }
        assert!(page.contains("Usage: tool service ps [name]"), "{page}");
        assert!(!page.contains("## `tool help`"), "{page}");
    }
}
