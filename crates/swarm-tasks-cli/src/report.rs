//! How failures reach the user: `swarm-tasks: ` and the whole cause chain on one line, then a
//! `hint:` line when there is something to do about it, and the matching exit code.
//!
//! Messages carry daemon text (errors, names the user typed), so they are sanitized before
//! they reach the terminal.

use std::io::{self, Write};

use swarm_tasks::transport::Error as TransportError;
use swarm_tasks::transport::NotManagerReason;

use crate::config::UsageError;
use crate::exit::ExitCode;
use crate::run::DeadlineExceeded;
use crate::sanitize::for_message;

/// What to do about an ambiguous ID prefix.
const AMBIGUOUS_HINT: &str = "give more of the ID, or the whole name";

/// The prefix of every message.
pub const PREFIX: &str = "swarm-tasks: ";

/// Prints one argument that named nothing, in docker's words (`no such service: api`), or
/// the error itself (its whole chain) for anything else, such as an ambiguous prefix.
pub fn missing_line(err: &mut dyn Write, error: &TransportError) -> io::Result<()> {
    match error {
        TransportError::NotFound { kind, id } => {
            writeln!(err, "{PREFIX}no such {kind}: {}", for_message(id))
        }
        // The advice of the library's text moves to the hint; tasks, services and nodes alike.
        TransportError::Ambiguous { kind, id, matches } => {
            let count = match matches {
                0 => String::new(),
                n => format!(" ({n} matches found)"),
            };
            writeln!(
                err,
                "{PREFIX}{kind} {} is ambiguous{count}",
                for_message(id)
            )
        }
        other => error_line(err, other),
    }
}

/// Prints one line per listed object that did not decode (`swarm-tasks: cannot decode task
/// item 3 (ID x1): invalid type ...`), after the rows of those that did; the caller exits 1.
pub fn undecodable_lines<'a>(
    err: &mut dyn Write,
    items: impl IntoIterator<Item = &'a swarm_tasks::Undecodable>,
) -> io::Result<()> {
    for item in items {
        writeln!(err, "{PREFIX}{}", for_message(&item.to_string()))?;
    }
    Ok(())
}

/// Prints one line per argument that named nothing ([`missing_line`]), then one hint when
/// some were ambiguous.
pub fn missing_lines<'a>(
    err: &mut dyn Write,
    errors: impl IntoIterator<Item = &'a TransportError>,
) -> io::Result<()> {
    let mut ambiguous = false;
    for error in errors {
        ambiguous |= matches!(error, TransportError::Ambiguous { .. });
        missing_line(err, error)?;
    }
    if ambiguous {
        writeln!(err, "hint: {AMBIGUOUS_HINT}")?;
    }
    Ok(())
}

/// Prints one error (its whole chain) as `swarm-tasks: ...`.
pub fn error_line(
    err: &mut dyn Write,
    error: &(dyn std::error::Error + 'static),
) -> io::Result<()> {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    writeln!(err, "{PREFIX}{}", for_message(&text))
}

/// Where the failed command was pointed: the hint depends on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Situation {
    /// The command read a snapshot folder (`--replay`), not a daemon.
    pub replay: bool,
}

/// Prints a failed command's error and hint, and returns its exit code.
pub fn failure(err: &mut dyn Write, error: &anyhow::Error) -> ExitCode {
    failure_in(err, error, Situation::default())
}

/// [`failure`], with the hint fitted to where the command was pointed.
pub fn failure_in(err: &mut dyn Write, error: &anyhow::Error, situation: Situation) -> ExitCode {
    let exit_code = classify(error);
    // One wording for "not found", whichever layer noticed: `no such service: web`.
    let not_found = error.chain().find_map(|cause| {
        cause
            .downcast_ref::<TransportError>()
            .or_else(|| {
                cause
                    .downcast_ref::<swarm_tasks::Error>()
                    .and_then(swarm_tasks::Error::as_transport)
            })
            .filter(|transport| {
                matches!(
                    transport,
                    TransportError::NotFound { .. } | TransportError::Ambiguous { .. }
                )
            })
    });
    if let Some(not_found) = not_found {
        let _ = missing_line(err, not_found);
    } else {
        // Nothing useful can be done if stderr itself is gone.
        let _ = writeln!(err, "{PREFIX}{}", for_message(&format!("{error:#}")));
    }
    if let Some(hint) = hint(error, situation) {
        let _ = writeln!(err, "hint: {hint}");
    }
    exit_code
}

/// True when the error is a closed stdout (`swarm-tasks ls | head -1`): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let io_error = cause.downcast_ref::<io::Error>().or_else(|| match cause
            .downcast_ref::<crate::render::RenderError>(
        ) {
            Some(crate::render::RenderError::Io(io_error)) => Some(io_error),
            _ => None,
        });
        io_error.is_some_and(|io_error| io_error.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for an error, from the first cause in its chain that says.
pub fn classify(error: &anyhow::Error) -> ExitCode {
    for cause in error.chain() {
        if cause.is::<UsageError>() {
            return ExitCode::Usage;
        }
        if cause.is::<DeadlineExceeded>() {
            return ExitCode::Unavailable;
        }
        if let Some(facade) = cause.downcast_ref::<swarm_tasks::Error>() {
            return if facade.is_connection() {
                ExitCode::Unavailable
            } else if facade.is_config() {
                ExitCode::Usage
            } else {
                ExitCode::Failure
            };
        }
        if let Some(transport) = cause.downcast_ref::<TransportError>() {
            return classify_transport(transport);
        }
    }
    ExitCode::Failure
}

fn classify_transport(error: &TransportError) -> ExitCode {
    if error.is_connection() {
        ExitCode::Unavailable
    } else if error.is_config() {
        ExitCode::Usage
    } else {
        ExitCode::Failure
    }
}

/// What to do next, for the errors where we know.
fn hint(error: &anyhow::Error, situation: Situation) -> Option<&'static str> {
    for cause in error.chain() {
        if cause.is::<DeadlineExceeded>() {
            return Some("raise --timeout, or check that the daemon answers (`docker info`)");
        }
        let transport = cause
            .downcast_ref::<swarm_tasks::Error>()
            .and_then(swarm_tasks::Error::as_transport)
            .or_else(|| cause.downcast_ref::<TransportError>());
        if let Some(transport) = transport {
            return transport_hint(transport, situation);
        }
        if let Some(swarm_tasks::Error::NotFound { .. }) =
            cause.downcast_ref::<swarm_tasks::Error>()
        {
            return Some("`docker service ls` and `docker node ls` list what exists");
        }
    }
    None
}

fn transport_hint(error: &TransportError, situation: Situation) -> Option<&'static str> {
    match error {
        TransportError::NotManager { .. } if situation.replay => Some(
            "this snapshot was recorded from a node that is not a swarm manager: record one with `swarm-tasks snapshot` pointed at a manager",
        ),
        TransportError::NotManager { reason, .. } => Some(not_manager_hint(*reason)),
        TransportError::DaemonUnreachable { .. } => Some(
            "check -H/--host, --context and DOCKER_HOST; to work offline, use --replay DIR with a folder from `swarm-tasks snapshot`",
        ),
        TransportError::Timeout { .. } | TransportError::CliTimeout { .. } => {
            Some("raise --timeout, or check that the daemon answers (`docker info`)")
        }
        TransportError::PermissionDenied { .. } => {
            Some("add your user to the docker group (then log in again), or run with sudo")
        }
        TransportError::Ambiguous { .. } => Some("give more of the ID, or the whole name"),
        TransportError::NotDockerApi { .. } => Some(
            "-H/--host, --context or DOCKER_HOST must name a Docker Engine; `docker version` shows which one docker uses",
        ),
        TransportError::CliNotFound { program, .. }
            if program.file_name().is_some_and(|name| name == "ssh") =>
        {
            Some("install an ssh client (Debian's openssh-client) for ssh:// hosts")
        }
        TransportError::CliNotFound { .. } => {
            Some("install the docker CLI, or use --transport http")
        }
        _ => None,
    }
}

/// The one piece of advice for a node that cannot answer swarm queries, by why it cannot.
fn not_manager_hint(reason: NotManagerReason) -> &'static str {
    match reason {
        NotManagerReason::NotInSwarm => {
            "run `docker swarm init` or `docker swarm join`, or point -H/--host or --context at a manager"
        }
        NotManagerReason::Preparing => "the manager is starting: try again in a few seconds",
        NotManagerReason::Locked => "unlock the swarm with `docker swarm unlock`",
        NotManagerReason::ExpiredCertificates => {
            "rotate the node's certificates or rejoin the swarm"
        }
        _ => {
            "only swarm managers know the tasks: point -H/--host or --context at a manager (`docker node ls` on one lists them)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use swarm_tasks::transport::ObjectKind;

    #[test]
    fn exit_codes_by_error_class() {
        let not_manager = TransportError::NotManager {
            endpoint: "tcp://h:1".into(),
            reason: NotManagerReason::Worker,
            message: "This node is not a swarm manager.".into(),
        };
        assert_eq!(
            classify(&swarm_tasks::Error::from(not_manager).into()),
            ExitCode::Unavailable
        );
        let missing = swarm_tasks::Error::NotFound {
            kind: ObjectKind::Service,
            ids: vec!["nope".into()],
        };
        assert_eq!(classify(&missing.into()), ExitCode::Failure);
        let usage = UsageError::EmptyId { kind: "task" };
        assert_eq!(classify(&usage.into()), ExitCode::Usage);
        let deadline = DeadlineExceeded {
            after: Duration::from_secs(1),
        };
        assert_eq!(classify(&deadline.into()), ExitCode::Unavailable);
        let config = swarm_tasks::Error::Config {
            message: "x".into(),
        };
        assert_eq!(classify(&config.into()), ExitCode::Usage);
    }

    /// One hint per error, fitted to why the node cannot answer and to where the command
    /// was pointed; the message itself carries no advice.
    #[test]
    fn a_not_manager_error_gets_one_hint_that_fits() {
        let error = |reason| {
            anyhow::Error::from(swarm_tasks::Error::from(TransportError::NotManager {
                endpoint: "tcp://h:1".into(),
                reason,
                message: "This node is not a swarm manager.".into(),
            }))
        };
        let printed = |reason, situation| {
            let mut err = Vec::new();
            failure_in(&mut err, &error(reason), situation);
            String::from_utf8(err).unwrap()
        };
        let live = Situation::default();
        let replay = Situation { replay: true };
        for (reason, wanted) in [
            (
                NotManagerReason::Worker,
                "hint: only swarm managers know the tasks",
            ),
            (
                NotManagerReason::NotInSwarm,
                "hint: run `docker swarm init`",
            ),
            (NotManagerReason::Locked, "hint: unlock the swarm"),
            (NotManagerReason::Preparing, "hint: the manager is starting"),
        ] {
            let text = printed(reason, live);
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 2, "{text}");
            assert!(lines[1].starts_with(wanted), "{reason:?}: {text}");
            assert_eq!(text.matches("hint").count(), 1, "{text}");
            assert!(!lines[0].contains("-H"), "advice in the message: {text}");
        }
        let text = printed(NotManagerReason::Worker, replay);
        assert!(text.contains("hint: this snapshot was recorded"), "{text}");
        assert!(
            !text.contains("-H"),
            "a replay user is not told to point -H: {text}"
        );
    }

    /// A missing program gets the hint for the program that is missing: ssh for `ssh://`
    /// hosts (dialed directly), docker otherwise.
    #[test]
    fn a_missing_program_gets_the_hint_for_that_program() {
        let printed = |program: &str| {
            let error =
                anyhow::Error::from(swarm_tasks::Error::from(TransportError::CliNotFound {
                    program: program.into(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                }));
            let mut err = Vec::new();
            failure_in(&mut err, &error, Situation::default());
            String::from_utf8(err).unwrap()
        };
        let ssh = printed("/usr/bin/ssh");
        assert!(ssh.contains("install an ssh client"), "{ssh}");
        assert!(!ssh.contains("docker CLI"), "{ssh}");
        let docker = printed("docker");
        assert!(docker.contains("install the docker CLI"), "{docker}");
    }

    #[test]
    fn message_has_prefix_chain_and_hint() {
        let unreachable = TransportError::DaemonUnreachable {
            endpoint: "tcp://127.0.0.1:1".into(),
            source: Some(Box::new(io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "connection refused",
            ))),
        };
        let error = anyhow::Error::from(swarm_tasks::Error::from(unreachable));
        let mut err = Vec::new();
        let exit_code = failure(&mut err, &error);
        let text = String::from_utf8(err).unwrap();
        assert_eq!(exit_code, ExitCode::Unavailable);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0]
                .starts_with("swarm-tasks: cannot reach the docker daemon at tcp://127.0.0.1:1"),
            "{text}"
        );
        assert!(lines[0].ends_with(": connection refused"), "{text}");
        assert!(lines[1].starts_with("hint: "), "{text}");
    }

    #[test]
    fn daemon_text_is_sanitized() {
        let missing = TransportError::NotFound {
            kind: ObjectKind::Task,
            id: "x\x1b[31m".into(),
        };
        let mut err = Vec::new();
        error_line(&mut err, &missing).unwrap();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "swarm-tasks: task x[31m not found\n"
        );
        let mut err = Vec::new();
        missing_line(&mut err, &missing).unwrap();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "swarm-tasks: no such task: x[31m\n"
        );
    }

    #[test]
    fn broken_pipe_is_recognized() {
        let error = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&error));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
