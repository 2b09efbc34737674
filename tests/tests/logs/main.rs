//! Logs against the real Docker Engine: what the daemon decides about log streams (the facts
//! docs/transports.md and docs/fixtures.md state) and the logs of real services read through
//! each transport.
//!
//! Runs when `SWARM_TASKS_E2E=1`, like the rest of the real-engine suite, and prints why it
//! is skipped otherwise. Services are named with a prefix unique to the run and removed at
//! the end, even when a check fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is a failure.

mod acceptance;
mod facts;

use std::time::Duration;

use futures::StreamExt;
use swarm_models::{Task, TaskFilter, TaskState};
use swarm_tasks::Client;
use swarm_tasks_e2e::{complete, log, prepare_engine, summary, unique_prefix, wait_for};
use swarm_testkit::real_engine::{self, ServiceGuard};
use swarm_transport::logs::{LogLine, LogOptions, LogTarget};
use swarm_transport::{CliTransport, HttpTransport, Transport};

type Check = Result<(), String>;

/// A named scenario.
type Scenario = (&'static str, fn(&Suite) -> Check);

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}
pub(crate) use ensure;

/// The command of the `out` service: known lines on stdout and stderr, one line that is not
/// UTF-8, then it stays up. The pauses make the daemon's timestamps follow the program's
/// order across the two outputs (each output is its own pipe).
pub(crate) const OUT_SCRIPT: &str = "echo out one; sleep 0.2; echo err one >&2; sleep 0.2; \
     printf 'bad \\377\\376 utf8\\n'; sleep 0.2; echo out last; sleep 0.2; echo err last >&2; \
     sleep 3600";

/// What the scenarios share.
pub(crate) struct Suite {
    runtime: tokio::runtime::Runtime,
    prefix: String,
    /// (transport name, transport) for each transport.
    pub(crate) transports: Vec<(&'static str, Box<dyn Transport>)>,
    /// (transport name, client) for each transport.
    pub(crate) clients: Vec<(&'static str, Client)>,
}

impl Suite {
    pub(crate) fn name(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    pub(crate) fn block<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    pub(crate) fn http(&self) -> &dyn Transport {
        self.transports[0].1.as_ref()
    }

    /// The tasks of a service, through the HTTP transport.
    pub(crate) fn tasks_of(&self, service: &str) -> Result<Vec<Task>, String> {
        self.block(self.http().list_tasks(&TaskFilter::new().service(service)))
            .map_err(|err| err.to_string())
            .and_then(complete)
    }

    /// Waits until the service's tasks satisfy `done`.
    pub(crate) fn wait_tasks(
        &self,
        service: &str,
        what: &str,
        done: impl Fn(&[Task]) -> bool,
    ) -> Result<Vec<Task>, String> {
        wait_for(
            &format!("{service}: {what}"),
            Duration::from_secs(120),
            Duration::from_millis(300),
            || {
                let tasks = self.tasks_of(service)?;
                if done(&tasks) {
                    Ok(Some(tasks))
                } else {
                    Err(summary(&tasks))
                }
            },
        )
    }

    /// Every line of a finite (not followed) stream, or the first error.
    pub(crate) fn read_all(
        &self,
        transport: &dyn Transport,
        target: &LogTarget,
        options: &LogOptions,
    ) -> Result<Vec<LogLine>, String> {
        self.block(async {
            let stream = transport
                .logs(target, options)
                .await
                .map_err(|err| format!("{}: {err}", transport.endpoint()))?;
            let lines: Vec<_> = stream.collect().await;
            lines
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|err| format!("{}: {err}", transport.endpoint()))
        })
    }
}

/// Waits until the `out` service's `tasks` tasks have all printed their last line.
pub(crate) fn wait_for_lines(suite: &Suite, name: &str, tasks: usize) -> Check {
    suite.wait_tasks(name, "its tasks run", |found| {
        all_in(found, tasks, TaskState::Running)
    })?;
    let target = LogTarget::Service(name.to_owned());
    wait_for(
        &format!("{name}: every task's last line"),
        Duration::from_secs(60),
        Duration::from_millis(300),
        || {
            let lines = suite.read_all(suite.http(), &target, &LogOptions::new())?;
            let last = lines.iter().filter(|line| line.line == b"err last").count();
            if last == tasks {
                Ok(Some(()))
            } else {
                Err(format!("{} lines, {last} last lines", lines.len()))
            }
        },
    )
}

/// True when every task of the service is in `state`.
pub(crate) fn all_in(tasks: &[Task], count: usize, state: TaskState) -> bool {
    tasks.len() == count && tasks.iter().all(|task| task.state() == Some(&state))
}

#[test]
fn logs_on_the_real_engine() {
    let Some(image) = prepare_engine("real-engine logs suite") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = || HttpTransport::builder().build().expect("HTTP transport");
    let cli = || CliTransport::builder().build();
    let suite = Suite {
        runtime,
        prefix: format!("log{}", unique_prefix()),
        transports: vec![("http", Box::new(http())), ("cli", Box::new(cli()))],
        clients: vec![("http", Client::new(http())), ("cli", Client::new(cli()))],
    };
    let mut guard = ServiceGuard::new();
    let services: [(&str, Vec<&str>, Vec<&str>); 6] = [
        (
            "crash",
            vec!["--restart-condition", "none"],
            vec![
                "sh",
                "-c",
                "echo about to fail; sleep 0.2; echo giving up >&2; exit 3",
            ],
        ),
        ("out", vec!["--replicas", "2"], vec!["sh", "-c", OUT_SCRIPT]),
        (
            "done",
            vec!["--restart-condition", "none"],
            vec!["sh", "-c", "echo done one; echo done two"],
        ),
        (
            "tick",
            vec![],
            vec![
                "sh",
                "-c",
                "i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done",
            ],
        ),
        (
            "tty",
            vec!["--tty"],
            vec!["sh", "-c", "echo tty one; echo tty err >&2; sleep 3600"],
        ),
        (
            "none",
            vec!["--log-driver", "none"],
            vec!["sh", "-c", "echo never kept; sleep 3600"],
        ),
    ];
    for (short, flags, command) in services {
        let name = suite.name(short);
        guard.track(&name);
        let mut args = vec!["service", "create", "--detach", "--name", &name];
        args.extend(flags);
        args.push(&image);
        args.extend(command);
        real_engine::docker(&args).unwrap_or_else(|err| panic!("create {name}: {err}"));
    }

    let scenarios: Vec<Scenario> = vec![
        (
            "known lines on stdout and stderr, complete, in order, with task and node",
            acceptance::known_lines_with_task_and_node,
        ),
        (
            "a follow sees a line printed after it started",
            acceptance::follow_sees_a_later_line,
        ),
        (
            "a TTY service reads without --raw",
            acceptance::tty_service_reads_without_raw,
        ),
        (
            "the logs command prints docker service logs' bytes",
            acceptance::same_bytes_as_docker_service_logs,
        ),
        (
            "explain of a failed task shows its last output",
            acceptance::explain_shows_the_last_output,
        ),
        (
            "a followed stream of an ended task stays open (engine 20.10)",
            facts::followed_stream_outlives_its_task,
        ),
        (
            "the daemon ignores until; both transports apply it",
            facts::until_is_ignored_by_the_daemon,
        ),
        (
            "the none driver: an empty 200 from the daemon, a typed error from Client::logs",
            facts::none_driver,
        ),
        (
            "no Content-Type on log answers (engine 20.10)",
            facts::no_content_type,
        ),
        (
            "invalid UTF-8 comes back as U+FFFD",
            facts::invalid_utf8_is_replaced,
        ),
        (
            "neither stdout nor stderr is a 500",
            facts::no_stream_is_a_500,
        ),
    ];
    let mut failures = Vec::new();
    for (name, scenario) in scenarios {
        match scenario(&suite) {
            Ok(()) => log(&format!("scenario ok: {name}")),
            Err(why) => {
                log(&format!("scenario FAILED: {name}: {why}"));
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    guard.remove_now().expect("remove the suite's services");
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
