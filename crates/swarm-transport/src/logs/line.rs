//! One log message of the daemon turned into a [`LogLine`]: `[TIMESTAMP ][ATTRIBUTES ]BYTES`.
//!
//! With `timestamps=1` the daemon starts each message with its time in RFC 3339 with nine
//! fractional digits and a space; with `details=1` it then writes the message's attributes
//! as `key=value` pairs joined by `,`, each part query-escaped, and a space (an empty set
//! leaves just the space). Swarm logs carry `com.docker.swarm.node.id`, `...service.id` and
//! `...task.id` there. The bytes after that are the line, newline included when the task
//! wrote one.

use std::str::FromStr;

use swarm_models::Timestamp;

use super::{LogLine, LogOptions, LogSource};

/// The attribute carrying the node ID.
const NODE_ID: &str = "com.docker.swarm.node.id";
/// The attribute carrying the service ID.
const SERVICE_ID: &str = "com.docker.swarm.service.id";
/// The attribute carrying the task ID.
const TASK_ID: &str = "com.docker.swarm.task.id";

/// What the daemon put before each message and what the caller wants of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prefix {
    /// Each message starts with a timestamp.
    pub timestamps: bool,
    /// Each message then has its attributes.
    pub details: bool,
    /// Keep the timestamp in the line (it may have been asked for only to apply `until`).
    pub keep_timestamp: bool,
    /// Keep the attributes other than the three swarm IDs.
    pub keep_details: bool,
    /// Deliver stdout lines.
    pub stdout: bool,
    /// Deliver stderr lines.
    pub stderr: bool,
    /// Drop lines at or after this time.
    pub until: Option<Timestamp>,
}

impl Prefix {
    /// The prefix of a stream requested with `options` (details always on).
    pub(crate) fn for_options(options: &LogOptions) -> Self {
        Self {
            timestamps: options.wants_timestamps(),
            details: true,
            keep_timestamp: options.timestamps,
            keep_details: options.details,
            stdout: options.stdout,
            stderr: options.stderr,
            until: options.until,
        }
    }

    /// A stream of bare lines: no timestamps, no attributes.
    #[cfg(test)]
    pub(crate) fn bare() -> Self {
        Self {
            timestamps: false,
            details: false,
            keep_timestamp: false,
            keep_details: false,
            stdout: true,
            stderr: true,
            until: None,
        }
    }

    /// A finished line as delivered: `None` when its output was not asked for or it was
    /// written at or after `until`; its timestamp is dropped when only `until` needed it.
    pub(crate) fn finish(&self, mut line: LogLine) -> Option<LogLine> {
        if !self.accepts(&line) {
            return None;
        }
        if !self.keep_timestamp {
            line.timestamp = None;
        }
        Some(line)
    }

    /// Whether a finished line is delivered.
    fn accepts(&self, line: &LogLine) -> bool {
        let source_wanted = match line.source {
            LogSource::Stdout => self.stdout,
            LogSource::Stderr => self.stderr,
        };
        let in_time = match (&self.until, &line.timestamp) {
            (Some(until), Some(timestamp)) => timestamp.as_datetime() < until.as_datetime(),
            _ => true,
        };
        source_wanted && in_time
    }

    /// Splits one message into its line (without a trailing `\n` or `\r\n`) and whether it
    /// ended with a newline; the timestamp stays until [`Prefix::finish`]. Tokens that do not parse as what they should be (a daemon that
    /// ignored a parameter) are left in the line rather than failing it.
    pub(crate) fn parse(&self, source: LogSource, message: &[u8]) -> (LogLine, bool) {
        let mut rest = message;
        let mut line = LogLine::new(source, Vec::new());
        if self.timestamps {
            if let Some((token, after)) = split_token(rest) {
                if let Some(timestamp) = std::str::from_utf8(token)
                    .ok()
                    .and_then(|text| Timestamp::from_str(text).ok())
                {
                    line.timestamp = Some(timestamp);
                    rest = after;
                }
            }
        }
        if self.details {
            if let Some((token, after)) = split_token(rest) {
                if let Some(attributes) = parse_attributes(token) {
                    for (key, value) in attributes {
                        match key.as_str() {
                            NODE_ID => line.node_id = Some(value),
                            SERVICE_ID => line.service_id = Some(value),
                            TASK_ID => line.task_id = Some(value),
                            _ if self.keep_details => line.details.push((key, value)),
                            _ => {}
                        }
                    }
                    rest = after;
                }
            }
        }
        let (body, complete) = strip_line_ending(rest);
        line.line = body.to_vec();
        (line, complete)
    }
}

/// The bytes without a final `\n` (and a `\r` before it), and whether there was one.
pub(crate) fn strip_line_ending(bytes: &[u8]) -> (&[u8], bool) {
    match bytes.strip_suffix(b"\n") {
        Some(body) => (body.strip_suffix(b"\r").unwrap_or(body), true),
        None => (bytes, false),
    }
}

/// The bytes before the first space and those after it.
fn split_token(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = bytes.iter().position(|byte| *byte == b' ')?;
    Some((&bytes[..space], &bytes[space + 1..]))
}

/// `k=v,k2=v2` with query-escaped parts; `None` when a part has no `=` (not attributes).
fn parse_attributes(token: &[u8]) -> Option<Vec<(String, String)>> {
    if token.is_empty() {
        return Some(Vec::new());
    }
    let text = std::str::from_utf8(token).ok()?;
    text.split(',')
        .map(|pair| {
            let (key, value) = pair.split_once('=')?;
            Some((query_unescape(key), query_unescape(value)))
        })
        .collect()
}

/// Undoes Go's `url.QueryEscape`: `%XX` escapes and `+` for a space. A malformed escape is
/// kept as written.
fn query_unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let byte = bytes[idx];
        let escaped = (byte == b'%')
            .then(|| bytes.get(idx + 1..idx + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (_, Some(value)) => {
                decoded.push(value);
                idx += 3;
            }
            (b'+', None) => {
                decoded.push(b' ');
                idx += 1;
            }
            (other, None) => {
                decoded.push(other);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_details() -> Prefix {
        Prefix {
            timestamps: true,
            details: true,
            keep_timestamp: true,
            keep_details: true,
            ..Prefix::bare()
        }
    }

    #[test]
    fn parses_timestamp_attributes_and_line() {
        let message = b"2026-12-02T03:20:29.978126457Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1,env%3Dx=a+b%2Cc out one\n";
        let (line, complete) = with_details().parse(LogSource::Stdout, message);
        assert!(complete);
        assert_eq!(line.line, b"out one");
        assert_eq!(
            line.timestamp.as_ref().map(ToString::to_string).as_deref(),
            Some("2026-12-02T03:20:29.978126457Z")
        );
        assert_eq!(
            (
                line.node_id.as_deref(),
                line.service_id.as_deref(),
                line.task_id.as_deref()
            ),
            (Some("n1"), Some("s1"), Some("t1"))
        );
        assert_eq!(line.details, vec![("env=x".to_owned(), "a b,c".to_owned())]);
    }

    #[test]
    fn empty_attributes_and_missing_newline() {
        let prefix = Prefix {
            details: true,
            ..Prefix::bare()
        };
        let (line, complete) = prefix.parse(LogSource::Stderr, b" no newline");
        assert!(!complete);
        assert_eq!(line.line, b"no newline");
        assert_eq!(line.task_id, None);
    }

    #[test]
    fn tokens_that_do_not_parse_stay_in_the_line() {
        let (line, _) = with_details().parse(LogSource::Stdout, b"hello world again\n");
        assert_eq!(line.line, b"hello world again");
        assert_eq!(line.timestamp, None);
    }

    #[test]
    fn hidden_timestamps_and_details_are_dropped() {
        let prefix = Prefix {
            keep_timestamp: false,
            keep_details: false,
            ..with_details()
        };
        let (line, _) = prefix.parse(
            LogSource::Stdout,
            b"2026-12-02T03:20:29.1Z com.docker.swarm.task.id=t1,other=1 x\r\n",
        );
        let line = prefix.finish(line).expect("no until: delivered");
        assert_eq!(line.timestamp, None);
        assert!(line.details.is_empty());
        assert_eq!(line.task_id.as_deref(), Some("t1"));
        assert_eq!(line.line, b"x", "a TTY's \\r\\n is a line ending");
    }

    #[test]
    fn until_needs_the_timestamp_it_then_drops() {
        let until = Timestamp::from_str("2026-12-02T03:20:30Z").ok();
        let prefix = Prefix {
            keep_timestamp: false,
            until,
            ..with_details()
        };
        let (before, _) = prefix.parse(LogSource::Stdout, b"2026-12-02T03:20:29.9Z  early\n");
        let before = prefix.finish(before).expect("written before until");
        assert_eq!(
            (before.timestamp, before.line.as_slice()),
            (None, &b"early"[..])
        );
        let (at, _) = prefix.parse(LogSource::Stdout, b"2026-12-02T03:20:30Z  late\n");
        assert_eq!(prefix.finish(at), None, "until is exclusive");
    }

    #[test]
    fn unescapes_like_go() {
        assert_eq!(query_unescape("a%2Fb+c%zz%4"), "a/b c%zz%4");
    }
}
