//! Logs the fake engine serves on `GET /tasks/{id}/logs` and `GET /services/{id}/logs`.
//!
//! A [`FakeLogs`] is a script of body writes: each piece is sent as its own HTTP chunk and
//! flushed, so a test decides exactly where frames are split; generated lines are produced
//! a batch at a time while writing, so a stream of 100,000 lines never exists whole in
//! memory. The engine sends no query-dependent filtering: tests assert on the query the
//! engine recorded instead.

use std::fmt;

/// The attribute keys the daemon puts before each line of swarm logs with `details=1`.
pub const DETAIL_KEYS: [&str; 3] = [
    "com.docker.swarm.node.id",
    "com.docker.swarm.service.id",
    "com.docker.swarm.task.id",
];

/// How a log stream ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogEnd {
    /// The body ends properly (the daemon's answer without `follow`).
    #[default]
    Close,
    /// The body stays open until the client goes away (a followed stream of a live task).
    StayOpen,
    /// The connection is closed without ending the chunked body (a daemon that died).
    Abort,
}

/// Makes the bytes of the line with this index.
pub type LineMaker = fn(usize) -> Vec<u8>;

#[derive(Clone)]
enum Piece {
    Bytes(Vec<u8>),
    Generated {
        kind: u8,
        count: usize,
        make: LineMaker,
    },
}

impl fmt::Debug for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Generated { kind, count, .. } => write!(f, "Generated({kind}, {count} lines)"),
        }
    }
}

/// A log stream for the fake engine; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct FakeLogs {
    pieces: Vec<Piece>,
    end: LogEnd,
    content_type: Option<String>,
}

impl FakeLogs {
    /// An empty stream that ends properly (what a daemon sends for the `none` log driver).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes sent as one chunk, exactly as given (raw streams, split frames).
    #[must_use]
    pub fn bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.pieces.push(Piece::Bytes(bytes.into()));
        self
    }

    /// Adds one multiplexed frame (`kind` 1 stdout, 2 stderr, 3 daemon error) as one chunk.
    #[must_use]
    pub fn frame(self, kind: u8, payload: &[u8]) -> Self {
        self.bytes(frame(kind, payload))
    }

    /// Adds `count` multiplexed frames of kind `kind`, the line with index `idx` made by
    /// `make(idx)`, generated and sent a batch at a time.
    #[must_use]
    pub fn generated(mut self, kind: u8, count: usize, make: LineMaker) -> Self {
        self.pieces.push(Piece::Generated { kind, count, make });
        self
    }

    /// How the stream ends (default: properly).
    #[must_use]
    pub fn end(mut self, end: LogEnd) -> Self {
        self.end = end;
        self
    }

    /// Sends this `Content-Type` (API 1.42+ daemons announce the framing; 20.10 sends none).
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    pub(crate) fn content_type_header(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    pub(crate) fn ending(&self) -> LogEnd {
        self.end
    }

    /// The body writes in order, generated lines batched into chunks of about 64 KiB.
    pub(crate) fn writes(&self) -> impl Iterator<Item = Vec<u8>> + Send + '_ {
        self.pieces.iter().flat_map(|piece| {
            let batches: Box<dyn Iterator<Item = Vec<u8>> + Send + '_> = match piece {
                Piece::Bytes(bytes) => Box::new(std::iter::once(bytes.clone())),
                Piece::Generated { kind, count, make } => {
                    let mut next = 0;
                    Box::new(std::iter::from_fn(move || {
                        if next >= *count {
                            return None;
                        }
                        let mut batch = Vec::with_capacity(64 * 1024);
                        while next < *count && batch.len() < 60 * 1024 {
                            batch.extend(frame(*kind, &make(next)));
                            next += 1;
                        }
                        Some(batch)
                    }))
                }
            };
            batches
        })
    }
}

/// One multiplexed frame: `[kind, 0, 0, 0, size as u32 big-endian]` then the payload.
pub fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let size = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let mut bytes = Vec::with_capacity(8 + payload.len());
    bytes.extend([kind, 0, 0, 0]);
    bytes.extend(size.to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// The `details=1` prefix of a swarm log line: `node=..,service=..,task=.. ` (with the
/// trailing space), as the daemon writes it.
pub fn details_prefix(node_id: &str, service_id: &str, task_id: &str) -> String {
    format!(
        "{}={node_id},{}={service_id},{}={task_id} ",
        DETAIL_KEYS[0], DETAIL_KEYS[1], DETAIL_KEYS[2]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_come_in_bounded_batches() {
        let logs = FakeLogs::new()
            .frame(1, b"first\n")
            .generated(2, 10_000, |idx| format!("line {idx}\n").into_bytes());
        let writes: Vec<Vec<u8>> = logs.writes().collect();
        assert_eq!(writes[0], frame(1, b"first\n"));
        assert!(writes.len() > 2 && writes.iter().all(|write| write.len() < 70 * 1024));
        let total: usize = writes[1..].iter().map(Vec::len).sum();
        let expected: usize = (0..10_000)
            .map(|idx| 8 + format!("line {idx}\n").len())
            .sum();
        assert_eq!(total, expected);
        assert!(details_prefix("n", "s", "t").ends_with("com.docker.swarm.task.id=t "));
    }
}
