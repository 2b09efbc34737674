//! The log stream decoder: the Engine API's multiplexed frames or a raw stream, fed bytes as
//! they arrive, giving whole [`LogLine`]s. Pure: no I/O, no clock.
//!
//! A multiplexed stream is a sequence of frames, each an 8-byte header `[kind, 0, 0, 0,
//! size as u32 big-endian]` and `size` bytes of one message; kind 1 is stdout, 2 stderr, 0
//! stdin (treated as stdout) and 3 an error the daemon hit while streaming. A TTY service's
//! stream has no headers: messages follow each other, each ending with `\r\n`.
//!
//! A frame may arrive split over several reads and one read may hold several frames. The
//! daemon cuts lines longer than 16 KiB into messages without a newline, each with its own
//! prefix; such pieces are joined again when they come from the same task and output.

use std::collections::VecDeque;

use super::line::Prefix;
use super::{LogLine, LogOptions, LogSource, MAX_LINE};

/// The size of a multiplexed frame's header.
const HEADER: usize = 8;
/// Frame kind of a daemon error.
const KIND_ERROR: u8 = 3;
/// The daemon splits a longer line into messages of exactly this many bytes (the buffer of
/// its log copier), without a newline; a piece of another size is a line of its own.
pub(crate) const DAEMON_PIECE: usize = 16 * 1024;

/// How the daemon framed a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Decide from the first bytes: a stream starting with a plausible header (kind 0 to 3,
    /// then three zero bytes) is multiplexed, anything else raw. Daemons before API 1.42 do
    /// not say which in `Content-Type`.
    Detect,
    /// 8-byte-header frames (services without a TTY).
    Multiplexed,
    /// No headers (TTY services, or one output of `docker service logs --raw`).
    Raw,
}

/// Why a log stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The daemon reported an error inside the stream (a kind-3 frame).
    #[error("the daemon reported an error in the log stream: {message}")]
    Daemon {
        /// The daemon's message.
        message: String,
    },
    /// The stream ended in the middle of a frame.
    #[error("the log stream ended in the middle of a frame ({missing} bytes missing)")]
    Cut {
        /// How many bytes of the frame never came (header bytes included).
        missing: usize,
    },
    /// A frame header had a kind other than 0 to 3: the stream is not multiplexed after all.
    #[error("unrecognized log frame header (stream kind {kind})")]
    UnknownKind {
        /// The kind byte.
        kind: u8,
    },
    /// A frame announced more bytes than any line may have.
    #[error("a log frame of {size} bytes exceeds the {limit}-byte limit")]
    FrameTooLarge {
        /// The announced size.
        size: u64,
        /// The limit.
        limit: usize,
    },
}

/// Decodes a log stream pushed to it in pieces; see the module docs.
#[derive(Debug)]
pub struct LogDecoder {
    framing: Framing,
    prefix: Prefix,
    raw_source: LogSource,
    max_line: usize,
    /// Received bytes; those before `start` are consumed.
    buffer: Vec<u8>,
    start: usize,
    /// A message without its newline, waiting for its continuation.
    pending: Option<LogLine>,
    ready: VecDeque<LogLine>,
}

impl LogDecoder {
    /// A decoder for a stream requested with `options`, framed as `framing`.
    pub fn new(framing: Framing, options: &LogOptions) -> Self {
        Self::with_prefix(framing, Prefix::for_options(options))
    }

    pub(crate) fn with_prefix(framing: Framing, prefix: Prefix) -> Self {
        Self {
            framing,
            prefix,
            raw_source: LogSource::Stdout,
            max_line: MAX_LINE,
            buffer: Vec::new(),
            start: 0,
            pending: None,
            ready: VecDeque::new(),
        }
    }

    /// The output a raw stream's lines are attributed to (default stdout).
    #[must_use]
    pub fn raw_source(mut self, source: LogSource) -> Self {
        self.raw_source = source;
        self
    }

    /// The largest line kept whole (default [`MAX_LINE`]), and so the largest frame.
    #[must_use]
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes.max(1);
        self
    }

    /// Feeds received bytes; decoded lines are then available from [`LogDecoder::next_line`].
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), DecodeError> {
        if self.start > 0 && self.start >= self.buffer.len() / 2 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
        self.decode(false)
    }

    /// The next decoded line, if any.
    pub fn next_line(&mut self) -> Option<LogLine> {
        self.ready.pop_front()
    }

    /// The stream ended: delivers a last line without a newline, or fails when the stream
    /// stopped in the middle of a frame (the lines before it stay available).
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        self.decode(true)?;
        let left = self.buffer.len() - self.start;
        if left > 0 {
            let missing = match self.header() {
                Some((_, size)) => (HEADER + size).saturating_sub(left),
                None => HEADER - left,
            };
            self.flush_pending();
            self.start = self.buffer.len();
            return Err(DecodeError::Cut { missing });
        }
        self.flush_pending();
        Ok(())
    }

    /// Bytes held in the decoder (undecoded input, a pending piece, decoded lines not yet
    /// taken), to check that a long stream does not accumulate.
    pub fn buffered(&self) -> usize {
        self.buffer.capacity()
            + self.pending.as_ref().map_or(0, |line| line.line.capacity())
            + self
                .ready
                .iter()
                .map(|line| line.line.capacity())
                .sum::<usize>()
    }

    fn decode(&mut self, at_end: bool) -> Result<(), DecodeError> {
        if self.framing == Framing::Detect {
            let available = &self.buffer[self.start..];
            self.framing = match available {
                [] => return Ok(()),
                [kind, ..] if *kind > KIND_ERROR => Framing::Raw,
                [_, 0, 0, 0, ..] => Framing::Multiplexed,
                [_, rest @ ..] if rest.iter().all(|byte| *byte == 0) && !at_end => {
                    return Ok(());
                }
                _ => Framing::Raw,
            };
        }
        match self.framing {
            Framing::Raw => {
                self.decode_raw(at_end);
                Ok(())
            }
            _ => self.decode_frames(),
        }
    }

    /// The kind and size of the frame at `start`, when its header is complete.
    fn header(&self) -> Option<(u8, usize)> {
        let header = self.buffer.get(self.start..self.start + HEADER)?;
        let size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
        Some((header[0], usize::try_from(size).unwrap_or(usize::MAX)))
    }

    fn decode_frames(&mut self) -> Result<(), DecodeError> {
        while let Some((kind, size)) = self.header() {
            if kind > KIND_ERROR {
                return Err(DecodeError::UnknownKind { kind });
            }
            if size > self.max_line {
                return Err(DecodeError::FrameTooLarge {
                    size: size as u64,
                    limit: self.max_line,
                });
            }
            let body_start = self.start + HEADER;
            let Some(body) = self.buffer.get(body_start..body_start + size) else {
                break;
            };
            if kind == KIND_ERROR {
                let message = String::from_utf8_lossy(body).trim().to_owned();
                self.start = body_start + size;
                self.flush_pending();
                return Err(DecodeError::Daemon { message });
            }
            let source = if kind == 2 {
                LogSource::Stderr
            } else {
                LogSource::Stdout
            };
            let (line, complete) = self.prefix.parse(source, body);
            self.start = body_start + size;
            self.message(line, complete);
        }
        Ok(())
    }

    fn decode_raw(&mut self, at_end: bool) {
        loop {
            let available = &self.buffer[self.start..];
            let end = match available.iter().position(|byte| *byte == b'\n') {
                Some(newline) if newline < self.max_line => newline + 1,
                _ if available.len() >= self.max_line => self.max_line,
                _ if at_end && !available.is_empty() => available.len(),
                _ => return,
            };
            // Raw messages are lines already: a piece cut at the limit is delivered as is.
            let (line, _complete) = self.prefix.parse(self.raw_source, &available[..end]);
            self.start += end;
            self.deliver(line);
        }
    }

    /// Joins a piece to the pending one from the same task and output, delivers what is
    /// whole, and keeps a piece the daemon cut off (a multiple of 16 KiB without a newline)
    /// pending. Any other line without a newline is delivered at once, so a prompt that a
    /// task leaves unfinished shows up while following.
    fn message(&mut self, mut line: LogLine, complete: bool) {
        if let Some(mut pending) = self.pending.take() {
            if pending.source == line.source && pending.task_id == line.task_id {
                pending.line.append(&mut line.line);
                line = pending;
            } else {
                self.deliver(pending);
            }
        }
        let cut_by_daemon = !line.line.is_empty() && line.line.len() % DAEMON_PIECE == 0;
        if complete || !cut_by_daemon || line.line.len() >= self.max_line {
            self.deliver(line);
        } else {
            self.pending = Some(line);
        }
    }

    fn flush_pending(&mut self) {
        if let Some(line) = self.pending.take() {
            self.deliver(line);
        }
    }

    fn deliver(&mut self, line: LogLine) {
        if let Some(line) = self.prefix.finish(line) {
            self.ready.push_back(line);
        }
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
