//! Task and service logs: what to ask for ([`LogTarget`], [`LogOptions`]) and what comes
//! back ([`LogLine`]), shared by every transport.
//!
//! The daemon answers `GET /tasks/{id}/logs` and `GET /services/{id}/logs` with either the
//! 8-byte-header multiplexed stream or, for TTY services, a raw byte stream; `frame.rs`
//! decodes both as a pure state machine, `line.rs` turns each message into a [`LogLine`]
//! (timestamp, the daemon's details attributes, the bytes as sent), and `stream.rs` runs the
//! decoder over any stream of byte chunks, so the HTTP transport and the CLI transport
//! produce the same lines from the same bytes.

mod frame;
mod line;
#[cfg(feature = "http")]
mod stream;

use std::borrow::Cow;
use std::pin::Pin;

use futures::Stream;
use swarm_models::Timestamp;

#[cfg(feature = "cli")]
pub(crate) use frame::DAEMON_PIECE;
pub use frame::{DecodeError, Framing, LogDecoder};
#[cfg(feature = "http")]
pub(crate) use stream::{StreamSettings, decode_stream};

use crate::error::Result;

/// The largest log line kept in one piece (16 MiB); a longer line is delivered in pieces of
/// this size, so a runaway line cannot exhaust memory.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// A stream of log lines as a transport delivers them. It ends when the daemon ends the
/// stream (for a followed stream, when the caller drops it); a failure ends it with one
/// `Err` after every line decoded before it.
pub type LogStream = Pin<Box<dyn Stream<Item = Result<LogLine>> + Send + 'static>>;

/// Whose logs to read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LogTarget {
    /// One task (`GET /tasks/{id}/logs`), by ID or unique ID prefix.
    Task(String),
    /// Every task of a service (`GET /services/{id}/logs`), by ID, name or unique ID prefix.
    Service(String),
}

impl LogTarget {
    /// The ID or name as given.
    pub fn id(&self) -> &str {
        match self {
            Self::Task(id) | Self::Service(id) => id,
        }
    }
}

/// What to read: the daemon's log query parameters.
///
/// The daemon is always asked for its details attributes, because they carry the task,
/// service and node each line comes from; [`LogOptions::details`] only decides whether the
/// remaining attributes reach [`LogLine::details`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogOptions {
    /// Keep the stream open and deliver new lines as they are written (`follow=1`).
    pub follow: bool,
    /// Only the last N lines of each task (`tail=N`); `None` for all of them.
    pub tail: Option<u64>,
    /// Only lines written at or after this time (`since`).
    pub since: Option<Timestamp>,
    /// Only lines written before this time (`until`; the daemon ignores it for swarm logs,
    /// so lines are also checked against it here, which needs their timestamps).
    pub until: Option<Timestamp>,
    /// Ask for the daemon's timestamp of each line ([`LogLine::timestamp`]).
    pub timestamps: bool,
    /// Include what the tasks wrote to stdout.
    pub stdout: bool,
    /// Include what the tasks wrote to stderr.
    pub stderr: bool,
    /// Keep the daemon's other per-line attributes in [`LogLine::details`].
    pub details: bool,
}

impl Default for LogOptions {
    /// Both streams, everything recorded so far, no timestamps, not followed.
    fn default() -> Self {
        Self {
            follow: false,
            tail: None,
            since: None,
            until: None,
            timestamps: false,
            stdout: true,
            stderr: true,
            details: false,
        }
    }
}

impl LogOptions {
    /// The defaults: both streams, every line, not followed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Follows the stream (see [`LogOptions::follow`]).
    #[must_use]
    pub fn follow(mut self, follow: bool) -> Self {
        self.follow = follow;
        self
    }

    /// Only the last `lines` lines of each task.
    #[must_use]
    pub fn tail(mut self, lines: u64) -> Self {
        self.tail = Some(lines);
        self
    }

    /// Only lines written at or after `since`.
    #[must_use]
    pub fn since(mut self, since: Timestamp) -> Self {
        self.since = Some(since);
        self
    }

    /// Only lines written before `until`.
    #[must_use]
    pub fn until(mut self, until: Timestamp) -> Self {
        self.until = Some(until);
        self
    }

    /// Asks for each line's timestamp.
    #[must_use]
    pub fn timestamps(mut self, timestamps: bool) -> Self {
        self.timestamps = timestamps;
        self
    }

    /// Chooses the streams to read.
    #[must_use]
    pub fn streams(mut self, stdout: bool, stderr: bool) -> Self {
        self.stdout = stdout;
        self.stderr = stderr;
        self
    }

    /// Keeps the daemon's other attributes of each line.
    #[must_use]
    pub fn details(mut self, details: bool) -> Self {
        self.details = details;
        self
    }

    /// Whether timestamps must be requested from the daemon: when asked for, or to apply
    /// [`LogOptions::until`].
    pub(crate) fn wants_timestamps(&self) -> bool {
        self.timestamps || self.until.is_some()
    }

    /// The daemon's query parameters, in a fixed order.
    #[cfg(feature = "http")]
    pub(crate) fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let flag = |on: bool| if on { "1" } else { "0" }.to_owned();
        let mut pairs = vec![
            ("stdout", flag(self.stdout)),
            ("stderr", flag(self.stderr)),
            ("details", flag(true)),
        ];
        if self.follow {
            pairs.push(("follow", flag(true)));
        }
        if self.wants_timestamps() {
            pairs.push(("timestamps", flag(true)));
        }
        if let Some(tail) = self.tail {
            pairs.push(("tail", tail.to_string()));
        }
        if let Some(since) = &self.since {
            pairs.push(("since", unix_seconds(since)));
        }
        if let Some(until) = &self.until {
            pairs.push(("until", unix_seconds(until)));
        }
        pairs
    }
}

/// `seconds.nanoseconds` since the Unix epoch, the form the daemon and `docker --since` take.
#[cfg(feature = "http")]
pub(crate) fn unix_seconds(timestamp: &Timestamp) -> String {
    let datetime = timestamp.as_datetime();
    format!(
        "{}.{:09}",
        datetime.timestamp(),
        datetime.timestamp_subsec_nanos()
    )
}

/// Which output of the task a line was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogSource {
    /// Standard output (also everything a TTY task writes, which the daemon cannot tell apart).
    Stdout,
    /// Standard error.
    Stderr,
}

impl LogSource {
    /// `stdout` or `stderr`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// One line a task wrote, as the daemon sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogLine {
    /// stdout or stderr.
    pub source: LogSource,
    /// The daemon's timestamp (nanoseconds), when timestamps were requested.
    pub timestamp: Option<Timestamp>,
    /// The task that wrote it (from the daemon's `com.docker.swarm.task.id` attribute).
    pub task_id: Option<String>,
    /// The task's service (`com.docker.swarm.service.id`).
    pub service_id: Option<String>,
    /// The node the task ran on (`com.docker.swarm.node.id`).
    pub node_id: Option<String>,
    /// The daemon's other attributes of the line, in the order sent (only with
    /// [`LogOptions::details`]).
    pub details: Vec<(String, String)>,
    /// The bytes of the line as sent, without its line ending (`\n`, or `\r\n` from a TTY).
    /// They need not be UTF-8; see [`LogLine::text`].
    pub line: Vec<u8>,
}

impl LogLine {
    /// A line with no attributes, for tests and for transports that know nothing more.
    pub fn new(source: LogSource, line: impl Into<Vec<u8>>) -> Self {
        Self {
            source,
            timestamp: None,
            task_id: None,
            service_id: None,
            node_id: None,
            details: Vec::new(),
            line: line.into(),
        }
    }

    /// The line as text, with invalid UTF-8 replaced by U+FFFD (for display only).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.line)
    }
}
