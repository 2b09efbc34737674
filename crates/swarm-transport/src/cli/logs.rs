//! [`Transport::logs`](crate::Transport::logs) by running `docker service logs --raw
//! --details [--follow] [--tail N] [--since T] [--timestamps] -- ID`.
//!
//! With `--raw` docker writes each message as the daemon sent it, without its own prefix:
//! stdout messages to its stdout and stderr messages to its stderr (a TTY service's whole
//! stream to stdout). With `--details` every message starts with the daemon's attributes,
//! which name its task, service and node, so the prefix parser the HTTP transport uses
//! gives the same [`LogLine`]s. What docker cannot do is applied here: it has no `--until`
//! and no choice of outputs, so lines are filtered by output and by their timestamps.
//!
//! docker's own complaints (no such service, daemon unreachable) also go to its stderr:
//! stderr lines without the daemon's attributes are kept apart and, when docker exits
//! non-zero, become the error. Lines of the two outputs arrive through two pipes, so their
//! order relative to each other is the order they were read in; each output keeps its own.
//!
//! Lines longer than 16 KiB come from the daemon in 16 KiB messages, each with its own
//! prefix, which `--raw` prints back to back; the repeated prefixes are removed here so the
//! line reads as one.

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::io::AsyncReadExt;

use super::CliTransport;
use super::stderr::{ErrorContext, classify};
use crate::error::{Error, ObjectKind, Result};
use crate::logs::{
    DAEMON_PIECE, Framing, LogDecoder, LogLine, LogOptions, LogSource, LogStream, LogTarget,
    MAX_LINE, unix_seconds,
};

/// The bytes read from one pipe at a time.
const READ_SIZE: usize = 64 * 1024;

impl CliTransport {
    /// The logs of a task or service through `docker service logs` (see the module docs).
    pub(super) async fn logs_commands(
        &self,
        target: &LogTarget,
        options: &LogOptions,
    ) -> Result<LogStream> {
        let subcommand = logs_args(target, options);
        super::command::refuse_nul(&subcommand)?;
        let invocation = &self.inner.invocation;
        let command_line = invocation.display(&subcommand);
        tracing::debug!(command = %command_line, "running docker");
        let mut command = tokio::process::Command::new(&invocation.program);
        command
            .args(invocation.args_for(&subcommand))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Dropping the stream (the end of a follow) must not leave docker running.
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|source| Error::CliNotFound {
            program: invocation.program.clone(),
            source,
        })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(Error::CliFailed {
                command: command_line,
                exit_code: None,
                stderr: "docker's output pipes were not available".to_owned(),
            });
        };
        let chunks = futures::stream::select(
            pipe_chunks(stdout, LogSource::Stdout),
            pipe_chunks(stderr, LogSource::Stderr),
        );
        // docker's complaints must not be filtered away with the task's stderr.
        let mut stderr_options = options.clone();
        stderr_options.stderr = true;
        let state = State {
            chunks: Box::pin(chunks),
            child,
            outputs: [
                Output::new(LogDecoder::new(Framing::Raw, options), options),
                Output::new(
                    LogDecoder::new(Framing::Raw, &stderr_options).raw_source(LogSource::Stderr),
                    options,
                ),
            ],
            keep_stderr: options.stderr,
            docker_said: String::new(),
            idle_timeout: (!options.follow).then_some(invocation.timeout).flatten(),
            endpoint: self.inner.endpoint.clone(),
            command: command_line,
            target: target.clone(),
            leftover: VecDeque::new(),
            failure: None,
            finished: false,
        };
        Ok(Box::pin(futures::stream::unfold(state, next)))
    }
}

/// `service logs --raw --details` with the options docker has, `--` and the target.
fn logs_args(target: &LogTarget, options: &LogOptions) -> Vec<String> {
    let mut args: Vec<String> = ["service", "logs", "--raw", "--details"]
        .map(str::to_owned)
        .to_vec();
    if options.follow {
        args.push("--follow".to_owned());
    }
    if options.wants_timestamps() {
        args.push("--timestamps".to_owned());
    }
    if let Some(tail) = options.tail {
        args.push("--tail".to_owned());
        args.push(tail.to_string());
    }
    if let Some(since) = &options.since {
        args.push("--since".to_owned());
        args.push(unix_seconds(since));
    }
    args.push("--".to_owned());
    args.push(target.id().to_owned());
    args
}

type Chunk = (LogSource, std::io::Result<Vec<u8>>);

/// What one pipe delivers, read by read, tagged with its output.
fn pipe_chunks<R>(pipe: R, source: LogSource) -> impl Stream<Item = Chunk> + Send
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    futures::stream::unfold(Some(pipe), move |pipe| async move {
        let mut pipe = pipe?;
        let mut buffer = vec![0; READ_SIZE];
        match pipe.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some(((source, Ok(buffer)), Some(pipe)))
            }
            Err(err) => Some(((source, Err(err)), None)),
        }
    })
}

/// One output of docker: its pieces joined back into lines, then decoded.
struct Output {
    joiner: Joiner,
    decoder: LogDecoder,
}

impl Output {
    fn new(decoder: LogDecoder, options: &LogOptions) -> Self {
        Self {
            joiner: Joiner::new(if options.wants_timestamps() { 2 } else { 1 }),
            decoder,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        for message in self.joiner.push(bytes) {
            // A raw decoder cannot fail.
            let _ = self.decoder.push(&message);
        }
    }

    fn finish(&mut self) {
        for message in self.joiner.finish() {
            let _ = self.decoder.push(&message);
        }
        let _ = self.decoder.finish();
    }
}

/// Collects one output's bytes into whole messages, one per line: it removes the prefixes
/// the daemon repeated inside a line it cut into 16 KiB pieces, and splits off a message
/// that had no newline (docker printed the next one right after it).
struct Joiner {
    /// Space-separated tokens before the line: the timestamp (when asked for) and the
    /// attributes.
    prefix_tokens: usize,
    buffer: Vec<u8>,
}

/// How the attributes of a swarm log message start (the daemon sorts them).
const ATTRIBUTES_START: &[u8] = b"com.docker.swarm.node.id=";
/// The length of the daemon's timestamp (RFC 3339, nine fractional digits) and its space.
const TIMESTAMP_TOKEN: usize = "2006-01-02T15:04:05.000000000Z ".len();

impl Joiner {
    fn new(prefix_tokens: usize) -> Self {
        Self {
            prefix_tokens,
            buffer: Vec::new(),
        }
    }

    /// The whole messages completed by `bytes`, each ending with a newline.
    fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.buffer.extend_from_slice(bytes);
        let mut messages = Vec::new();
        while let Some(newline) = self.buffer.iter().position(|byte| *byte == b'\n') {
            let rest = self.buffer.split_off(newline + 1);
            let line = std::mem::replace(&mut self.buffer, rest);
            messages.extend(self.messages(&line));
        }
        if self.buffer.len() >= MAX_LINE {
            messages.push(std::mem::take(&mut self.buffer));
        }
        messages
    }

    /// A last message without a newline.
    fn finish(&mut self) -> Vec<Vec<u8>> {
        let rest = std::mem::take(&mut self.buffer);
        if rest.is_empty() {
            Vec::new()
        } else {
            self.messages(&rest)
        }
    }

    /// The messages in one printed line.
    fn messages(&self, line: &[u8]) -> Vec<Vec<u8>> {
        let Some(first) = prefix_len(line, self.prefix_tokens) else {
            return vec![line.to_vec()];
        };
        let mut messages = Vec::new();
        let mut prefix = &line[..first];
        let mut current = prefix.to_vec();
        let mut body = 0;
        let mut rest = &line[first..];
        while let Some((at, len)) = self.next_prefix(rest) {
            current.extend_from_slice(&rest[..at]);
            body += at;
            let next = &rest[at..at + len];
            let continuation = next == prefix && body > 0 && body % DAEMON_PIECE == 0;
            if !continuation {
                current.push(b'\n');
                messages.push(std::mem::replace(&mut current, next.to_vec()));
                prefix = next;
                body = 0;
            }
            rest = &rest[at + len..];
        }
        current.extend_from_slice(rest);
        messages.push(current);
        messages
    }

    /// Where the next message's prefix starts inside `bytes`, and its length.
    fn next_prefix(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        let mut from = 0;
        loop {
            let found = bytes
                .get(from..)?
                .windows(ATTRIBUTES_START.len())
                .position(|window| window == ATTRIBUTES_START)?
                + from;
            let start = if self.prefix_tokens == 2 {
                found
                    .checked_sub(TIMESTAMP_TOKEN)
                    .filter(|start| is_timestamp_token(&bytes[*start..found]))
            } else {
                Some(found)
            };
            if let Some(start) = start {
                if let Some(len) = prefix_len(&bytes[start..], self.prefix_tokens) {
                    return Some((start, len));
                }
            }
            from = found + 1;
        }
    }
}

/// `2006-01-02T15:04:05.000000000Z ` as the daemon writes it.
fn is_timestamp_token(token: &[u8]) -> bool {
    token.len() == TIMESTAMP_TOKEN
        && token.ends_with(b"Z ")
        && token[..4].iter().all(u8::is_ascii_digit)
        && token[10] == b'T'
        && token[19] == b'.'
}

/// The length of the first `tokens` space-terminated tokens of `message`.
fn prefix_len(message: &[u8], tokens: usize) -> Option<usize> {
    let mut end = 0;
    for _ in 0..tokens {
        let space = message.get(end..)?.iter().position(|byte| *byte == b' ')?;
        end += space + 1;
    }
    Some(end)
}

struct State<S> {
    chunks: std::pin::Pin<Box<S>>,
    child: tokio::process::Child,
    /// stdout, stderr.
    outputs: [Output; 2],
    keep_stderr: bool,
    /// stderr lines without attributes: docker's own words.
    docker_said: String,
    idle_timeout: Option<Duration>,
    endpoint: String,
    command: String,
    target: LogTarget,
    /// Lines decoded at the end, delivered before `failure`.
    leftover: VecDeque<LogLine>,
    /// An error to deliver once the lines before it are out.
    failure: Option<Error>,
    finished: bool,
}

impl<S> State<S> {
    /// The next line decoded from either output, separating docker's own stderr lines.
    fn next_line(&mut self) -> Option<LogLine> {
        if let Some(line) = self.outputs[0].decoder.next_line() {
            return Some(line);
        }
        while let Some(line) = self.outputs[1].decoder.next_line() {
            if line.task_id.is_none() && line.service_id.is_none() {
                self.docker_said.push_str(&line.text());
                self.docker_said.push('\n');
            } else if self.keep_stderr {
                return Some(line);
            }
        }
        None
    }

    /// docker's exit, once both pipes are closed: `Some` error when it failed.
    async fn exit_error(&mut self) -> Option<Error> {
        let status = match self.child.wait().await {
            Ok(status) => status,
            Err(source) => {
                return Some(Error::CliFailed {
                    command: self.command.clone(),
                    exit_code: None,
                    stderr: source.to_string(),
                });
            }
        };
        if status.success() {
            if !self.docker_said.trim().is_empty() {
                tracing::warn!(command = %self.command, stderr = %self.docker_said.trim(), "docker wrote to stderr");
            }
            return None;
        }
        let said = self.docker_said.trim();
        if let Some(id) = said
            .lines()
            .find_map(|line| line.trim().strip_prefix("no such task or service: "))
        {
            return Some(Error::NotFound {
                kind: match self.target {
                    LogTarget::Task(_) => ObjectKind::Task,
                    LogTarget::Service(_) => ObjectKind::Service,
                },
                id: id.to_owned(),
            });
        }
        Some(classify(
            said,
            ErrorContext {
                endpoint: &self.endpoint,
                command: &self.command,
                exit_code: status.code(),
            },
        ))
    }
}

async fn next<S>(mut state: State<S>) -> Option<(Result<LogLine>, State<S>)>
where
    S: Stream<Item = Chunk>,
{
    loop {
        if let Some(line) = state.leftover.pop_front().or_else(|| state.next_line()) {
            return Some((Ok(line), state));
        }
        if let Some(err) = state.failure.take() {
            return Some((Err(err), state));
        }
        if state.finished {
            return None;
        }
        let received = match state.idle_timeout {
            Some(limit) => match tokio::time::timeout(limit, state.chunks.next()).await {
                Ok(received) => received,
                Err(_) => {
                    state.finished = true;
                    state.failure = Some(Error::Timeout {
                        endpoint: state.endpoint.clone(),
                        after: limit,
                    });
                    continue;
                }
            },
            None => state.chunks.next().await,
        };
        match received {
            Some((source, Ok(bytes))) => state.outputs[source_index(source)].push(&bytes),
            Some((_, Err(err))) => {
                state.finished = true;
                state.failure = Some(Error::CliFailed {
                    command: state.command.clone(),
                    exit_code: None,
                    stderr: format!("reading docker's output: {err}"),
                });
            }
            None => {
                // Both pipes closed: the last lines, then docker's verdict after them.
                state.finished = true;
                for output in &mut state.outputs {
                    output.finish();
                }
                while let Some(line) = state.next_line() {
                    state.leftover.push_back(line);
                }
                state.failure = state.exit_error().await;
            }
        }
    }
}

fn source_index(source: LogSource) -> usize {
    match source {
        LogSource::Stdout => 0,
        LogSource::Stderr => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TS: &str = "2026-12-02T03:20:29.978126457Z ";
    const ATTRS: &str =
        "com.docker.swarm.node.id=n,com.docker.swarm.service.id=s,com.docker.swarm.task.id=t ";

    #[test]
    fn arguments_put_the_target_after_double_dash() {
        let options = LogOptions::new().follow(true).tail(3).until(
            "2026-12-02T03:20:30Z"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(
            logs_args(&LogTarget::Task("-x".to_owned()), &options),
            [
                "service",
                "logs",
                "--raw",
                "--details",
                "--follow",
                "--timestamps",
                "--tail",
                "3",
                "--",
                "-x"
            ]
        );
    }

    #[test]
    fn a_message_without_newline_is_split_from_the_next() {
        let mut joiner = Joiner::new(2);
        let printed = format!("{TS}{ATTRS}no newline{TS}{ATTRS}next\n");
        assert_eq!(
            joiner.push(printed.as_bytes()),
            [
                format!("{TS}{ATTRS}no newline\n").into_bytes(),
                format!("{TS}{ATTRS}next\n").into_bytes()
            ]
        );
        assert!(joiner.push(format!("{ATTRS}partial").as_bytes()).is_empty());
        assert_eq!(joiner.finish(), [format!("{ATTRS}partial").into_bytes()]);
    }

    #[test]
    fn pieces_of_a_long_line_lose_their_repeated_prefix() {
        let mut joiner = Joiner::new(1);
        let piece = "x".repeat(DAEMON_PIECE);
        let printed = format!("{ATTRS}{piece}{ATTRS}{piece}{ATTRS}end\n");
        assert_eq!(
            joiner.push(printed.as_bytes()),
            [format!("{ATTRS}{piece}{piece}end\n").into_bytes()]
        );
        let short = format!("{ATTRS}short{ATTRS}other\n");
        assert_eq!(joiner.push(short.as_bytes()).len(), 2, "not a 16 KiB piece");
        assert_eq!(
            joiner.push(b"docker's own words\n"),
            [b"docker's own words\n".to_vec()]
        );
    }
}
