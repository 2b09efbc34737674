//! The process around a run: parse the arguments, validate them, start the runtime, run with
//! Ctrl-C handling, and turn the outcome into an exit code.

use std::io::{self, BufWriter, IsTerminal, Write};

use clap::error::ErrorKind;

use crate::cli::Cli;
use crate::config::{Environment, RunConfig};
use crate::exit::ExitCode;
use crate::{cli, report, run, sanitize};

/// Runs `swarm-tasks` with the process's arguments and environment; returns the exit code.
pub fn main() -> ExitCode {
    // Not locked: a transport's blocking thread may log to stderr while we wait for it.
    let mut err = io::stderr();
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(exit_code) => return exit_code,
    };
    let config = match RunConfig::from_cli(cli, &Environment::from_process()) {
        Ok(config) => config,
        Err(usage) => return report::failure(&mut err, &usage.into()),
    };
    for note in &config.notes {
        let _ = writeln!(err, "{note}");
    }
    init_tracing(config.verbosity);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let error = anyhow::Error::from(error).context("cannot start the async runtime");
            return report::failure(&mut err, &error);
        }
    };
    let situation = report::Situation {
        replay: config.connection.replay.is_some(),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let outcome = runtime.block_on(async {
        tokio::select! {
            // Polled in order: the Ctrl-C handler is installed before any work starts.
            biased;
            () = interrupted() => None,
            result = run::run(config, &mut out, &mut err) => Some(result),
        }
    });
    let Some(result) = outcome else {
        // Ctrl-C: what was printed stays printed; exit like a shell would report SIGINT.
        let _ = out.flush();
        return ExitCode::Interrupted;
    };
    let result = result.and_then(|exit_code| {
        out.flush()?;
        Ok(exit_code)
    });
    match result {
        Ok(exit_code) => exit_code,
        Err(error) if report::is_broken_pipe(&error) => ExitCode::Ok,
        Err(error) => {
            // Show whatever data came before the error, then the error.
            let _ = out.flush();
            report::failure_in(&mut err, &error, situation)
        }
    }
}

/// Parses the command line; `--help` and `--version` print and exit 0, mistakes exit 2.
fn parse_args() -> Result<Cli, ExitCode> {
    let parsed = cli::command()
        .try_get_matches()
        .and_then(|matches| cli::from_matches(&matches));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(error) => {
            let exit_code = match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::Ok,
                _ => ExitCode::Usage,
            };
            match usage_lines(&error) {
                Some((message, hint)) => {
                    eprintln!("{}{}", report::PREFIX, sanitize::for_message(&message));
                    eprintln!("hint: {}", sanitize::for_message(&hint));
                }
                // Help and version (and help for a bare `service`): clap's own text.
                // If even printing fails there is nothing left to tell anyone.
                None => {
                    let _ = error.print();
                }
            }
            Err(exit_code)
        }
    }
}

/// clap's error as our one line and a hint, or `None` for help and version output.
///
/// clap's message spans several lines (the error, a tip, the usage, "For more information");
/// ours is the error on one line and what to do on the `hint:` line: clap's tip or possible
/// values when it has them, else where the help is.
fn usage_lines(error: &clap::Error) -> Option<(String, String)> {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    let text = error.render().to_string();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let first = lines.first().copied().unwrap_or_default();
    let usage_of = lines
        .iter()
        .find_map(|line| line.strip_prefix("Usage: "))
        .map(|usage| {
            usage
                .split(' ')
                .take_while(|word| !word.starts_with(['[', '<']))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "swarm-tasks".to_owned());
    let message = unknown_argument_line(error).unwrap_or_else(|| {
        let mut message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
        // "the following required arguments were not provided:" lists them below.
        if message.ends_with(':') {
            for line in lines.iter().skip(1).take_while(|line| !line.is_empty()) {
                message.push(' ');
                message.push_str(line);
            }
        }
        message
    });
    let hint = lines
        .iter()
        .find_map(|line| line.strip_prefix("tip: "))
        // clap's `--` advice would only move the problem: ids never start with '-'.
        .filter(|tip| !tip.contains("use '--"))
        .map(str::to_owned)
        .or_else(|| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix("[possible values: "))
                .map(|values| format!("possible values: {}", values.trim_end_matches(']')))
        })
        .unwrap_or_else(|| format!("see `{usage_of} --help`"));
    Some((message, hint))
}

/// One line for an unknown flag, which is most often an id that starts with `-`: clap's own
/// message spans five lines and suggests `--`, which would only move the problem.
fn unknown_argument_line(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if error.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(flag)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    // clap names one letter of a cluster (`-a` of `-abc`); show what was typed.
    let typed = std::env::args()
        .skip(1)
        .find(|arg| arg.starts_with(flag.as_str()))
        .unwrap_or_else(|| flag.clone());
    Some(format!(
        "unexpected argument {:?}: no such flag here, and ids and names never start with '-'",
        sanitize::for_terminal(&typed)
    ))
}

/// Resolves when Ctrl-C is pressed; never, if the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Logs go to stderr: `RUST_LOG` when set, else by `-v` count (none by default).
fn init_tracing(verbosity: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => EnvFilter::new(directives),
        _ => EnvFilter::new(match verbosity {
            0 => "off",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}
