//! [`FakeEngine`]: serves a [`FakeSwarm`] like a Docker Engine on loopback TCP or a unix
//! socket, records every request and injects faults.
//!
//! The engine runs on its own thread with its own Tokio runtime, like reqwest's test server:
//! it keeps answering while the test blocks (a `std::process::Command` running `docker`, a
//! blocking client), and it works from `#[test]` and `#[tokio::test]` alike.
//! [`FakeEngine::start_local`] instead serves from the test's own runtime, so that a paused
//! clock governs the engine too. Dropping the engine stops it and closes every connection.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::watch;

use crate::api::{self, Context};
use crate::fault::{Fault, FaultRule, NotManagerKind};
use crate::faults;
use crate::http::{self, Request, Response};
use crate::logs::{FakeLogs, LogEnd};
use crate::swarm::FakeSwarm;

/// One request the engine received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The path without the `/vX.Y` prefix, percent-decoded (`/tasks`, `/tasks/abc`).
    pub path: String,
    /// The raw query string, if any (still percent-encoded).
    pub query: Option<String>,
    /// The API version of the prefix (`"1.41"`), if the path had one.
    pub version: Option<String>,
}

impl RecordedRequest {
    /// The decoded value of a query parameter (e.g. `filters`).
    pub fn query_param(&self, name: &str) -> Option<String> {
        let request = Request {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            keep_alive: true,
        };
        request.query_param(name)
    }
}

/// A fake Docker Engine serving a [`FakeSwarm`]. See the crate docs for an example.
#[derive(Debug)]
pub struct FakeEngine {
    host: String,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    socket_path: Option<PathBuf>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    swarm: FakeSwarm,
    rules: Vec<FaultRule>,
    max_api_version: String,
    min_api_version: String,
    requests: Vec<RecordedRequest>,
    unknown_routes: Vec<String>,
    logs: std::collections::HashMap<String, FakeLogs>,
}

impl FakeEngine {
    /// Serves `swarm` over HTTP on `127.0.0.1` with an ephemeral port.
    ///
    /// # Panics
    /// When no loopback port can be bound (the test cannot run at all then).
    pub async fn start(swarm: FakeSwarm) -> FakeEngine {
        Self::start_blocking(swarm)
    }

    /// Serves `swarm` over a unix socket created at `path` (removed again on drop).
    ///
    /// # Panics
    /// When the socket cannot be created (e.g. the path exists or its folder does not).
    pub async fn start_unix(swarm: FakeSwarm, path: impl AsRef<Path>) -> FakeEngine {
        match Self::spawn_unix(swarm, path.as_ref()) {
            Ok(engine) => engine,
            Err(err) => panic!(
                "fake engine: cannot listen on {}: {err}",
                path.as_ref().display()
            ),
        }
    }

    /// [`FakeEngine::start`] for code without an async context.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub fn start_blocking(swarm: FakeSwarm) -> FakeEngine {
        match Self::spawn_tcp(swarm) {
            Ok(engine) => engine,
            Err(err) => panic!("fake engine: cannot listen on 127.0.0.1: {err}"),
        }
    }

    /// Serves `swarm` over TCP from tasks on the CURRENT Tokio runtime instead of a thread of
    /// its own. The engine then lives on the test's clock: under `tokio::time::pause`, a
    /// [`Fault::Latency`] of an hour passes instantly and client timeouts fire exactly when
    /// the virtual clock says so. The test must not block its runtime while the engine
    /// answers (use `tokio::process`, not `std::process`, to run `docker`).
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start_local(swarm: FakeSwarm) -> FakeEngine {
        let result = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| {
            listener.set_nonblocking(true)?;
            let host = format!("tcp://{}", listener.local_addr()?);
            let handle = tokio::runtime::Handle::current();
            Self::spawn(swarm, host, None, Listener::Tcp(listener), Some(handle))
        });
        match result {
            Ok(engine) => engine,
            Err(err) => panic!("fake engine: cannot listen on 127.0.0.1: {err}"),
        }
    }

    /// Serves over TCP; the error when binding fails.
    pub fn spawn_tcp(swarm: FakeSwarm) -> io::Result<FakeEngine> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let host = format!("tcp://{}", listener.local_addr()?);
        Self::spawn(swarm, host, None, Listener::Tcp(listener), None)
    }

    /// Serves over a unix socket at `path` whose listen queue holds `backlog` connections:
    /// with a small one, a burst of connects fails with `EAGAIN` ("Resource temporarily
    /// unavailable") as on a busy daemon.
    pub fn spawn_unix_with_backlog(
        swarm: FakeSwarm,
        path: &Path,
        backlog: i32,
    ) -> io::Result<FakeEngine> {
        let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        socket.bind(&socket2::SockAddr::unix(path)?)?;
        socket.listen(backlog)?;
        let listener = std::os::unix::net::UnixListener::from(std::os::fd::OwnedFd::from(socket));
        listener.set_nonblocking(true)?;
        let host = format!("unix://{}", path.display());
        Self::spawn(
            swarm,
            host,
            Some(path.to_owned()),
            Listener::Unix(listener),
            None,
        )
    }

    /// Serves over a unix socket at `path`; the error when binding fails.
    pub fn spawn_unix(swarm: FakeSwarm, path: &Path) -> io::Result<FakeEngine> {
        let listener = std::os::unix::net::UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        let host = format!("unix://{}", path.display());
        Self::spawn(
            swarm,
            host,
            Some(path.to_owned()),
            Listener::Unix(listener),
            None,
        )
    }

    fn spawn(
        swarm: FakeSwarm,
        host: String,
        socket_path: Option<PathBuf>,
        listener: Listener,
        local: Option<tokio::runtime::Handle>,
    ) -> io::Result<FakeEngine> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                swarm,
                rules: Vec::new(),
                max_api_version: "1.41".to_owned(),
                min_api_version: "1.12".to_owned(),
                requests: Vec::new(),
                unknown_routes: Vec::new(),
                logs: std::collections::HashMap::new(),
            }),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let loop_shared = Arc::clone(&shared);
        let thread = match local {
            Some(handle) => {
                handle.spawn(accept_loop(listener, loop_shared, shutdown_rx));
                None
            }
            None => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                let thread = std::thread::Builder::new()
                    .name("fake-docker-engine".into())
                    .spawn(move || {
                        runtime.block_on(accept_loop(listener, loop_shared, shutdown_rx))
                    })?;
                Some(thread)
            }
        };
        Ok(FakeEngine {
            host,
            shared,
            shutdown,
            thread,
            socket_path,
        })
    }

    /// Where to reach the engine: `tcp://127.0.0.1:PORT` or `unix:///path/to.sock`, usable as
    /// `DOCKER_HOST` and with `docker -H`.
    pub fn host(&self) -> String {
        self.host.clone()
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Forgets the recorded requests (and the unknown routes).
    pub fn reset_requests(&self) {
        let mut state = self.state();
        state.requests.clear();
        state.unknown_routes.clear();
    }

    /// Requests no route matched, as `"METHOD /path"` (with the version prefix): they were
    /// answered 404 `page not found`. Handy to find out what a client needs.
    pub fn unknown_routes(&self) -> Vec<String> {
        self.state().unknown_routes.clone()
    }

    /// Applies `fault` to every request until [`FakeEngine::clear_fault`] (replacing any
    /// earlier rules).
    pub fn set_fault(&self, fault: Fault) {
        self.state().rules = vec![FaultRule::new(fault)];
    }

    /// Adds a rule (path prefix, number of times); rules are tried in the order added and
    /// the first that applies is used.
    pub fn add_fault(&self, rule: FaultRule) {
        self.state().rules.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_fault(&self) {
        self.state().rules.clear();
    }

    /// Sets the highest API version served (default `"1.41"`, like Docker 20.10): `/_ping`
    /// and `/version` report it and higher `/vX.Y` prefixes are rejected.
    pub fn set_max_api_version(&self, version: &str) {
        self.state().max_api_version = version.to_owned();
    }

    /// Sets the lowest API version served (default `"1.12"`).
    pub fn set_min_api_version(&self, version: &str) {
        self.state().min_api_version = version.to_owned();
    }

    /// Serves `logs` for the task or service with this full ID (a task's or service's logs
    /// route given any ID, name or prefix that resolves to it). Targets without logs get an
    /// empty stream, as from a daemon whose log driver keeps nothing.
    pub fn set_logs(&self, id: &str, logs: FakeLogs) {
        self.state().logs.insert(id.to_owned(), logs);
    }

    /// Changes the swarm between requests (e.g. a task moving to `running`).
    pub fn update<T>(&self, change: impl FnOnce(&mut FakeSwarm) -> T) -> T {
        change(&mut self.state().swarm)
    }

    /// A copy of the swarm as it is now.
    pub fn swarm(&self) -> FakeSwarm {
        self.state().swarm.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

enum Listener {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener),
}

/// A connection the engine can also reset (TCP: `SO_LINGER` 0, so the client sees a reset).
trait Connection: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    fn prepare_reset(&self) {}
}

impl Connection for tokio::net::TcpStream {
    fn prepare_reset(&self) {
        let _ = self.set_zero_linger();
    }
}

impl Connection for tokio::net::UnixStream {}

async fn accept_loop(listener: Listener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let result = match listener {
        Listener::Tcp(listener) => match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            // Headers and body go out in separate writes: without NODELAY,
                            // Nagle's algorithm and the client's delayed ACK add ~40 ms to
                            // every answer, and benchmarks would count round trips only.
                            if let Err(err) = stream.set_nodelay(true) {
                                tracing::debug!("fake engine: cannot set TCP_NODELAY: {err}");
                            }
                            spawn_connection(stream, &shared, &shutdown)
                        }
                        Err(err) => tracing::debug!("fake engine: accept failed: {err}"),
                    },
                    _ = shutdown.changed() => break Ok(()),
                }
            },
            Err(err) => Err(err),
        },
        Listener::Unix(listener) => match tokio::net::UnixListener::from_std(listener) {
            Ok(listener) => loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => spawn_connection(stream, &shared, &shutdown),
                        Err(err) => tracing::debug!("fake engine: accept failed: {err}"),
                    },
                    _ = shutdown.changed() => break Ok(()),
                }
            },
            Err(err) => Err(err),
        },
    };
    if let Err(err) = result {
        tracing::warn!("fake engine: cannot serve: {err}");
    }
}

fn spawn_connection(
    stream: impl Connection,
    shared: &Arc<Shared>,
    shutdown: &watch::Receiver<bool>,
) {
    let shared = Arc::clone(shared);
    let mut shutdown = shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            result = serve_connection(stream, shared) => {
                if let Err(err) = result {
                    tracing::debug!("fake engine: connection ended: {err}");
                }
            }
            _ = shutdown.changed() => {}
        }
    });
}

async fn serve_connection(stream: impl Connection, shared: Arc<Shared>) -> io::Result<()> {
    let mut stream = BufReader::new(stream);
    while let Some(request) = http::read_request(&mut stream).await? {
        let (swarm, mut context, fault) = prepare(&shared, &request);
        let keep_alive = request.keep_alive;
        let head_only = request.method == "HEAD";
        match fault {
            None => {}
            Some(Fault::Latency(delay)) => tokio::time::sleep(delay).await,
            Some(Fault::ResetConnection) => {
                stream.get_ref().prepare_reset();
                return Ok(());
            }
            Some(Fault::NotManager(kind)) => context.not_manager = Some(kind),
            Some(other) => {
                let normal = || api::route(&swarm, &request, &context).0;
                let keep_going =
                    faults::answer(stream.get_mut(), &other, normal, head_only, keep_alive).await?;
                if !keep_going {
                    stream.get_mut().shutdown().await?;
                    return Ok(());
                }
                continue;
            }
        }
        match api::logs_route(&swarm, &request, &context) {
            Some(api::LogsRoute::Serve { id }) => {
                let logs = shared
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .logs
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                serve_logs(stream.get_mut(), &logs, &context).await?;
                if logs.ending() != LogEnd::Close || !keep_alive {
                    stream.get_mut().shutdown().await?;
                    return Ok(());
                }
                continue;
            }
            Some(api::LogsRoute::Answer(response)) => {
                http::write_response(stream.get_mut(), &response, head_only, keep_alive).await?;
                continue;
            }
            None => {}
        }
        let (response, known) = api::route(&swarm, &request, &context);
        if !known {
            let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            state
                .unknown_routes
                .push(format!("{} {}", request.method, request.path));
        }
        http::write_response(stream.get_mut(), &response, head_only, keep_alive).await?;
        if !keep_alive {
            stream.get_mut().shutdown().await?;
            return Ok(());
        }
    }
    Ok(())
}

/// Streams a scripted log body: chunked, one chunk per write, flushed after each; then ends
/// as the script says (a followed stream stays open until the client or the engine goes).
async fn serve_logs<W: AsyncWrite + Unpin>(
    writer: &mut W,
    logs: &FakeLogs,
    context: &Context,
) -> io::Result<()> {
    let mut response = api::with_headers(
        Response {
            status: 200,
            headers: Vec::new(),
            body: Arc::default(),
        },
        context,
    );
    if let Some(content_type) = logs.content_type_header() {
        response = response.header("Content-Type", content_type);
    }
    http::write_head(writer, &response, None, true).await?;
    for write in logs.writes() {
        if write.is_empty() {
            continue;
        }
        http::write_chunk(writer, &write).await?;
        writer.flush().await?;
    }
    match logs.ending() {
        LogEnd::Close => {
            writer.write_all(b"0\r\n\r\n").await?;
            writer.flush().await
        }
        LogEnd::Abort => Ok(()),
        LogEnd::StayOpen => std::future::pending().await,
    }
}

/// Records the request and takes what answering it needs from the shared state.
fn prepare(shared: &Shared, request: &Request) -> (FakeSwarm, Context, Option<Fault>) {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    let (version, path) = api::split_version(&request.path);
    let path = path.to_owned();
    state.requests.push(RecordedRequest {
        method: request.method.clone(),
        path: path.clone(),
        query: request.query.clone(),
        version: version.map(str::to_owned),
    });
    let fault = state
        .rules
        .iter_mut()
        .find(|rule| rule.applies_to(&path))
        .map(|rule| {
            if let Some(remaining) = &mut rule.remaining {
                *remaining -= 1;
            }
            rule.fault.clone()
        });
    let context = Context {
        max_api_version: state.max_api_version.clone(),
        min_api_version: state.min_api_version.clone(),
        not_manager: None::<NotManagerKind>,
    };
    (state.swarm.clone(), context, fault)
}
