//! The private relay between the HTTP client and `docker system dial-stdio` children.
//!
//! `docker [--context C | -H HOST] system dial-stdio` opens one connection to the daemon the
//! way the docker CLI would (ssh, TLS, a unix socket) and relays raw bytes over its
//! stdin/stdout. The relay listens on a unix socket in a fresh directory only this user can
//! enter (mode 0700). It reads each HTTP/1.1 request the client sends there (heads only: the
//! client sends GETs), hands it to an idle child or starts one (at most `pool` at once), and
//! relays the answer, following its framing (`Content-Length`, chunked, or until close) so it
//! knows when the child is free again. Children are thus reused request after request,
//! whatever connections the HTTP client opens. A child is killed, with its process group
//! (the `ssh` it started), when the client leaves mid-answer (a timeout fired, a followed
//! stream was dropped), when it breaks off an answer, or when the relay is dropped. A child
//! that served before and dies while idle is replaced once, transparently.
//!
//! A child that exits with a failure leaves its stderr behind ([`ChildFailure`]): the
//! transport turns that into the error it reports (ssh's own words for a refused key).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{UnixListener, UnixStream};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::ssh::DialCommand;
use crate::error::{Error, Result};

/// The most stderr kept from one child.
const STDERR_LIMIT: usize = 64 * 1024;
/// How long a child that closed its stdout may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// What a `dial-stdio` child said when it failed, and how it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChildFailure {
    /// The command line.
    pub(crate) command: String,
    /// Its exit code (`None` when killed by a signal or never started).
    pub(crate) exit_code: Option<i32>,
    /// Its stderr, lossily decoded and trimmed.
    pub(crate) stderr: String,
    /// How it failed, in words: `exited with code 1`, `was killed by signal 9`, `answered
    /// with something that is not HTTP: "..."`, or why it could not be started.
    pub(crate) what: String,
    /// Set when it could not be started at all (the binary is missing or not executable).
    pub(crate) not_started: Option<std::io::ErrorKind>,
    /// True when the failure explains itself (a message, a start failure, an answer that is
    /// not HTTP or broke off); false for a child that died without a word, which is worth
    /// one more try.
    pub(crate) telling: bool,
}

impl ChildFailure {
    /// A failure described by `what` alone.
    fn new(command: String, what: String) -> Self {
        Self {
            command,
            exit_code: None,
            stderr: String::new(),
            what,
            not_started: None,
            telling: true,
        }
    }
}

/// Counters, idle children and the last failure, shared between the relay's tasks and the
/// transport.
#[derive(Debug)]
struct Shared {
    started: AtomicUsize,
    running: AtomicUsize,
    failure: Mutex<Option<ChildFailure>>,
    /// Children between two exchanges, most recently used last.
    idle: Mutex<Vec<DialChild>>,
    /// One permit per live child: at most `pool` children at once.
    permits: Arc<Semaphore>,
    /// Requests waiting for a child.
    waiting: AtomicUsize,
    /// Signalled when a child comes back to `idle`.
    returned: tokio::sync::Notify,
}

impl Shared {
    fn new(pool: usize) -> Self {
        Self {
            started: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            failure: Mutex::new(None),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(pool.max(1))),
            waiting: AtomicUsize::new(0),
            returned: tokio::sync::Notify::new(),
        }
    }
}

/// A listening relay; dropping it stops accepting, kills every child and removes the socket.
#[derive(Debug)]
pub(crate) struct Relay {
    dir: PathBuf,
    socket: PathBuf,
    accept: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
    dial: Arc<DialCommand>,
}

impl Relay {
    /// Binds the relay socket in a new private directory and starts accepting; at most `pool`
    /// children will run at once. Needs a tokio runtime; no child is started until the first
    /// request.
    pub(crate) fn start(dial: DialCommand, pool: usize) -> Result<Self> {
        let dir = private_dir().map_err(|source| Error::Config {
            message: format!(
                "cannot create a private directory for the docker dial-stdio relay in {}: {source}",
                std::env::temp_dir().display()
            ),
        })?;
        let socket = dir.join("docker.sock");
        let listener = match UnixListener::bind(&socket) {
            Ok(listener) => listener,
            Err(source) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(Error::Config {
                    message: format!(
                        "cannot listen on the dial-stdio relay socket {}: {source}",
                        socket.display()
                    ),
                });
            }
        };
        let shared = Arc::new(Shared::new(pool));
        let dial = Arc::new(dial);
        let accept = tokio::spawn(accept_loop(listener, dial.clone(), shared.clone()));
        Ok(Self {
            dir,
            socket,
            accept,
            shared,
            dial,
        })
    }

    /// Starts one child now, before a request needs it, unless one runs already: the
    /// transport does this as it picks dial-stdio, before its inner HTTP client sends the
    /// first request, so that request finds its connection being opened (for `ssh://`, the
    /// handshake under way). A child that fails leaves its failure for the first request to
    /// report.
    pub(crate) fn prestart(&self) {
        if self.children_running() > 0 {
            return;
        }
        let Ok(permit) = self.shared.permits.clone().try_acquire_owned() else {
            return;
        };
        match DialChild::spawn(&self.dial, &self.shared, permit) {
            Ok(child) => checkin(&self.shared, child),
            Err(failure) => record(&self.shared, failure),
        }
    }

    /// The socket the HTTP client connects to.
    pub(crate) fn socket(&self) -> &Path {
        &self.socket
    }

    /// How many children were started so far.
    pub(crate) fn children_started(&self) -> usize {
        self.shared.started.load(Ordering::SeqCst)
    }

    /// How many children are running now.
    pub(crate) fn children_running(&self) -> usize {
        self.shared.running.load(Ordering::SeqCst)
    }

    /// The last failure of a child, taken (so it is reported once).
    pub(crate) fn take_failure(&self) -> Option<ChildFailure> {
        self.shared
            .failure
            .lock()
            .ok()
            .and_then(|mut failure| failure.take())
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every connection task and
        // drops the children they hold; the idle ones are dropped here. Each child's guard
        // kills its process group.
        self.accept.abort();
        if let Ok(mut idle) = self.shared.idle.lock() {
            idle.clear();
        }
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// A fresh directory under the temp dir that only this user can enter.
fn private_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let base = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    let mut last = None;
    for _ in 0..16 {
        let name = format!(
            "swarm-tasks-{}-{nanos:x}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let dir = base.join(name);
        // `create` (not `create_all`) fails if the name exists: nobody else's directory is used.
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => last = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
}

async fn accept_loop(listener: UnixListener, dial: Arc<DialCommand>, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, dial.clone(), shared.clone()));
                }
                Err(err) => {
                    // Nothing can connect any more; requests then fail as unreachable.
                    tracing::warn!(error = %err, "the docker dial-stdio relay stopped accepting");
                    record(&shared, ChildFailure::new(
                        dial.display.clone(),
                        format!("cannot be reached: the relay stopped accepting connections: {err}"),
                    ));
                    return;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

fn record(shared: &Shared, failure: ChildFailure) {
    if let Ok(mut slot) = shared.failure.lock() {
        *slot = Some(failure);
    }
}

/// One running `docker system dial-stdio` child: an open connection to the daemon.
#[derive(Debug)]
struct DialChild {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Option<tokio::task::JoinHandle<Vec<u8>>>,
    command: String,
    /// Exchanges it served.
    served: usize,
    _group: Group,
}

/// Kills a child's whole process group when dropped (docker and the `ssh` it runs), and
/// gives back its place in the pool.
#[derive(Debug)]
struct Group {
    pid: Option<u32>,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.shared.running.fetch_sub(1, Ordering::SeqCst);
        let Some(pid) = self.pid.and_then(|pid| i32::try_from(pid).ok()) else {
            return;
        };
        if let Some(pid) = rustix::process::Pid::from_raw(pid) {
            // The group is gone once every member exited; ESRCH is then expected.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

impl DialChild {
    fn spawn(
        dial: &DialCommand,
        shared: &Arc<Shared>,
        permit: OwnedSemaphorePermit,
    ) -> Result<Self, ChildFailure> {
        let command_line = dial.display.clone();
        let mut command = tokio::process::Command::new(&dial.program);
        command
            .args(&dial.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so the ssh it starts is killed with it.
            .process_group(0)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|err| ChildFailure {
            not_started: Some(err.kind()),
            ..ChildFailure::new(command_line.clone(), err.to_string())
        })?;
        shared.started.fetch_add(1, Ordering::SeqCst);
        shared.running.fetch_add(1, Ordering::SeqCst);
        let group = Group {
            pid: child.id(),
            shared: shared.clone(),
            _permit: permit,
        };
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(ChildFailure::new(
                command_line,
                "has no standard streams to relay through".to_owned(),
            ));
        };
        tracing::debug!(command = %command_line, "started a docker dial-stdio child");
        Ok(Self {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr: Some(tokio::spawn(read_limited(stderr))),
            command: command_line,
            served: 0,
            _group: group,
        })
    }

    /// After the child stopped answering: waits for its exit and says why it failed, if it
    /// said anything.
    async fn failure(mut self) -> ChildFailure {
        let status = tokio::time::timeout(EXIT_GRACE, self.child.wait()).await;
        let stderr = match self.stderr.take() {
            Some(task) => match tokio::time::timeout(EXIT_GRACE, task).await {
                Ok(Ok(bytes)) => String::from_utf8_lossy(&bytes).trim().to_owned(),
                _ => String::new(),
            },
            None => String::new(),
        };
        let (exit_code, what) = match status {
            Ok(Ok(status)) => match (
                status.code(),
                std::os::unix::process::ExitStatusExt::signal(&status),
            ) {
                (Some(code), _) => (Some(code), format!("exited with code {code}")),
                (None, Some(signal)) => (None, format!("was killed by signal {signal}")),
                (None, None) => (None, "ended".to_owned()),
            },
            _ => (None, "stopped answering".to_owned()),
        };
        tracing::debug!(command = %self.command, ?exit_code, %stderr, "a docker dial-stdio child ended");
        ChildFailure {
            command: self.command.clone(),
            exit_code,
            telling: !stderr.is_empty(),
            stderr,
            what,
            not_started: None,
        }
    }

    /// Kills a child that answered nonsense, and says what it answered.
    async fn refused(mut self, what: String) -> ChildFailure {
        let _ = self.child.start_kill();
        let failure = self.failure().await;
        ChildFailure {
            what,
            telling: true,
            ..failure
        }
    }
}

/// How long one waiting request gives busy children to come back before it starts another.
const SPAWN_PATIENCE: Duration = Duration::from_millis(50);

/// Counts a request as waiting for a child while it lives.
struct Waiting<'a>(&'a Shared);

impl<'a> Waiting<'a> {
    fn enter(shared: &'a Shared) -> Self {
        shared.waiting.fetch_add(1, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

fn take_idle(shared: &Shared) -> Option<DialChild> {
    shared.idle.lock().ok().and_then(|mut idle| idle.pop())
}

/// Takes an idle child, or starts one when fewer than `pool` run, or waits for one.
///
/// A new child costs a `docker` process and its connection (for `ssh://` hosts two ssh
/// handshakes: docker pings the daemon on one connection before it dials the one it relays),
/// far more than a round trip. So a lone request that finds every child busy waits up to
/// [`SPAWN_PATIENCE`] for one to come back (services and nodes fetched together then share
/// one child); when several requests wait (inspecting many ids), or a child stays busy
/// (a followed log stream), another child is started.
async fn checkout(dial: &DialCommand, shared: &Arc<Shared>) -> Result<DialChild, ChildFailure> {
    let _waiting = Waiting::enter(shared);
    let patience = tokio::time::Instant::now() + SPAWN_PATIENCE;
    loop {
        if let Some(child) = take_idle(shared) {
            return Ok(child);
        }
        let lone = shared.waiting.load(Ordering::SeqCst) < 2;
        if lone
            && shared.running.load(Ordering::SeqCst) > 0
            && tokio::time::Instant::now() < patience
        {
            // Registered before looking again, so a child returned in between is not missed.
            let returned = shared.returned.notified();
            if let Some(child) = take_idle(shared) {
                return Ok(child);
            }
            let _ = tokio::time::timeout_at(patience, returned).await;
            continue;
        }
        // A permit frees when a child dies; an idle child comes back without one, so wait for
        // either, briefly, and look again.
        let permit = tokio::time::timeout(
            Duration::from_millis(20),
            shared.permits.clone().acquire_owned(),
        )
        .await;
        match permit {
            Ok(Ok(permit)) => return DialChild::spawn(dial, shared, permit),
            Ok(Err(_closed)) => {
                return Err(ChildFailure::new(
                    dial.display.clone(),
                    "cannot be started: the relay is shutting down".to_owned(),
                ));
            }
            Err(_elapsed) => {}
        }
    }
}

fn checkin(shared: &Shared, child: DialChild) {
    if let Ok(mut idle) = shared.idle.lock() {
        idle.push(child);
    }
    shared.returned.notify_waiters();
}

/// How an exchange ended.
enum Exchange {
    /// The answer was relayed whole; the child can serve again.
    Done,
    /// The answer was relayed, but the daemon closes the connection after it.
    DoneClosing,
    /// The child answered nothing (it died before or while reading the request).
    NoAnswer,
    /// The client went away (or could not be written to): the child is dropped.
    Broken,
    /// The child's answer broke off (its output ended or failed mid-body).
    ChildBroke,
    /// The child answered with something that is not an HTTP response (an excerpt).
    NotHttp(String),
}

/// Serves one client connection: each request goes to an idle (or new) child, whose answer
/// is relayed back; the child returns to the pool once the answer is complete.
async fn serve(stream: UnixStream, dial: Arc<DialCommand>, shared: Arc<Shared>) {
    let (from_client, mut to_client) = stream.into_split();
    let mut from_client = BufReader::new(from_client);
    loop {
        let request = match read_head(&mut from_client).await {
            Ok(Some(head)) => head,
            // The client closed the connection between requests, or sent garbage.
            Ok(None) | Err(_) => return,
        };
        let mut request_bytes = request.bytes;
        if let Some(length) = request.content_length {
            // Our client sends no request bodies; read one anyway so the framing stays right.
            let mut body = Vec::new();
            if (&mut from_client)
                .take(length)
                .read_to_end(&mut body)
                .await
                .is_err()
            {
                return;
            }
            request_bytes.extend_from_slice(&body);
        }
        let no_body = request.is_head;
        let mut retried = false;
        loop {
            let mut child = match checkout(&dial, &shared).await {
                Ok(child) => child,
                Err(failure) => {
                    record(&shared, failure);
                    return;
                }
            };
            let fresh = child.served == 0;
            let outcome = tokio::select! {
                outcome = exchange(&mut child, &request_bytes, no_body, &mut to_client) => outcome,
                () = client_gone(&mut from_client) => Exchange::Broken,
            };
            match outcome {
                Exchange::Done => {
                    child.served += 1;
                    checkin(&shared, child);
                    break;
                }
                Exchange::DoneClosing | Exchange::Broken => {
                    drop(child);
                    if matches!(outcome, Exchange::Broken) {
                        return;
                    }
                    break;
                }
                Exchange::NotHttp(excerpt) => {
                    let what = format!("answered with something that is not HTTP: {excerpt:?}");
                    record(&shared, child.refused(what).await);
                    return;
                }
                Exchange::ChildBroke => {
                    let failure = child.failure().await;
                    let what = format!("broke off its answer and {}", failure.what);
                    record(
                        &shared,
                        ChildFailure {
                            what,
                            telling: true,
                            ..failure
                        },
                    );
                    return;
                }
                Exchange::NoAnswer => {
                    let failure = child.failure().await;
                    // A child that served before and died while idle (its ssh connection
                    // dropped) is replaced once; a fresh one that failed says why.
                    if !fresh && !retried {
                        retried = true;
                        continue;
                    }
                    if failure.telling || failure.exit_code != Some(0) {
                        record(&shared, failure);
                    }
                    return;
                }
            }
        }
    }
}

/// Resolves when the client closes its connection (or sends something mid-answer, which an
/// HTTP/1.1 client without pipelining never does).
async fn client_gone<R: AsyncRead + Unpin>(from_client: &mut BufReader<R>) {
    let _ = from_client.fill_buf().await;
}

/// Sends one request to the child and relays its answer.
async fn exchange<W: AsyncWrite + Unpin>(
    child: &mut DialChild,
    request: &[u8],
    no_body: bool,
    to_client: &mut W,
) -> Exchange {
    if child.stdin.write_all(request).await.is_err() || child.stdin.flush().await.is_err() {
        return Exchange::NoAnswer;
    }
    // Whatever the child prints must be an HTTP response; anything else is not relayed.
    if let Ok(start) = child.stdout.fill_buf().await {
        if !start.is_empty() && !looks_like_http(start) {
            let shown = start.get(..start.len().min(64)).unwrap_or_default();
            return Exchange::NotHttp(String::from_utf8_lossy(shown).into_owned());
        }
    }
    let head = match read_head(&mut child.stdout).await {
        Ok(Some(head)) => head,
        Ok(None) | Err(_) => return Exchange::NoAnswer,
    };
    if to_client.write_all(&head.bytes).await.is_err() {
        return Exchange::Broken;
    }
    let status = head.status.unwrap_or(0);
    let bodiless = no_body || (100..200).contains(&status) || status == 204 || status == 304;
    let copied = if bodiless {
        Ok(true)
    } else if head.chunked {
        copy_chunked(&mut child.stdout, to_client)
            .await
            .map(|()| true)
    } else if let Some(length) = head.content_length {
        copy_exact(&mut child.stdout, to_client, length)
            .await
            .map(|()| true)
    } else {
        // No framing: the body ends with the connection.
        tokio::io::copy(&mut child.stdout, to_client)
            .await
            .map(|_| false)
    };
    if to_client.flush().await.is_err() {
        return Exchange::Broken;
    }
    match copied {
        Ok(true) if head.closes => Exchange::DoneClosing,
        Ok(true) => Exchange::Done,
        Ok(false) => Exchange::DoneClosing,
        Err(_) => Exchange::ChildBroke,
    }
}

/// Whether the first bytes of an answer can be the start of an HTTP/1.x status line.
fn looks_like_http(start: &[u8]) -> bool {
    const PREFIX: &[u8] = b"HTTP/";
    match start.get(..PREFIX.len()) {
        Some(prefix) => prefix == PREFIX,
        None => PREFIX.starts_with(start),
    }
}

/// A request or response head: its bytes and the framing it announces.
struct Head {
    bytes: Vec<u8>,
    /// The status code of a response.
    status: Option<u16>,
    content_length: Option<u64>,
    chunked: bool,
    closes: bool,
    is_head: bool,
}

/// The most bytes a head may take.
const HEAD_LIMIT: usize = 1 << 20;

/// Reads a head up to its empty line; `None` on a clean end of stream before it began.
async fn read_head<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Head>> {
    let mut bytes = Vec::new();
    let mut head = Head {
        bytes: Vec::new(),
        status: None,
        content_length: None,
        chunked: false,
        closes: false,
        is_head: false,
    };
    let mut first = true;
    loop {
        let start = bytes.len();
        let read = reader.read_until(b'\n', &mut bytes).await?;
        if read == 0 {
            if bytes.is_empty() {
                return Ok(None);
            }
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if bytes.len() > HEAD_LIMIT {
            return Err(std::io::Error::other("head too large"));
        }
        let line = String::from_utf8_lossy(bytes.get(start..).unwrap_or_default());
        let line = line.trim_end_matches(['\r', '\n']);
        if first {
            first = false;
            let mut words = line.split_whitespace();
            let word = words.next().unwrap_or("");
            if word.starts_with("HTTP/") {
                head.status = words.next().and_then(|code| code.parse().ok());
            } else {
                head.is_head = word.eq_ignore_ascii_case("HEAD");
            }
            continue;
        }
        if line.is_empty() {
            head.bytes = bytes;
            return Ok(Some(head));
        }
        if let Some((name, value)) = line.split_once(':') {
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                head.content_length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                head.chunked = value.to_ascii_lowercase().contains("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                head.closes = value.eq_ignore_ascii_case("close");
            }
        }
    }
}

/// Copies exactly `length` bytes.
async fn copy_exact<R, W>(from: &mut R, to: &mut W, length: u64) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let copied = tokio::io::copy(&mut from.take(length), to).await?;
    if copied < length {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// Copies a chunked body through its last chunk and trailers.
async fn copy_chunked<R, W>(from: &mut R, to: &mut W) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut line = Vec::new();
    loop {
        line.clear();
        if from.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        to.write_all(&line).await?;
        let text = String::from_utf8_lossy(&line);
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16)
            .map_err(|_| std::io::Error::other("bad chunk size"))?;
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                line.clear();
                if from.read_until(b'\n', &mut line).await? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                to.write_all(&line).await?;
                if line == b"\r\n" || line == b"\n" {
                    return Ok(());
                }
            }
        }
        // The chunk's data and its CRLF; flushed so a followed stream arrives as written.
        copy_exact(from, to, size + 2).await?;
        to.flush().await?;
    }
}

/// Reads all of a stream, keeping at most [`STDERR_LIMIT`] bytes.
async fn read_limited<R: AsyncRead + Unpin>(mut reader: R) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => return kept,
            Ok(read) => {
                let room = STDERR_LIMIT.saturating_sub(kept.len());
                kept.extend_from_slice(buffer.get(..read.min(room)).unwrap_or_default());
            }
        }
    }
}
