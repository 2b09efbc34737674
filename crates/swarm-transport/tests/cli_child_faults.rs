//! The `docker` child of `CliTransport` misbehaving, both ways the transport uses it: as
//! `docker system dial-stdio` children ([`CliConnection::DialStdio`]) and as one command per
//! question ([`CliConnection::Commands`]). A fake `docker` script plays each fault: missing,
//! not executable, killed by a signal, hanging (with a child of its own), printing garbage,
//! printing part of an answer and then failing. Each gives a typed error naming the command
//! (or the program), the hanging one is killed with its children at the timeout, and no
//! child is left a zombie.
#![cfg(all(unix, feature = "cli"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use swarm_transport::{CliConnection, CliTransport, Error, Transport};

/// One test at a time: a script being written while another test forks can fail to execute
/// (`ETXTBSY`), and the zombie check looks at every child of this process.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const HOST: &str = "tcp://fake:2375";

/// Both ways the transport runs docker.
const MODES: [CliConnection; 2] = [CliConnection::DialStdio, CliConnection::Commands];

/// A fake `docker` in a fresh directory, run there; `body` is POSIX sh.
struct FakeDocker {
    dir: tempfile::TempDir,
    program: PathBuf,
}

impl FakeDocker {
    fn new(body: &str) -> Self {
        Self::with_mode(body, 0o755)
    }

    fn with_mode(body: &str, mode: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("docker");
        let script = format!("#!/bin/sh\ncd '{}'\n{body}\n", dir.path().display());
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(mode)).unwrap();
        Self { dir, program }
    }

    fn transport(&self, mode: CliConnection) -> CliTransport {
        transport(&self.program, mode)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn transport(program: &Path, mode: CliConnection) -> CliTransport {
    CliTransport::builder()
        .program(program)
        .host(HOST)
        .connection(mode)
        .build()
}

/// Polls until `done` holds (a bounded wait for the runtime to act, not a time assertion).
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not happen within 10 s");
}

/// The state letter of a process (`Z` for a zombie), or `None` when it is gone.
fn state(pid: &str) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

/// Children of this process that exited and were not waited for.
fn zombies() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if fields.first() == Some(&"Z") && fields.get(1) == Some(&me.as_str()) {
            found.push(stat);
        }
    }
    found
}

async fn no_zombies() {
    eventually("every docker child reaped", || zombies().is_empty()).await;
}

fn chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_docker_is_cli_not_found_naming_the_program() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("no-such-docker");
    for mode in MODES {
        let err = transport(&program, mode).list_nodes().await.unwrap_err();
        let Error::CliNotFound {
            program: named,
            source,
        } = &err
        else {
            panic!("{mode:?}: {err:?}")
        };
        assert_eq!(*named, program, "{mode:?}");
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound, "{mode:?}");
        assert!(err.is_connection(), "{mode:?}");
        assert!(
            err.to_string().contains(&program.display().to_string()),
            "{mode:?}: {err}"
        );
    }
    no_zombies().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_that_is_not_executable_is_cli_not_found_naming_the_program() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::with_mode("echo never", 0o644);
    for mode in MODES {
        let err = docker.transport(mode).list_nodes().await.unwrap_err();
        let Error::CliNotFound { program, source } = &err else {
            panic!("{mode:?}: {err:?}")
        };
        assert_eq!(*program, docker.program, "{mode:?}");
        assert_eq!(
            source.kind(),
            std::io::ErrorKind::PermissionDenied,
            "{mode:?}"
        );
    }
    no_zombies().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_killed_by_a_signal_says_so_and_names_the_command() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("kill -9 $$");
    let err = docker
        .transport(CliConnection::Commands)
        .list_nodes()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CliFailed { command, exit_code: None, stderr }
            if command.ends_with("-H tcp://fake:2375 node ls -q") && stderr == "killed by signal 9"),
        "{err:?}"
    );
    // Through dial-stdio: replaced once (a child may die), then reported as it ended.
    let cli = docker.transport(CliConnection::DialStdio);
    let err = cli.list_nodes().await.unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if endpoint == HOST),
        "{err:?}"
    );
    let text = chain(&err);
    assert!(
        text.contains("-H tcp://fake:2375 system dial-stdio` was killed by signal 9"),
        "{text}"
    );
    assert_eq!(cli.dial_stdio_children(), (2, 0), "one retry, nothing left");
    no_zombies().await;
}

/// The hanging docker started a `sleep` of its own (as docker starts `ssh`): at the timeout
/// both are killed, and docker is reaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_docker_is_killed_with_its_children_at_the_timeout() {
    let _serial = SERIAL.lock().await;
    for mode in MODES {
        let docker =
            FakeDocker::new("sleep 600 &\necho $! > sleep.pid\necho $$ > docker.pid\nwait");
        let limit = Duration::from_secs(4);
        let cli = CliTransport::builder()
            .program(&docker.program)
            .host(HOST)
            .connection(mode)
            .timeout(limit)
            .build();
        let err = cli.list_nodes().await.unwrap_err();
        let Error::CliTimeout {
            endpoint,
            waiting_for,
            limit: reported,
            ..
        } = &err
        else {
            panic!("{mode:?}: {err:?}")
        };
        assert_eq!((endpoint.as_str(), *reported), (HOST, limit), "{mode:?}");
        let expected = match mode {
            CliConnection::Commands => "node ls -q",
            _ => "GET /nodes",
        };
        assert!(waiting_for.contains(expected), "{mode:?}: {waiting_for}");
        let read = |name: &str| {
            std::fs::read_to_string(docker.path(name))
                .unwrap_or_else(|err| panic!("{mode:?}: {name}: {err} (did the fake start?)"))
                .trim()
                .to_owned()
        };
        let (docker_pid, sleep_pid) = (read("docker.pid"), read("sleep.pid"));
        // docker is gone, reaped (no zombie); its sleep is dead (its zombie, if any, is
        // init's).
        eventually(&format!("{mode:?}: docker {docker_pid} reaped"), || {
            state(&docker_pid).is_none()
        })
        .await;
        eventually(&format!("{mode:?}: sleep {sleep_pid} killed"), || {
            state(&sleep_pid).is_none_or(|state| state == 'Z')
        })
        .await;
        drop(cli);
        no_zombies().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_printing_garbage_is_an_error_naming_the_command() {
    let _serial = SERIAL.lock().await;
    let docker = FakeDocker::new("echo 'garbage from docker'\nsleep 1");
    let err = docker
        .transport(CliConnection::Commands)
        .inspect_task("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { endpoint, .. } if endpoint.contains("-H tcp://fake:2375 inspect --type task -- x")),
        "{err:?}"
    );
    let cli = docker.transport(CliConnection::DialStdio);
    let err = cli.list_nodes().await.unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if endpoint == HOST),
        "{err:?}"
    );
    let text = chain(&err);
    assert!(
        text.contains(
            "system dial-stdio` answered with something that is not HTTP: \"garbage from docker"
        ),
        "{text}"
    );
    eventually("the garbage child killed", || {
        cli.dial_stdio_children().1 == 0
    })
    .await;
    no_zombies().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_printing_part_of_an_answer_then_failing_names_the_command() {
    let _serial = SERIAL.lock().await;
    // Commands: half an inspect, then a failure.
    let docker = FakeDocker::new(
        "printf '[{\"ID\":\"abc\",\"Spec\":'\necho 'unexpected EOF from the daemon' >&2\nexit 1",
    );
    let err = docker
        .transport(CliConnection::Commands)
        .inspect_task("abc")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::CliFailed { command, exit_code: Some(1), stderr }
            if command.ends_with("inspect --type task -- abc") && stderr == "unexpected EOF from the daemon"),
        "{err:?}"
    );
    // Dial-stdio: the head of an answer and part of its body, then a failure. The child
    // first reads the request line, so it cannot exit before the request is sent (then the
    // failure would read as a child that died before answering).
    let docker = FakeDocker::new(
        "read -r request_line\nprintf 'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nApi-Version: 1.41\\r\\nContent-Length: 1000\\r\\n\\r\\n[{\"ID\":'\n\
         echo 'unexpected EOF from the daemon' >&2\nexit 1",
    );
    let err = docker
        .transport(CliConnection::DialStdio)
        .list_nodes()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::DaemonUnreachable { endpoint, .. } if endpoint == HOST),
        "{err:?}"
    );
    let text = chain(&err);
    assert!(
        text.contains("system dial-stdio` broke off its answer and exited with code 1: unexpected EOF from the daemon"),
        "{text}"
    );
    no_zombies().await;
}
