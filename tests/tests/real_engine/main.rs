//! The real-engine suite: swarm-tasks against the Docker Engine on this machine, through the
//! HTTP transport AND the CLI transport, with the results compared.
//!
//! Runs when `SWARM_TASKS_E2E=1` (`.ci/run` sets it when `docker info` answers) and prints
//! why it is skipped otherwise. The scenarios run one after another inside one test, because
//! they share one swarm and the last one makes the engine leave it (only with
//! `SWARM_TASKS_E2E_DESTRUCTIVE=1`, also set by `.ci/run`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is a failure.

mod lifecycle;
mod lookup;
mod queries;
mod robustness;

use std::time::Duration;

use swarm_models::{Task, TaskFilter, TaskState};
use swarm_tasks::Client;
use swarm_tasks_e2e::{
    DESTRUCTIVE_VAR, complete, log, prepare_engine, sorted, summary, unique_prefix, wait_for,
};
use swarm_testkit::real_engine::{self, ServiceGuard};
use swarm_transport::{CliTransport, HttpTransport, Transport};

type Check = Result<(), String>;

/// A named scenario.
type Scenario = (&'static str, fn(&Suite) -> Check);

/// A filter case: the key under test, the filter, and what every returned task must satisfy.
type FilterCase<'a> = (&'a str, TaskFilter, Box<dyn Fn(&Task) -> bool + 'a>);

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}
pub(crate) use ensure;

/// Everything the scenarios share.
struct Suite {
    runtime: tokio::runtime::Runtime,
    prefix: String,
    http: HttpTransport,
    cli: CliTransport,
    http_client: Client,
    cli_client: Client,
}

impl Suite {
    fn name(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    fn block<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Lists the tasks of a filter through both transports and checks they agree. A task
    /// may change between the two calls, so a mismatch is re-tried a few times.
    fn both_list(&self, filter: &TaskFilter) -> Result<Vec<Task>, String> {
        let mut last = String::new();
        for _ in 0..5 {
            let via_http = self
                .block(self.http.list_tasks(filter))
                .map_err(|err| format!("http: {err}"))
                .and_then(|listing| complete(listing).map_err(|err| format!("http: {err}")))?;
            let via_cli = self
                .block(self.cli.list_tasks(filter))
                .map_err(|err| format!("cli: {err}"))
                .and_then(|listing| complete(listing).map_err(|err| format!("cli: {err}")))?;
            let (via_http, via_cli) = (sorted(via_http), sorted(via_cli));
            if via_http == via_cli {
                return Ok(via_http);
            }
            last = format!(
                "http: [{}]\n cli: [{}]",
                summary(&via_http),
                summary(&via_cli)
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        Err(format!(
            "transports disagree for {}:\n{last}",
            filter.to_filters_json()
        ))
    }

    fn tasks_of(&self, service: &str) -> Result<Vec<Task>, String> {
        self.block(self.http.list_tasks(&TaskFilter::new().service(service)))
            .map_err(|err| err.to_string())
            .and_then(complete)
    }

    /// Waits until the service's tasks satisfy `done`.
    fn wait_tasks(
        &self,
        service: &str,
        what: &str,
        done: impl Fn(&[Task]) -> bool,
    ) -> Result<Vec<Task>, String> {
        wait_for(
            &format!("{service}: {what}"),
            Duration::from_secs(120),
            Duration::from_millis(500),
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
}

fn count_in(tasks: &[Task], state: TaskState) -> usize {
    tasks
        .iter()
        .filter(|task| task.state() == Some(&state))
        .count()
}

#[test]
fn real_engine_suite() {
    let Some(image) = prepare_engine("real-engine suite") else {
        return;
    };
    let version = real_engine::docker([
        "version",
        "--format",
        "{{.Server.Version}} (API {{.Server.APIVersion}})",
    ])
    .unwrap_or_else(|err| format!("unknown ({err})"));
    log(&format!("engine {}, test image {image}", version.trim()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = HttpTransport::builder()
        .build()
        .expect("HTTP transport for the default socket");
    let cli = CliTransport::builder().build();
    let http_client = Client::new(HttpTransport::builder().build().unwrap());
    let cli_client = Client::new(CliTransport::builder().build());
    let suite = Suite {
        runtime,
        prefix: unique_prefix(),
        http,
        cli,
        http_client,
        cli_client,
    };

    let mut guard = ServiceGuard::new();
    create_services(&suite, &mut guard, &image);

    let scenarios: Vec<Scenario> = vec![
        (
            "replicated service reaches running",
            lifecycle::replicated_running,
        ),
        (
            "global service runs one task per node",
            lifecycle::global_service,
        ),
        (
            "failing command stops at its restart limit",
            lifecycle::failing_with_restart_limit,
        ),
        (
            "unschedulable constraint stays pending with the scheduler's reason",
            lifecycle::unschedulable,
        ),
        ("missing image is rejected", lifecycle::missing_image),
        (
            "replicated job runs to completion",
            lifecycle::job_completes,
        ),
        (
            "forced update produces history",
            lifecycle::forced_update_history,
        ),
        (
            "service ps by name, ID and ID prefix",
            queries::service_ps_resolution,
        ),
        (
            "node ps by self, hostname, ID and ID prefix",
            queries::node_ps_resolution,
        ),
        (
            "inspect of many ids with one unknown",
            queries::inspect_many_with_unknown,
        ),
        ("a filter per key", queries::filter_per_key),
        (
            "every live object parses losslessly",
            robustness::live_fidelity,
        ),
        (
            "the daemon frames a large JSON answer as one chunk",
            robustness::answer_framing,
        ),
        (
            "errors: unknown task id, unreachable socket",
            robustness::errors,
        ),
    ];
    let mut failures = Vec::new();
    match lookup::lookup_table(&suite, &image) {
        Ok(()) => log("scenario ok: the lookup table (service ps, node ps, service=, node=)"),
        Err(why) => {
            log(&format!("scenario FAILED: the lookup table: {why}"));
            failures.push(format!("lookup table: {why}"));
        }
    }
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

    // Under CI=true an unset DESTRUCTIVE_VAR fails the suite (.ci/run sets it with E2E_VAR).
    if swarm_testkit::require_flag(
        DESTRUCTIVE_VAR,
        "by the scenario not-a-manager after leave (it re-creates the swarm)",
    ) {
        match robustness::not_a_manager_after_leave(&suite) {
            Ok(()) => log(
                "scenario ok: not-a-manager after `docker swarm leave --force` (swarm re-initialized)",
            ),
            Err(why) => failures.push(format!("not-a-manager after leave: {why}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn create_services(suite: &Suite, guard: &mut ServiceGuard, image: &str) {
    let run_label = format!("e2e.run={}", suite.prefix);
    let services: [(&str, Vec<&str>, Vec<&str>); 6] = [
        (
            "rep",
            vec!["--replicas", "3", "--label", "e2e.role=web"],
            vec!["sleep", "3600"],
        ),
        ("glob", vec!["--mode", "global"], vec!["sleep", "3600"]),
        (
            "fail",
            vec![
                "--restart-condition",
                "on-failure",
                "--restart-max-attempts",
                "1",
                "--restart-delay",
                "100ms",
            ],
            vec!["sh", "-c", "exit 3"],
        ),
        (
            "pend",
            vec!["--constraint", "node.labels.e2e-nowhere==true"],
            vec!["sleep", "3600"],
        ),
        (
            "job",
            vec!["--mode", "replicated-job", "--replicas", "2"],
            vec!["true"],
        ),
        (
            "rej",
            vec![
                "--restart-condition",
                "on-failure",
                "--restart-max-attempts",
                "1",
            ],
            vec![],
        ),
    ];
    for (short, flags, command) in services {
        let name = suite.name(short);
        guard.track(&name);
        let mut args = vec![
            "service", "create", "--detach", "--name", &name, "--label", &run_label,
        ];
        args.extend(flags);
        let missing_image = format!("swarm-tasks-missing-{}:none", suite.prefix);
        args.push(if short == "rej" {
            &missing_image
        } else {
            image
        });
        args.extend(command);
        real_engine::docker(&args).unwrap_or_else(|err| panic!("create {name}: {err}"));
    }
}
