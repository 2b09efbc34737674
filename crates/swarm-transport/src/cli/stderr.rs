//! Turns what the `docker` client prints on stderr into the same typed [`Error`]s the HTTP
//! transport returns, so callers never match on message text themselves.
//!
//! The client prints daemon errors as `Error response from daemon: <message>` and its own as
//! `Error: <message>` or bare text; per-object failures of `inspect` come one per line.

use std::fmt;

use crate::error::{Error, NotManagerReason, ObjectKind};

/// What the client printed, kept as the cause of connection errors.
#[derive(Debug)]
pub(crate) struct CliMessage(pub(crate) String);

impl fmt::Display for CliMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliMessage {}

/// Where a command ran, for the error it may produce.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorContext<'a> {
    /// The transport's endpoint description (`tcp://h:p`, `docker --context prod`).
    pub(crate) endpoint: &'a str,
    /// The command line, for [`Error::CliFailed`] and decode errors.
    pub(crate) command: &'a str,
    /// The exit code, if the process exited.
    pub(crate) exit_code: Option<i32>,
}

/// Strips the prefixes the client puts before a message.
pub(crate) fn strip_prefix(line: &str) -> &str {
    let line = line.trim();
    for prefix in ["Error response from daemon: ", "Error: ", "error: "] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return rest.trim();
        }
    }
    line
}

/// Classifies a failed command's stderr as a whole (connection, permission, manager, filter,
/// version, configuration); anything unrecognized is [`Error::CliFailed`].
pub(crate) fn classify(stderr: &str, context: ErrorContext<'_>) -> Error {
    let text = stderr.trim();
    let lower = text.to_ascii_lowercase();
    let message = meaningful_line(text);
    if lower.contains("cannot connect to the docker daemon")
        || lower.contains("connection refused")
        || lower.contains("no such host")
        || lower.contains("error during connect")
        || lower.contains("no route to host")
        || lower.contains("i/o timeout")
        || lower.contains("connection reset by peer")
    {
        // The client names the address it tried; that is more precise than our description.
        let endpoint = daemon_address(text).unwrap_or(context.endpoint).to_owned();
        return Error::DaemonUnreachable {
            endpoint,
            source: Some(Box::new(CliMessage(message))),
        };
    }
    if lower.contains("permission denied") {
        return Error::PermissionDenied {
            endpoint: context.endpoint.to_owned(),
            source: Some(Box::new(CliMessage(message))),
        };
    }
    if lower.contains("this node is not a swarm manager")
        || lower.contains("needs to be unlocked")
        || lower.contains("swarm certificates have expired")
        || lower.contains("not part of a swarm")
    {
        return Error::NotManager {
            endpoint: context.endpoint.to_owned(),
            reason: NotManagerReason::from_message(&message),
            message,
        };
    }
    if lower.contains("invalid filter") {
        return Error::InvalidFilter { message };
    }
    if lower.contains("is too new")
        || lower.contains("is too old")
        || lower.contains("client version")
    {
        return Error::ApiVersion {
            endpoint: context.endpoint.to_owned(),
            daemon: version_after(text, "Maximum supported API version is ")
                .unwrap_or_else(|| String::from("unknown")),
            minimum: version_after(text, "client version ")
                .unwrap_or_else(|| String::from("unknown")),
        };
    }
    if lower.contains("x509:") || lower.contains("tls:") || lower.contains("certificate") {
        return Error::Tls {
            endpoint: context.endpoint.to_owned(),
            message,
            source: None,
        };
    }
    if lower.contains("context not found") || lower.contains("unable to resolve docker endpoint") {
        return Error::Config { message };
    }
    Error::CliFailed {
        command: context.command.to_owned(),
        exit_code: context.exit_code,
        stderr: text.to_owned(),
    }
}

/// A per-object failure printed by `docker inspect` (one line per id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectFailure {
    /// The reference as the client echoed it.
    pub(crate) reference: String,
    /// How many objects an ambiguous prefix matched; `None` when not found.
    pub(crate) ambiguous: Option<usize>,
}

impl ObjectFailure {
    /// The typed error for this failure.
    pub(crate) fn into_error(self, kind: ObjectKind) -> Error {
        match self.ambiguous {
            Some(matches) => Error::Ambiguous {
                kind,
                id: self.reference,
                matches,
            },
            None => Error::NotFound {
                kind,
                id: self.reference,
            },
        }
    }
}

/// Parses one stderr line as a not-found or ambiguous message about an object of `kind`.
///
/// Recognized forms (client 20.10 to 28): `task X not found`, `No such task: X`,
/// `no such service: X`, `No such object: X`, `task X is ambiguous (N matches found)`,
/// each with or without an `Error: ` / `Error response from daemon: ` prefix.
pub(crate) fn object_failure(line: &str, kind: ObjectKind) -> Option<ObjectFailure> {
    let message = strip_prefix(line);
    let kind_name = kind.to_string();
    for prefix in [
        format!("No such {kind_name}: "),
        format!("no such {kind_name}: "),
    ] {
        if let Some(reference) = message.strip_prefix(prefix.as_str()) {
            return Some(not_found(reference));
        }
    }
    if let Some(reference) = message.strip_prefix("No such object: ") {
        return Some(not_found(reference));
    }
    let rest = message
        .strip_prefix(kind_name.as_str())?
        .strip_prefix(' ')?;
    if let Some(reference) = rest.strip_suffix(" not found") {
        return Some(not_found(reference));
    }
    let (reference, tail) = rest.rsplit_once(" is ambiguous (")?;
    let matches = tail
        .split_whitespace()
        .next()
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    Some(ObjectFailure {
        reference: reference.to_owned(),
        ambiguous: Some(matches),
    })
}

fn not_found(reference: &str) -> ObjectFailure {
    ObjectFailure {
        reference: reference.trim().to_owned(),
        ambiguous: None,
    }
}

/// The most useful line of stderr: the first that is not a warning, without its prefix.
fn meaningful_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .find(|line| !line.starts_with("WARNING"))
        .or_else(|| text.lines().map(str::trim).find(|line| !line.is_empty()))
        .map(strip_prefix)
        .unwrap_or("")
        .to_owned()
}

/// `Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?`
fn daemon_address(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("Cannot connect to the Docker daemon at ")?;
    let address = rest.split(". Is the docker daemon running").next()?.trim();
    (!address.is_empty() && !address.contains('\n')).then_some(address)
}

/// The version token after `marker`, without trailing punctuation.
fn version_after(text: &str, marker: &str) -> Option<String> {
    let (_, rest) = text.split_once(marker)?;
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let token = token.trim_end_matches('.');
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ErrorContext<'static> {
        ErrorContext {
            endpoint: "tcp://127.0.0.1:1",
            command: "docker service ls -q",
            exit_code: Some(1),
        }
    }

    #[test]
    fn unreachable_daemon_names_the_address_docker_tried() {
        let err = classify(
            "Cannot connect to the Docker daemon at unix:///tmp/nosock. Is the docker daemon running?\n",
            context(),
        );
        let Error::DaemonUnreachable { endpoint, source } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(endpoint, "unix:///tmp/nosock");
        assert!(source.is_some());
        assert!(err.is_connection());
    }

    #[test]
    fn dns_and_refused_are_unreachable() {
        for stderr in [
            "error during connect: Get \"http://nosuchhost.invalid:2375/v1.50/info\": dial tcp: lookup nosuchhost.invalid on 10.0.0.53:53: no such host",
            "error during connect: Get \"http://127.0.0.1:9/v1.24/services\": dial tcp 127.0.0.1:9: connect: connection refused",
        ] {
            let err = classify(stderr, context());
            assert!(
                matches!(&err, Error::DaemonUnreachable { endpoint, .. } if endpoint == "tcp://127.0.0.1:1"),
                "{err:?}"
            );
        }
    }

    #[test]
    fn permission_denied() {
        let stderr = "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/services\": dial unix /var/run/docker.sock: connect: permission denied";
        assert!(matches!(
            classify(stderr, context()),
            Error::PermissionDenied { .. }
        ));
    }

    #[test]
    fn not_a_manager_is_classified_with_its_reason() {
        let worker = "Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.";
        let err = classify(worker, context());
        let Error::NotManager {
            reason, message, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*reason, NotManagerReason::Worker);
        assert!(
            message.starts_with("This node is not a swarm manager"),
            "{message}"
        );
        let inactive = "Error response from daemon: This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";
        assert!(matches!(
            classify(inactive, context()),
            Error::NotManager {
                reason: NotManagerReason::NotInSwarm,
                ..
            }
        ));
        let locked = "Error response from daemon: Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.";
        assert!(matches!(
            classify(locked, context()),
            Error::NotManager {
                reason: NotManagerReason::Locked,
                ..
            }
        ));
        let expired = "Error response from daemon: Swarm certificates have expired. To replace them, leave the swarm and join again.";
        let err = classify(expired, context());
        assert!(
            matches!(
                &err,
                Error::NotManager {
                    reason: NotManagerReason::ExpiredCertificates,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn invalid_filter_version_tls_and_context() {
        let err = classify(
            "Error response from daemon: invalid filter 'colour'",
            context(),
        );
        assert!(
            matches!(&err, Error::InvalidFilter { message } if message == "invalid filter 'colour'"),
            "{err:?}"
        );
        let err = classify(
            "Error response from daemon: client version 1.50 is too new. Maximum supported API version is 1.41",
            context(),
        );
        let Error::ApiVersion {
            daemon, minimum, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((daemon.as_str(), minimum.as_str()), ("1.41", "1.50"));
        let err = classify(
            "error during TLS: tls: failed to verify certificate: x509: certificate signed by unknown authority",
            context(),
        );
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        let err = classify(
            "Failed to initialize: unable to resolve docker endpoint: context \"nosuchctx\": context not found: open /root/.docker/contexts/meta/d9/meta.json: no such file or directory",
            context(),
        );
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
    }

    #[test]
    fn anything_else_is_cli_failed_with_the_whole_stderr() {
        let err = classify(
            "unknown flag: --bogus\nSee 'docker service ls --help'.\n",
            context(),
        );
        let Error::CliFailed {
            command,
            exit_code,
            stderr,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(command, "docker service ls -q");
        assert_eq!(*exit_code, Some(1));
        assert_eq!(
            stderr,
            "unknown flag: --bogus\nSee 'docker service ls --help'."
        );
        assert!(matches!(classify("", context()), Error::CliFailed { .. }));
    }

    #[test]
    fn object_failures_in_every_spelling() {
        let task = ObjectKind::Task;
        let cases = [
            (
                "Error response from daemon: task nope not found",
                "nope",
                None,
            ),
            ("Error: No such task: abc", "abc", None),
            ("Error: No such object: abc", "abc", None),
            (
                "Error response from daemon: task a is ambiguous (2 matches found)",
                "a",
                Some(2),
            ),
        ];
        for (line, reference, ambiguous) in cases {
            let failure = object_failure(line, task).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(failure.reference, reference, "{line}");
            assert_eq!(failure.ambiguous, ambiguous, "{line}");
        }
        let service = object_failure("no such service: web", ObjectKind::Service);
        assert_eq!(service.map(|f| f.reference), Some("web".to_owned()));
        let service = object_failure("Error: no such service: nosuch", ObjectKind::Service);
        assert_eq!(service.map(|f| f.reference), Some("nosuch".to_owned()));
        assert_eq!(
            object_failure("Cannot connect to the Docker daemon", task),
            None
        );
        assert_eq!(object_failure("WARNING: task", task), None);
        let err = object_failure("task x is ambiguous (3 matches found)", task)
            .map(|f| f.into_error(task));
        assert!(matches!(err, Some(Error::Ambiguous { matches: 3, .. })));
    }
}
