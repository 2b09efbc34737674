//! How a [`CliTransport`](super::CliTransport) connects: the Engine API over
//! `docker system dial-stdio`, or docker commands when the binary has no dial-stdio.
//!
//! In dial-stdio mode an inner [`HttpTransport`] sends exactly the requests the HTTP
//! transport sends (one implementation of requests and decoding) to a private relay socket
//! (`relay.rs`) whose connections are piped to `docker ... system dial-stdio` children.

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::command::Invocation;
use super::relay::{ChildFailure, Relay};
use super::ssh::DialCommand;
use super::stderr::{ErrorContext, classify};
use crate::error::{Error, Result};
use crate::http::HttpTransport;

/// How a `CliTransport` reaches the daemon through the docker binary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CliConnection {
    /// Dial-stdio, falling back to docker commands for a binary without it: when the first
    /// child fails before any answer, `docker system dial-stdio --help` is asked (once per
    /// client) whether the binary has the command.
    #[default]
    Auto,
    /// The Engine API over `docker system dial-stdio` children.
    DialStdio,
    /// One `docker` command per question (`docker service ps`, `docker inspect`, ...): for
    /// docker binaries without dial-stdio (before 18.09).
    Commands,
}

/// The connection chosen for one client.
#[derive(Debug)]
pub(super) enum Mode {
    /// Over dial-stdio children.
    DialStdio(Box<DialStdio>),
    /// Docker commands.
    Commands,
}

/// Settings the inner HTTP transport takes from the CLI transport's.
#[derive(Debug, Clone)]
pub(super) struct DialSettings {
    /// Requests in flight at once, across calls (one per child), and the idle connections kept.
    pub(super) concurrency: usize,
    /// Limit for one request.
    pub(super) timeout: Option<Duration>,
    /// A pinned API version.
    pub(super) api_version: Option<String>,
    /// The `ssh` program for `ssh://` endpoints, run directly; `None`: docker dials them.
    pub(super) ssh_program: Option<PathBuf>,
}

/// The relay and the HTTP transport that talks through it.
#[derive(Debug)]
pub(super) struct DialStdio {
    // Field order matters for drop: the HTTP client's connections close before the relay.
    http: HttpTransport,
    relay: Relay,
    endpoint: String,
    /// The program each child runs (`docker`, or `ssh` for an ssh:// endpoint).
    program: PathBuf,
    /// Set once dial-stdio is known to work here: asked for ([`CliConnection::DialStdio`]),
    /// an `ssh://` endpoint (no docker binary involved), or a call answered.
    confirmed: AtomicBool,
    /// Set when a call failed because a child failed (it exited, or answered something
    /// other than HTTP): with `confirmed` unset, maybe a binary without dial-stdio.
    child_failed: AtomicBool,
}

/// Asks the binary whether it has `system dial-stdio`: its help names the command.
pub(super) async fn has_dial_stdio(invocation: &Invocation) -> Result<bool> {
    let probe = Invocation {
        // Global flags are left out: help needs no daemon and no context.
        context: None,
        host: None,
        config_dir: None,
        timeout: invocation.timeout,
        program: invocation.program.clone(),
    };
    let args = ["system", "dial-stdio", "--help"].map(str::to_owned);
    let output = probe.run(&args).await?;
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(output.success && text.contains("dial-stdio"))
}

/// Picks the mode for a client. `Auto` starts dial-stdio without asking the binary first
/// (nearly every binary has it: the question would cost a second docker process on every
/// run); the transport asks only when the first child fails ([`DialStdio::may_lack_dial_stdio`]).
pub(super) fn choose(
    connection: CliConnection,
    invocation: &Invocation,
    endpoint: &str,
    settings: DialSettings,
) -> Result<Mode> {
    if connection == CliConnection::Commands {
        return Ok(Mode::Commands);
    }
    let command = DialCommand::for_invocation(invocation, settings.ssh_program.as_deref());
    let confirmed = connection == CliConnection::DialStdio || command.direct_ssh;
    if command.direct_ssh {
        // docker's own way to reach an ssh:// host, one handshake per child; the local
        // docker binary is not involved.
        tracing::debug!(%endpoint, command = %command.display, "CLI transport: the Engine API over ssh, as docker's connection helper dials it");
    } else {
        tracing::debug!(%endpoint, "CLI transport: the Engine API over `docker system dial-stdio`");
    }
    // The first child starts now, so the first request finds its connection being opened
    // (for ssh://, the handshake under way).
    let dial = DialStdio::start(command, endpoint, &settings, confirmed)?;
    dial.relay.prestart();
    Ok(Mode::DialStdio(Box::new(dial)))
}

impl DialStdio {
    fn start(
        command: DialCommand,
        endpoint: &str,
        settings: &DialSettings,
        confirmed: bool,
    ) -> Result<Self> {
        let program = command.program.clone();
        let relay = Relay::start(command, settings.concurrency)?;
        let mut http = HttpTransport::builder()
            .host(format!("unix://{}", relay.socket().display()))
            .display_as(endpoint.to_owned())
            .api_version(settings.api_version.clone())
            .inspect_concurrency(settings.concurrency)
            // One request per child: none waits in the relay for a child, on its own clock.
            .max_concurrent_requests(settings.concurrency)
            .max_idle_connections(settings.concurrency);
        if let Some(timeout) = settings.timeout {
            http = http.request_timeout(timeout).connect_timeout(timeout);
        }
        Ok(Self {
            http: http.build()?,
            relay,
            endpoint: endpoint.to_owned(),
            program,
            confirmed: AtomicBool::new(confirmed),
            child_failed: AtomicBool::new(false),
        })
    }

    /// True when no call was answered yet and one failed because its child failed: the
    /// binary may have no dial-stdio (an old one prints its usage, or an error, and exits).
    pub(super) fn may_lack_dial_stdio(&self) -> bool {
        !self.confirmed.load(Ordering::SeqCst) && self.child_failed.load(Ordering::SeqCst)
    }

    /// Whether dial-stdio is known to work here (see `confirmed`).
    pub(super) fn confirmed(&self) -> bool {
        self.confirmed.load(Ordering::SeqCst)
    }

    /// Children started so far.
    pub(super) fn children_started(&self) -> usize {
        self.relay.children_started()
    }

    /// Children running now.
    pub(super) fn children_running(&self) -> usize {
        self.relay.children_running()
    }

    /// Runs an operation on the inner transport. A child that died without saying why (killed,
    /// or its connection dropped) is replaced once: the operation runs again on a new child,
    /// and a second such death is reported with how the child ended (`was killed by signal
    /// 9`). A child that failed with a message (ssh refused the key, unknown context) makes the
    /// error that message mapped like the command path maps docker's stderr; one that could not
    /// be started is [`Error::CliNotFound`]; one that answered something other than HTTP, or
    /// broke off its answer, is [`Error::DaemonUnreachable`] naming the command and what it did.
    pub(super) async fn call<'a, T, F, Fut>(&'a self, what: &str, op: F) -> Result<T>
    where
        F: Fn(HttpTransport) -> Fut,
        Fut: Future<Output = Result<T>> + 'a,
    {
        let started = Instant::now();
        let answered = self.http.answered();
        let mut retried = false;
        loop {
            match op(self.http.clone()).await {
                Ok(value) => {
                    self.confirmed.store(true, Ordering::SeqCst);
                    return Ok(value);
                }
                Err(Error::DaemonUnreachable { endpoint, source }) => {
                    // The relay is local: nothing but a child ends a connection to it.
                    self.child_failed.store(true, Ordering::SeqCst);
                    if let Some(failure) = self.relay.take_failure() {
                        if failure.telling || retried {
                            return Err(self.child_error(&failure));
                        }
                    }
                    if retried {
                        return Err(Error::DaemonUnreachable { endpoint, source });
                    }
                    tracing::debug!(endpoint = %self.endpoint, "a docker dial-stdio child ended; starting a new one");
                    retried = true;
                }
                Err(Error::Timeout { after, .. }) => {
                    return Err(Error::CliTimeout {
                        endpoint: self.endpoint.clone(),
                        waiting_for: what.to_owned(),
                        answered: self.http.answered().saturating_sub(answered),
                        elapsed: started.elapsed(),
                        limit: after,
                    });
                }
                Err(other) => return Err(other),
            }
        }
    }

    fn child_error(&self, failure: &ChildFailure) -> Error {
        if let Some(kind) = failure.not_started {
            return Error::CliNotFound {
                program: self.program.clone(),
                source: std::io::Error::new(kind, failure.what.clone()),
            };
        }
        let said = if failure.stderr.is_empty() {
            format!("`{}` {}", failure.command, failure.what)
        } else {
            format!("`{}` {}: {}", failure.command, failure.what, failure.stderr)
        };
        if failure.stderr.is_empty() {
            return Error::DaemonUnreachable {
                endpoint: self.endpoint.clone(),
                source: Some(Box::new(super::stderr::CliMessage(said))),
            };
        }
        let error = classify(
            &failure.stderr,
            ErrorContext {
                endpoint: &self.endpoint,
                command: &failure.command,
                exit_code: failure.exit_code,
            },
        );
        match error {
            // Whatever the child could not do, the daemon was not reached through it.
            Error::CliFailed { .. } => Error::DaemonUnreachable {
                endpoint: self.endpoint.clone(),
                source: Some(Box::new(super::stderr::CliMessage(said))),
            },
            other => other,
        }
    }
}
