//! Turning HTTP failures into the crate's typed [`Error`].
//!
//! Two sources: an error status with the daemon's `{"message": "..."}` body
//! ([`from_status`]), and a failure below HTTP (connect, TLS, reset, timeout) reported by
//! reqwest ([`from_reqwest`], which walks the cause chain for the `io::Error`). Both are pure
//! functions of their inputs so each mapping is unit-tested without a server.

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use crate::error::{Error, NotManagerReason, ObjectKind};

/// How much of a non-JSON error body is kept as the message.
const MESSAGE_EXCERPT: usize = 200;

/// What the request was about, so a 404 can name the object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lookup<'a> {
    /// The kind looked up.
    pub(crate) kind: ObjectKind,
    /// The id as the caller gave it.
    pub(crate) id: &'a str,
}

/// The daemon's message: the `message` field of a JSON body, else a short excerpt of the
/// body, else the status' reason phrase.
pub(crate) fn daemon_message(status: u16, body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(message) = value.get("message").and_then(serde_json::Value::as_str) {
            return message.trim().to_owned();
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|status| status.canonical_reason())
            .unwrap_or("no message")
            .to_owned();
    }
    let mut excerpt: String = text.chars().take(MESSAGE_EXCERPT).collect();
    if excerpt.len() < text.len() {
        excerpt.push_str("...");
    }
    excerpt
}

/// Maps an error status and its body to an [`Error`].
///
/// - 503 whose message is one of the swarm's not-a-manager texts: [`Error::NotManager`].
/// - 404 of a lookup: [`Error::NotFound`] for that object; other 404s saying
///   `<kind> <id> not found` (a `service` or `node` filter value): [`Error::NotFound`].
/// - `<kind> <id> is ambiguous (N matches found)`: [`Error::Ambiguous`].
/// - 400 `invalid filter ...`: [`Error::InvalidFilter`].
/// - anything else: [`Error::Daemon`] with the status and message.
pub(crate) fn from_status(
    endpoint: &str,
    request: &str,
    status: u16,
    body: &[u8],
    lookup: Option<Lookup<'_>>,
) -> Error {
    let message = daemon_message(status, body);
    if status == 503 {
        let reason = NotManagerReason::from_message(&message);
        if reason != NotManagerReason::Other || message.to_ascii_lowercase().contains("swarm") {
            return Error::NotManager {
                endpoint: endpoint.to_owned(),
                reason,
                message,
            };
        }
    }
    if status == 404 {
        if let Some(lookup) = lookup {
            return Error::NotFound {
                kind: lookup.kind,
                id: lookup.id.to_owned(),
            };
        }
        if let Some((kind, id)) = parse_not_found(&message) {
            return Error::NotFound { kind, id };
        }
    }
    if (400..500).contains(&status) {
        if let Some((kind, id, matches)) = parse_ambiguous(&message) {
            return Error::Ambiguous { kind, id, matches };
        }
        if status == 400 && message.to_ascii_lowercase().contains("invalid filter") {
            return Error::InvalidFilter { message };
        }
    }
    Error::Daemon {
        endpoint: format!("{endpoint} {request}"),
        status,
        message,
    }
}

fn parse_kind(word: &str) -> Option<ObjectKind> {
    match word.to_ascii_lowercase().as_str() {
        "task" => Some(ObjectKind::Task),
        "service" => Some(ObjectKind::Service),
        "node" => Some(ObjectKind::Node),
        _ => None,
    }
}

/// `service web not found` -> (Service, "web").
fn parse_not_found(message: &str) -> Option<(ObjectKind, String)> {
    let (word, rest) = message.split_once(' ')?;
    let id = rest.strip_suffix(" not found")?;
    Some((parse_kind(word)?, id.to_owned()))
}

/// `task abc is ambiguous (2 matches found)` -> (Task, "abc", 2).
fn parse_ambiguous(message: &str) -> Option<(ObjectKind, String, usize)> {
    let (word, rest) = message.split_once(' ')?;
    let (id, tail) = rest.split_once(" is ambiguous")?;
    let matches = tail
        .trim_start()
        .strip_prefix('(')
        .and_then(|tail| tail.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    Some((parse_kind(word)?, id.to_owned(), matches))
}

/// The first `io::Error` in a cause chain.
pub(crate) fn find_io_error<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a io::Error> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        current = err.source();
    }
    None
}

/// What failed below HTTP, classified from the cause chain (see [`classify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connect timeout passed.
    ConnectTimeout,
    /// No socket, refused, unreachable, or the connection dropped mid-answer.
    Unreachable,
    /// EACCES on the socket.
    PermissionDenied,
    /// The TLS handshake failed (bad certificate, a plain server ...).
    Tls,
}

/// Classifies a failure: `is_connect` says it happened while connecting, `tls` whether the
/// connection uses TLS, `io_kind` the first `io::Error`'s kind in the chain.
pub(crate) fn classify(
    is_connect: bool,
    is_timeout: bool,
    tls: bool,
    io_kind: Option<io::ErrorKind>,
) -> Failure {
    use io::ErrorKind::*;
    if io_kind == Some(PermissionDenied) {
        return Failure::PermissionDenied;
    }
    if is_timeout && is_connect {
        return Failure::ConnectTimeout;
    }
    let network_kind = matches!(
        io_kind,
        Some(
            NotFound
                | ConnectionRefused
                | AddrNotAvailable
                | TimedOut
                | HostUnreachable
                | NetworkUnreachable
        )
    );
    if is_connect && tls && !network_kind {
        return Failure::Tls;
    }
    Failure::Unreachable
}

/// Maps a reqwest failure to an [`Error`].
/// Whether a request failed before the daemon could have read it, for a reason that passes:
/// while connecting, `EAGAIN` (a unix socket's full listen queue) or a reset; or writing it to
/// a kept-alive connection the daemon had closed (`EPIPE`: the daemon restarted since the
/// connection was pooled). Such a request can be sent again safely.
pub(crate) fn failed_before_sending(err: &reqwest::Error) -> bool {
    let kind = find_io_error(err).map(io::Error::kind);
    if err.is_connect() {
        matches!(
            kind,
            Some(io::ErrorKind::WouldBlock | io::ErrorKind::ConnectionReset)
        )
    } else {
        kind == Some(io::ErrorKind::BrokenPipe)
    }
}

pub(crate) fn from_reqwest(
    endpoint: &str,
    tls: bool,
    connect_timeout: Duration,
    err: reqwest::Error,
) -> Error {
    let io_kind = find_io_error(&err).map(io::Error::kind);
    let failure = classify(err.is_connect(), err.is_timeout(), tls, io_kind);
    let endpoint = endpoint.to_owned();
    match failure {
        Failure::ConnectTimeout => Error::Timeout {
            endpoint,
            after: connect_timeout,
        },
        Failure::PermissionDenied => Error::PermissionDenied {
            endpoint,
            source: Some(Box::new(err)),
        },
        Failure::Tls => Error::Tls {
            endpoint,
            message: "handshake failed (is the daemon serving TLS on this port, and do the certificates match?)".to_owned(),
            source: Some(Box::new(err)),
        },
        Failure::Unreachable => Error::DaemonUnreachable {
            endpoint,
            source: Some(Box::new(err)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EP: &str = "tcp://127.0.0.1:2375";

    fn status(code: u16, body: &str, lookup: Option<Lookup<'_>>) -> Error {
        from_status(EP, "GET /v1.41/tasks", code, body.as_bytes(), lookup)
    }

    #[test]
    fn not_manager_for_each_daemon_text() {
        let cases = [
            (
                "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
                NotManagerReason::NotInSwarm,
            ),
            (
                "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
                NotManagerReason::Worker,
            ),
            (
                "This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster.",
                NotManagerReason::Preparing,
            ),
            (
                "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.",
                NotManagerReason::Locked,
            ),
        ];
        for (message, want) in cases {
            let body = serde_json::json!({ "message": message }).to_string();
            let err = status(503, &body, None);
            let Error::NotManager {
                reason,
                message: got,
                ..
            } = &err
            else {
                panic!("{err:?}")
            };
            assert_eq!((*reason, got.as_str()), (want, message));
        }
        let err = status(503, "<html>Service Unavailable</html>", None);
        assert!(matches!(err, Error::Daemon { status: 503, .. }), "{err:?}");
    }

    #[test]
    fn not_found_and_ambiguous() {
        let lookup = Lookup {
            kind: ObjectKind::Task,
            id: "abc",
        };
        let err = status(404, r#"{"message":"task abc not found"}"#, Some(lookup));
        assert!(
            matches!(&err, Error::NotFound { kind: ObjectKind::Task, id } if id == "abc"),
            "{err:?}"
        );
        let err = status(404, r#"{"message":"service nope not found"}"#, None);
        assert!(
            matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "nope"),
            "{err:?}"
        );
        let err = status(404, "404 page not found", None);
        assert!(
            matches!(&err, Error::Daemon { status: 404, message, .. } if message == "404 page not found")
        );
        let err = status(
            400,
            r#"{"message":"task a is ambiguous (2 matches found)"}"#,
            Some(lookup),
        );
        assert!(
            matches!(&err, Error::Ambiguous { kind: ObjectKind::Task, id, matches: 2 } if id == "a"),
            "{err:?}"
        );
        let err = status(400, r#"{"message":"node n is ambiguous"}"#, None);
        assert!(
            matches!(
                &err,
                Error::Ambiguous {
                    kind: ObjectKind::Node,
                    matches: 0,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn invalid_filter_and_other_statuses() {
        let err = status(400, r#"{"message":"invalid filter 'colour'"}"#, None);
        assert!(
            matches!(&err, Error::InvalidFilter { message } if message == "invalid filter 'colour'")
        );
        let err = status(500, r#"{"message":"rpc error: boom"}"#, None);
        let Error::Daemon {
            endpoint,
            status: 500,
            message,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (endpoint.as_str(), message.as_str()),
            ("tcp://127.0.0.1:2375 GET /v1.41/tasks", "rpc error: boom")
        );
        assert!(err.is_retryable());
        let err = status(502, "", None);
        assert!(
            matches!(&err, Error::Daemon { message, .. } if message == "Bad Gateway"),
            "{err:?}"
        );
        let long = "x".repeat(5000);
        let err = status(500, &long, None);
        let Error::Daemon { message, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(message.len(), MESSAGE_EXCERPT + 3);
    }

    #[test]
    fn failure_classification() {
        use io::ErrorKind::*;
        assert_eq!(
            classify(true, false, false, Some(NotFound)),
            Failure::Unreachable
        );
        assert_eq!(
            classify(true, false, false, Some(ConnectionRefused)),
            Failure::Unreachable
        );
        assert_eq!(
            classify(true, false, true, Some(ConnectionRefused)),
            Failure::Unreachable
        );
        assert_eq!(
            classify(true, false, false, Some(PermissionDenied)),
            Failure::PermissionDenied
        );
        assert_eq!(classify(true, true, false, None), Failure::ConnectTimeout);
        assert_eq!(classify(true, false, true, Some(InvalidData)), Failure::Tls);
        assert_eq!(classify(true, false, true, None), Failure::Tls);
        assert_eq!(
            classify(false, false, true, Some(ConnectionReset)),
            Failure::Unreachable
        );
        assert_eq!(
            classify(false, false, false, Some(UnexpectedEof)),
            Failure::Unreachable
        );
    }

    #[test]
    fn io_error_is_found_deep_in_the_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] io::Error);
        let err = Outer(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            find_io_error(&err).map(io::Error::kind),
            Some(io::ErrorKind::PermissionDenied)
        );
    }
}
