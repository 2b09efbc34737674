//! The one error type every transport returns.
//!
//! Variants are named for what failed and carry what a user needs to act: which endpoint,
//! which id, what the daemon said. `Display` text is lowercase without a final period and
//! never repeats the cause; the cause is available through `source()`.

use std::path::PathBuf;
use std::time::Duration;

/// A boxed cause, kept for `source()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use swarm_models::ObjectKind;

/// Why a node cannot answer swarm queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotManagerReason {
    /// The engine is not part of a swarm (`docker swarm init` or `join`).
    NotInSwarm,
    /// The node is a worker; only managers answer.
    Worker,
    /// The manager is still being prepared; try again shortly.
    Preparing,
    /// The swarm is locked (`docker swarm unlock`).
    Locked,
    /// The node's certificates expired.
    ExpiredCertificates,
    /// Some other 503 from the swarm layer.
    Other,
}

impl NotManagerReason {
    /// Classifies the daemon's 503 message.
    pub fn from_message(message: &str) -> Self {
        let lower = message.to_ascii_lowercase();
        if lower.contains("worker nodes can't be used") || lower.contains("worker node") {
            Self::Worker
        } else if lower.contains("being prepared") {
            Self::Preparing
        } else if lower.contains("locked") {
            Self::Locked
        } else if lower.contains("expired") || lower.contains("certificate") {
            Self::ExpiredCertificates
        } else if lower.contains("not a swarm manager") || lower.contains("not part of a swarm") {
            Self::NotInSwarm
        } else {
            Self::Other
        }
    }

    /// What state the node is in, in a few words (no advice: that is the caller's to give).
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotInSwarm => "the node is not in a swarm",
            Self::Worker => "the node is a worker",
            Self::Preparing => "the manager is starting",
            Self::Locked => "the swarm is locked",
            Self::ExpiredCertificates => "the node's certificates expired",
            Self::Other => "the swarm layer is unavailable",
        }
    }
}

/// Everything that can go wrong talking to a daemon.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing answered at the endpoint (no socket, connection refused, DNS failure).
    #[error("cannot reach the docker daemon at {endpoint}")]
    DaemonUnreachable {
        /// Where we tried to connect.
        endpoint: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// The socket or daemon refused us for lack of permission.
    #[error("permission denied connecting to {endpoint}")]
    PermissionDenied {
        /// Where we tried to connect.
        endpoint: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// The node answered but cannot serve swarm queries.
    #[error("{endpoint} is not a usable swarm manager ({}): {message}", reason.describe())]
    NotManager {
        /// The endpoint that answered.
        endpoint: String,
        /// Why, classified.
        reason: NotManagerReason,
        /// The daemon's own message.
        message: String,
    },
    /// No object matched the id or name.
    #[error("{kind} {id} not found")]
    NotFound {
        /// What was looked up.
        kind: ObjectKind,
        /// The id, name or prefix as given.
        id: String,
    },
    /// An id prefix matched several objects.
    #[error("{kind} {id} is ambiguous ({matches} matches found): give more of the ID")]
    Ambiguous {
        /// What was looked up.
        kind: ObjectKind,
        /// The prefix as given.
        id: String,
        /// How many objects matched (0 when the daemon did not say).
        matches: usize,
    },
    /// The daemon (or our own validation) rejected a filter.
    #[error("invalid filter: {message}")]
    InvalidFilter {
        /// What is wrong, in the daemon's words where it said.
        message: String,
    },
    /// The daemon's API version is outside what we speak.
    #[error(
        "{endpoint} speaks Engine API {daemon}, but swarm-tasks needs at least {minimum}: upgrade the engine"
    )]
    ApiVersion {
        /// The endpoint.
        endpoint: String,
        /// The daemon's highest version.
        daemon: String,
        /// Our lowest version.
        minimum: String,
    },
    /// The server answered, but not as a Docker Engine does: `GET /_ping` (or `/version`)
    /// is not there (a plain web server or a proxy to something else).
    #[error("{endpoint} is not a Docker Engine API: GET {path} answered {status}")]
    NotDockerApi {
        /// The endpoint.
        endpoint: String,
        /// The path that was missing.
        path: String,
        /// The HTTP status.
        status: u16,
    },
    /// Any other error status from the daemon.
    #[error("{endpoint} answered {status}: {message}")]
    Daemon {
        /// The endpoint and path.
        endpoint: String,
        /// The HTTP status (or 0 when it came from the CLI).
        status: u16,
        /// The daemon's message (its `{"message"}` or a short excerpt of the body).
        message: String,
    },
    /// A response was not the JSON we expected.
    #[error("cannot decode the answer of {endpoint} at line {line}, column {column}: {excerpt:?}")]
    Decode {
        /// The endpoint and path, or the command.
        endpoint: String,
        /// 1-based line of the error (0 when unknown).
        line: usize,
        /// 1-based column of the error (0 when unknown).
        column: usize,
        /// A short excerpt of the input around the error, string values masked (`"…"`; keys
        /// stay), so no `Env` value reaches a message.
        excerpt: String,
        /// The parser's error, its text without the string values it would quote.
        #[source]
        source: swarm_models::DecodeError,
    },
    /// The `docker` binary (or, for an `ssh://` host, `ssh`) could not be started.
    #[error("cannot run {}", program.display())]
    CliNotFound {
        /// The program we tried to run.
        program: PathBuf,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// The `docker` binary ran and failed in a way no other variant describes.
    #[error("`{command}` failed (exit code {}): {stderr}", exit_code.map_or_else(|| "none".to_owned(), |code| code.to_string()))]
    CliFailed {
        /// The command line (program and arguments).
        command: String,
        /// Its exit code, if it exited.
        exit_code: Option<i32>,
        /// What it printed on stderr, trimmed.
        stderr: String,
    },
    /// The operation took longer than allowed.
    #[error("{endpoint} did not answer within {after:?}")]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// The limit that passed.
        after: Duration,
    },
    /// The docker CLI did not finish within the limit; says what it got through first.
    ///
    /// `answered` counts what the call had finished before the slow part: HTTP answers
    /// received through `docker system dial-stdio`, or `docker` commands that completed on
    /// the command-based path.
    #[error(
        "the docker CLI answered {answered} requests in {elapsed:.1?}, then {waiting_for} did not finish within {limit:?} ({endpoint})"
    )]
    CliTimeout {
        /// The endpoint (`ssh://...`, `docker --context prod`).
        endpoint: String,
        /// What was still running: a request (`GET /v1.41/tasks`) or a command line.
        waiting_for: String,
        /// Requests (or commands) of this call that finished before it.
        answered: usize,
        /// Time from the start of the call to the timeout.
        elapsed: Duration,
        /// The limit that passed.
        limit: Duration,
    },
    /// TLS setup or handshake failed.
    #[error("TLS with {endpoint} failed: {message}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// What failed (missing cert file, handshake, plain server ...).
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// A value given to the transport (an id, a name, a filter value) cannot be passed on as
    /// it is: a NUL byte, which no command-line argument can carry. Nothing was run.
    #[error("invalid argument {argument:?}: {reason}")]
    InvalidArgument {
        /// The value, as given.
        argument: String,
        /// Why it cannot be passed on.
        reason: String,
    },
    /// The transport's configuration is invalid (bad `DOCKER_HOST`, unsupported scheme ...).
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The docker environment names no usable endpoint (conflicting options, an unknown
    /// context, an unreadable config file, `DOCKER_TLS_VERIFY` without certificates ...).
    #[error(transparent)]
    Endpoint(#[from] crate::endpoint::EndpointError),
    /// A response body was larger than the transport's limit (HTTP `max_body_size`).
    #[error(
        "the answer of {endpoint} is larger than the {limit}-byte limit: narrow the query with a filter or raise the limit"
    )]
    ResponseTooLarge {
        /// The endpoint and request.
        endpoint: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A log stream broke off or could not be decoded (the lines before it were delivered).
    #[error("cannot read the log stream of {endpoint}")]
    LogStream {
        /// The endpoint and request.
        endpoint: String,
        /// What was wrong with the stream.
        #[source]
        source: crate::logs::DecodeError,
    },
    /// The transport cannot do what was asked (e.g. `until` through the `docker` CLI).
    #[error("{endpoint} cannot {operation}")]
    Unsupported {
        /// The endpoint.
        endpoint: String,
        /// What was asked, as a verb phrase (`read logs until a time`).
        operation: String,
    },
    /// A snapshot folder (replay) could not be read.
    #[error("cannot read snapshot file {}", path.display())]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// True for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// True when trying again later may succeed: unreachable daemon, timeout, a manager
    /// being prepared, or a 5xx from the daemon. A monitor backs off on these.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::DaemonUnreachable { .. } | Self::Timeout { .. } | Self::CliTimeout { .. } => true,
            Self::NotManager { reason, .. } => *reason == NotManagerReason::Preparing,
            Self::Daemon { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// True when the daemon cannot be reached or used at all (unreachable, permission,
    /// not a manager, TLS, API version, CLI missing): the CLI exits 3 on these.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            Self::DaemonUnreachable { .. }
                | Self::PermissionDenied { .. }
                | Self::NotManager { .. }
                | Self::Tls { .. }
                | Self::ApiVersion { .. }
                | Self::NotDockerApi { .. }
                | Self::CliNotFound { .. }
                | Self::Timeout { .. }
                | Self::CliTimeout { .. }
        )
    }

    /// True for configuration problems ([`Error::Config`], [`Error::Endpoint`]): fix the
    /// host, context, environment or config file and retry.
    pub fn is_config(&self) -> bool {
        matches!(self, Self::Config { .. } | Self::Endpoint(_))
    }

    /// The endpoint the error is about, when it names one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Self::DaemonUnreachable { endpoint, .. }
            | Self::PermissionDenied { endpoint, .. }
            | Self::NotManager { endpoint, .. }
            | Self::ApiVersion { endpoint, .. }
            | Self::NotDockerApi { endpoint, .. }
            | Self::Daemon { endpoint, .. }
            | Self::Decode { endpoint, .. }
            | Self::Timeout { endpoint, .. }
            | Self::CliTimeout { endpoint, .. }
            | Self::Tls { endpoint, .. }
            | Self::LogStream { endpoint, .. }
            | Self::Unsupported { endpoint, .. }
            | Self::ResponseTooLarge { endpoint, .. } => Some(endpoint),
            _ => None,
        }
    }

    /// Builds a [`Error::Decode`] from a serde_json error over `input`, with a short excerpt
    /// around the failing position.
    pub fn decode(endpoint: impl Into<String>, input: &[u8], source: serde_json::Error) -> Self {
        let (line, column) = (source.line(), source.column());
        Self::Decode {
            endpoint: endpoint.into(),
            line,
            column,
            excerpt: excerpt_at(input, line, column),
            source: source.into(),
        }
    }
}

impl From<swarm_models::LookupError> for Error {
    /// A reference that names no object is [`Error::NotFound`], one that names several
    /// [`Error::Ambiguous`], as the daemon answers them (404, 400).
    fn from(err: swarm_models::LookupError) -> Self {
        let kind = err.kind();
        match err {
            swarm_models::LookupError::Ambiguous {
                reference,
                candidates,
                ..
            } => Self::Ambiguous {
                kind,
                id: reference,
                matches: candidates.len(),
            },
            other => Self::NotFound {
                kind,
                id: other.reference().to_owned(),
            },
        }
    }
}

impl From<swarm_models::FilterError> for Error {
    /// A filter that does not resolve fails the way the daemon's answer to it maps: an
    /// unknown service or node is [`Error::NotFound`], an ambiguous one
    /// [`Error::Ambiguous`], anything else [`Error::InvalidFilter`].
    fn from(err: swarm_models::FilterError) -> Self {
        match err {
            swarm_models::FilterError::Lookup(lookup) => lookup.into(),
            other => Self::InvalidFilter {
                message: other.to_string(),
            },
        }
    }
}

/// Up to 40 bytes either side of a 1-based line/column position, lossily decoded.
fn excerpt_at(input: &[u8], line: usize, column: usize) -> String {
    let mut offset = 0usize;
    if line > 1 {
        let mut seen = 1usize;
        for (idx, byte) in input.iter().enumerate() {
            if *byte == b'\n' {
                seen += 1;
                if seen == line {
                    offset = idx + 1;
                    break;
                }
            }
        }
    }
    let at = offset
        .saturating_add(column.saturating_sub(1))
        .min(input.len());
    let value_strings = ValueStrings::scan(input, at.saturating_add(40));
    let start = at.saturating_sub(40);
    let end = at.saturating_add(40).min(input.len());
    let mut shown = Vec::with_capacity(end - start);
    let mut masked = false;
    for (offset, byte) in input.get(start..end).unwrap_or_default().iter().enumerate() {
        if value_strings.contains(start + offset) {
            if !masked {
                shown.extend_from_slice("…".as_bytes());
            }
            masked = true;
        } else {
            shown.push(*byte);
            masked = false;
        }
    }
    String::from_utf8_lossy(&shown).into_owned()
}

/// Where the contents of string VALUES are in a JSON text (keys, the strings followed by
/// `:`, are not values), up to `end`; an unterminated string runs to `end`.
#[derive(Default)]
struct ValueStrings(Vec<std::ops::Range<usize>>);

impl ValueStrings {
    fn scan(input: &[u8], end: usize) -> Self {
        let mut spans = Vec::new();
        let mut at = 0;
        while at < input.len().min(end) {
            if input.get(at) != Some(&b'"') {
                at += 1;
                continue;
            }
            let content = at + 1;
            let mut cursor = content;
            let mut escaped = false;
            while let Some(byte) = input.get(cursor) {
                match byte {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => break,
                    _ => {}
                }
                cursor += 1;
            }
            let after = input
                .get(cursor + 1..)
                .unwrap_or_default()
                .iter()
                .find(|byte| !byte.is_ascii_whitespace());
            if after != Some(&b':') {
                spans.push(content..cursor);
            }
            at = cursor + 1;
        }
        Self(spans)
    }

    fn contains(&self, at: usize) -> bool {
        self.0.iter().any(|span| span.contains(&at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_not_manager_messages() {
        use NotManagerReason::*;
        let cases = [
            (
                "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
                NotInSwarm,
            ),
            (
                "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
                Worker,
            ),
            (
                "This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster.",
                Preparing,
            ),
            (
                "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm unlock\" to unlock it.",
                Locked,
            ),
        ];
        for (message, reason) in cases {
            assert_eq!(NotManagerReason::from_message(message), reason, "{message}");
        }
    }

    #[test]
    fn decode_error_has_excerpt_and_position() {
        let input = b"[{\"ID\": \"x\"},\n {\"ID\": tru}]";
        let err = serde_json::from_slice::<serde_json::Value>(input).unwrap_err();
        let err = Error::decode("GET /tasks", input, err);
        let Error::Decode { line, excerpt, .. } = &err else {
            panic!("not decode")
        };
        assert_eq!(*line, 2);
        assert!(excerpt.contains("tru"), "{excerpt}");
        // String values are masked in the excerpt and in serde's text; keys stay.
        let input =
            br#"[{"ID": "x", "Spec": {"ContainerSpec": {"Env": ["PASSWORD=hunter2", 5]}}}]"#;
        let err = serde_json::from_slice::<Vec<swarm_models::Task>>(input).unwrap_err();
        let err = Error::decode("GET /tasks", input, err);
        let Error::Decode { excerpt, .. } = &err else {
            panic!("not decode")
        };
        assert!(excerpt.contains(r#""Env": ["…", 5]"#), "{excerpt}");
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(!chain.contains("hunter2"), "{chain}");
        let cut = br#"{"Env": ["PASSWORD=hunt"#;
        let short = serde_json::from_slice::<serde_json::Value>(cut).unwrap_err();
        let Error::Decode { excerpt, .. } = Error::decode("x", cut, short) else {
            panic!("not decode")
        };
        assert_eq!(excerpt, r#"{"Env": ["…"#);
        assert!(
            err.to_string()
                .starts_with("cannot decode the answer of GET /tasks")
        );
    }

    #[test]
    fn predicates() {
        let timeout = Error::Timeout {
            endpoint: "x".into(),
            after: Duration::from_secs(1),
        };
        assert!(timeout.is_retryable() && timeout.is_connection());
        let slow = Error::CliTimeout {
            endpoint: "ssh://ops@box".into(),
            waiting_for: "GET /v1.41/tasks".into(),
            answered: 248,
            elapsed: Duration::from_secs(60),
            limit: Duration::from_secs(60),
        };
        assert!(slow.is_retryable() && slow.is_connection());
        assert_eq!(slow.endpoint(), Some("ssh://ops@box"));
        assert_eq!(
            slow.to_string(),
            "the docker CLI answered 248 requests in 60.0s, then GET /v1.41/tasks did not finish within 60s (ssh://ops@box)"
        );
        let missing = Error::NotFound {
            kind: ObjectKind::Task,
            id: "abc".into(),
        };
        assert!(missing.is_not_found() && !missing.is_retryable());
        assert_eq!(missing.to_string(), "task abc not found");
    }
}
