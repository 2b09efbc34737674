//! The real-engine suite: swarm-tasks against the Docker Engine on this machine, through the
//! HTTP transport AND the CLI transport, with the results compared.
//!
//! Runs when `SWARM_TASKS_E2E=1` (`.ci/run` sets it when `docker info` answers) and prints
//! why it is skipped otherwise. The scenarios run one after another inside one test, because
//! they share one swarm and the last one makes the engine leave it (only with
//! `SWARM_TASKS_E2E_DESTRUCTIVE=1`, also set by `.ci/run`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is a failure.

use std::collections::BTreeSet;
use std::time::Duration;

use swarm_models::{Node, Service, Task, TaskFilter, TaskState};
use swarm_tasks::{Client, PsOptions};
use swarm_tasks_e2e::{
    DESTRUCTIVE_VAR, E2E_VAR, flag, log, sorted, summary, unique_prefix, wait_for,
};
use swarm_testkit::fidelity::{count_leaves, lost_leaves};
use swarm_testkit::real_engine::{self, ServiceGuard};
use swarm_transport::{
    CliTransport, Error, HttpTransport, NotManagerReason, ObjectKind, Transport,
};

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
                .map_err(|err| format!("http: {err}"))?;
            let via_cli = self
                .block(self.cli.list_tasks(filter))
                .map_err(|err| format!("cli: {err}"))?;
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
    if !flag(E2E_VAR) {
        let reason = format!(
            "real-engine suite SKIPPED: set {E2E_VAR}=1 to run it against the local Docker Engine (.ci/run does)"
        );
        log(&reason);
        println!("{reason}");
        return;
    }
    assert!(
        real_engine::docker_available(),
        "{E2E_VAR}=1 but `docker info` does not answer: start the Docker Engine"
    );
    real_engine::ensure_swarm().expect("make the engine a single-node swarm");
    let image = real_engine::build_test_image().expect("build the test image without a registry");
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
        ("replicated service reaches running", replicated_running),
        ("global service runs one task per node", global_service),
        (
            "failing command stops at its restart limit",
            failing_with_restart_limit,
        ),
        (
            "unschedulable constraint stays pending with the scheduler's reason",
            unschedulable,
        ),
        ("missing image is rejected", missing_image),
        ("replicated job runs to completion", job_completes),
        ("forced update produces history", forced_update_history),
        (
            "service ps by name, ID and ID prefix",
            service_ps_resolution,
        ),
        (
            "node ps by self, hostname, ID and ID prefix",
            node_ps_resolution,
        ),
        (
            "inspect of many ids with one unknown",
            inspect_many_with_unknown,
        ),
        ("a filter per key", filter_per_key),
        ("every live object parses losslessly", live_fidelity),
        ("errors: unknown task id, unreachable socket", errors),
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

    if flag(DESTRUCTIVE_VAR) {
        match not_a_manager_after_leave(&suite) {
            Ok(()) => log(
                "scenario ok: not-a-manager after `docker swarm leave --force` (swarm re-initialized)",
            ),
            Err(why) => failures.push(format!("not-a-manager after leave: {why}")),
        }
    } else {
        log(&format!(
            "scenario SKIPPED: not-a-manager after leave (set {DESTRUCTIVE_VAR}=1; it re-creates the swarm)"
        ));
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

fn replicated_running(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    suite.wait_tasks(&rep, "3 running", |tasks| {
        count_in(tasks, TaskState::Running) == 3
    })?;
    let tasks = suite.both_list(&TaskFilter::new().service(&rep))?;
    let slots: BTreeSet<_> = tasks.iter().filter_map(|task| task.slot).collect();
    ensure!(slots == BTreeSet::from([1, 2, 3]), "slots {slots:?}");
    ensure!(
        tasks
            .iter()
            .all(|task| task.exit_code() == Some(0) || task.exit_code().is_none()),
        "exit codes"
    );
    Ok(())
}

fn global_service(suite: &Suite) -> Check {
    let glob = suite.name("glob");
    let tasks = suite.wait_tasks(&glob, "1 running", |tasks| {
        count_in(tasks, TaskState::Running) == 1
    })?;
    ensure!(
        tasks
            .iter()
            .all(|task| task.slot.is_none() && task.node_id.is_some()),
        "global tasks have a node and no slot"
    );
    suite.both_list(&TaskFilter::new().service(&glob))?;
    let report = suite
        .block(
            suite
                .http_client
                .service_ps(std::slice::from_ref(&glob), &PsOptions::default()),
        )
        .map_err(|e| e.to_string())?;
    let node_id = tasks[0].node_id.clone().unwrap_or_default();
    ensure!(
        report
            .rows
            .iter()
            .any(|row| row.name == format!("{glob}.{node_id}")),
        "global task named service.nodeID"
    );
    Ok(())
}

fn failing_with_restart_limit(suite: &Suite) -> Check {
    let fail = suite.name("fail");
    // One attempt plus one restart, then the orchestrator gives up.
    let tasks = suite.wait_tasks(&fail, "2 failed", |tasks| {
        count_in(tasks, TaskState::Failed) == 2
    })?;
    for task in &tasks {
        ensure!(
            task.exit_code() == Some(3),
            "exit code {:?} of {}",
            task.exit_code(),
            task.id
        );
        ensure!(
            task.error()
                .is_some_and(|err| err.contains("non-zero exit (3)")),
            "Err {:?}",
            task.error()
        );
    }
    suite.both_list(&TaskFilter::new().service(&fail))?;
    Ok(())
}

fn unschedulable(suite: &Suite) -> Check {
    let pend = suite.name("pend");
    let tasks = suite.wait_tasks(&pend, "pending with a reason", |tasks| {
        tasks
            .iter()
            .any(|task| task.state() == Some(&TaskState::Pending) && task.error().is_some())
    })?;
    let err = tasks.iter().find_map(Task::error).unwrap_or_default();
    ensure!(err.contains("no suitable node"), "scheduler reason {err:?}");
    ensure!(
        tasks.iter().all(|task| task.node_id.is_none()),
        "pending tasks have no node"
    );
    suite.both_list(&TaskFilter::new().service(&pend))?;
    Ok(())
}

fn missing_image(suite: &Suite) -> Check {
    let rej = suite.name("rej");
    let tasks = suite.wait_tasks(&rej, "rejected", |tasks| {
        count_in(tasks, TaskState::Rejected) >= 1
    })?;
    let err = tasks.iter().find_map(Task::error).unwrap_or_default();
    ensure!(!err.is_empty(), "rejected task has an Err");
    suite.both_list(
        &TaskFilter::new()
            .service(&rej)
            .desired_state(TaskState::Shutdown),
    )?;
    Ok(())
}

fn job_completes(suite: &Suite) -> Check {
    let job = suite.name("job");
    let tasks = suite.wait_tasks(&job, "2 complete", |tasks| {
        count_in(tasks, TaskState::Complete) == 2
    })?;
    ensure!(
        tasks.iter().all(|task| task.job_iteration.is_some()),
        "job tasks carry JobIteration"
    );
    suite.both_list(&TaskFilter::new().service(&job))?;
    let report = suite
        .block(
            suite
                .cli_client
                .service_ps(std::slice::from_ref(&job), &PsOptions::default()),
        )
        .map_err(|e| e.to_string())?;
    ensure!(report.rows.len() == 2, "job rows {}", report.rows.len());
    Ok(())
}

fn forced_update_history(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    real_engine::docker(["service", "update", "--detach", "--force", &rep])
        .map_err(|err| err.to_string())?;
    suite.wait_tasks(&rep, "3 running + 3 shut down", |tasks| {
        count_in(tasks, TaskState::Running) == 3 && count_in(tasks, TaskState::Shutdown) == 3
    })?;
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        let report = suite
            .block(client.service_ps(std::slice::from_ref(&rep), &PsOptions::default()))
            .map_err(|e| format!("{label}: {e}"))?;
        let history = report.rows.iter().filter(|row| row.is_history).count();
        ensure!(
            report.rows.len() == 6 && history == 3,
            "{label}: {} rows, {history} history",
            report.rows.len()
        );
        ensure!(
            report.rows[0].name == format!("{rep}.1") && !report.rows[0].is_history,
            "{label}: first row {}",
            report.rows[0].name
        );
        ensure!(
            report.rows[1].is_history,
            "{label}: history follows its slot"
        );
        let latest = PsOptions {
            latest: true,
            ..PsOptions::default()
        };
        let latest = suite
            .block(client.service_ps(std::slice::from_ref(&rep), &latest))
            .map_err(|e| e.to_string())?;
        ensure!(
            latest.rows.len() == 3,
            "{label}: --latest rows {}",
            latest.rows.len()
        );
    }
    Ok(())
}

fn service_ps_resolution(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    let services = suite
        .block(suite.http.list_services())
        .map_err(|e| e.to_string())?;
    let id = services
        .iter()
        .find(|s| s.name() == Some(rep.as_str()))
        .map(|s| s.id.clone())
        .ok_or("rep not listed")?;
    let prefix = shortest_unique_prefix(&id, services.iter().map(|s| s.id.as_str()));
    let mut seen = Vec::new();
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        for arg in [&rep, &id, &prefix] {
            let report = suite
                .block(client.service_ps(std::slice::from_ref(arg), &PsOptions::default()))
                .map_err(|e| format!("{label} {arg}: {e}"))?;
            ensure!(
                report.not_found.is_empty(),
                "{label} {arg}: not found {:?}",
                report.not_found
            );
            let ids: BTreeSet<String> = report.rows.iter().map(|row| row.task.id.clone()).collect();
            ensure!(!ids.is_empty(), "{label} {arg}: no rows");
            seen.push(ids);
        }
        let missing = suite
            .block(client.service_ps(&[rep.clone(), format!("{rep}-nope")], &PsOptions::default()))
            .map_err(|e| e.to_string())?;
        ensure!(
            missing.not_found.len() == 1 && !missing.rows.is_empty(),
            "{label}: partial result for one unknown service"
        );
    }
    ensure!(
        seen.windows(2).all(|pair| pair[0] == pair[1]),
        "service ps differs between name, ID, prefix or transports"
    );
    Ok(())
}

fn node_ps_resolution(suite: &Suite) -> Check {
    let nodes: Vec<Node> = suite
        .block(suite.http.list_nodes())
        .map_err(|e| e.to_string())?;
    let node = nodes.first().ok_or("no node")?;
    let hostname = node.hostname().unwrap_or_default().to_owned();
    let prefix = shortest_unique_prefix(&node.id, nodes.iter().map(|n| n.id.as_str()));
    let rep = suite.name("rep");
    let mut seen = Vec::new();
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        for args in [
            vec![],
            vec!["self".to_owned()],
            vec![hostname.clone()],
            vec![node.id.clone()],
            vec![prefix.clone()],
        ] {
            let options = PsOptions {
                filter: TaskFilter::new().label(format!("e2e.run={}", suite.prefix)),
                ..PsOptions::default()
            };
            let report = suite
                .block(client.node_ps(&args, &options))
                .map_err(|e| format!("{label} {args:?}: {e}"))?;
            ensure!(
                report.rows.iter().any(|row| row.service_name == rep),
                "{label} {args:?}: no task of {rep}"
            );
            ensure!(
                report
                    .rows
                    .iter()
                    .all(|row| row.node_name.as_deref() == Some(hostname.as_str())),
                "{label} {args:?}: node names"
            );
            seen.push(
                report
                    .rows
                    .iter()
                    .map(|row| row.task.id.clone())
                    .collect::<BTreeSet<_>>(),
            );
        }
    }
    ensure!(
        seen.windows(2).all(|pair| pair[0] == pair[1]),
        "node ps differs between self, hostname, ID, prefix or transports"
    );
    Ok(())
}

fn inspect_many_with_unknown(suite: &Suite) -> Check {
    let known = suite.tasks_of(&suite.name("rep"))?;
    let ids = vec![
        known[0].id.clone(),
        "nosuchtask0000000000000000".to_owned(),
        known[1].id.clone(),
    ];
    for (label, client) in [("http", &suite.http_client), ("cli", &suite.cli_client)] {
        let many = suite
            .block(client.inspect_many(&ids))
            .map_err(|e| format!("{label}: {e}"))?;
        ensure!(many.found.len() == 2, "{label}: found {}", many.found.len());
        ensure!(
            many.found[0].id == ids[0] && many.found[1].id == ids[2],
            "{label}: order kept"
        );
        ensure!(
            many.missing.len() == 1
                && many.missing[0].0 == ids[1]
                && many.missing[0].1.is_not_found(),
            "{label}: missing {:?}",
            many.missing
        );
    }
    let outcomes_http = suite
        .block(suite.http.inspect_tasks(&ids))
        .map_err(|e| e.to_string())?;
    let outcomes_cli = suite
        .block(suite.cli.inspect_tasks(&ids))
        .map_err(|e| e.to_string())?;
    for (a, b) in outcomes_http.iter().zip(&outcomes_cli) {
        ensure!(
            a.id == b.id && a.result.is_ok() == b.result.is_ok(),
            "outcome for {} differs",
            a.id
        );
        if let (Ok(x), Ok(y)) = (&a.result, &b.result) {
            ensure!(x == y, "inspected task {} differs between transports", a.id);
        }
    }
    Ok(())
}

fn filter_per_key(suite: &Suite) -> Check {
    let rep = suite.name("rep");
    let scope = format!("e2e.run={}", suite.prefix);
    let rep_tasks = suite.tasks_of(&rep)?;
    let some_task = &rep_tasks[0];
    let node_id = some_task.node_id.clone().ok_or("rep task without node")?;
    let cases: Vec<FilterCase> = vec![
        (
            "id",
            TaskFilter::new().id(&some_task.id[..8]),
            Box::new(|t: &Task| t.id.starts_with(&some_task.id[..8])),
        ),
        (
            "name",
            TaskFilter::new().name(format!("{rep}.1")),
            Box::new(|t: &Task| t.slot == Some(1)),
        ),
        (
            "service",
            TaskFilter::new().service(&rep),
            Box::new(|t: &Task| t.service_id == some_task.service_id),
        ),
        (
            "node",
            TaskFilter::new().node(&node_id).label(&scope),
            Box::new(|t: &Task| t.node_id.as_deref() == Some(node_id.as_str())),
        ),
        (
            "label",
            TaskFilter::new().label("e2e.role=web").label(&scope),
            Box::new(|t: &Task| t.service_id == some_task.service_id),
        ),
        (
            "desired-state",
            TaskFilter::new()
                .desired_state(TaskState::Running)
                .label(&scope),
            Box::new(|t: &Task| t.desired_state == Some(TaskState::Running)),
        ),
        (
            "runtime",
            TaskFilter::new()
                .runtime(swarm_models::Runtime::Container)
                .label(&scope),
            Box::new(|_: &Task| true),
        ),
    ];
    for (key, filter, predicate) in cases {
        let tasks = suite
            .both_list(&filter)
            .map_err(|e| format!("{key}: {e}"))?;
        ensure!(
            !tasks.is_empty(),
            "{key}: no task matched {}",
            filter.to_filters_json()
        );
        ensure!(
            tasks.iter().all(&predicate),
            "{key}: a task does not satisfy the filter: {}",
            summary(&tasks)
        );
    }
    for transport in [&suite.http as &dyn Transport, &suite.cli as &dyn Transport] {
        let unknown =
            suite.block(transport.list_tasks(&TaskFilter::new().service(format!("{rep}-nope"))));
        ensure!(
            unknown.is_err() || unknown.as_ref().is_ok_and(Vec::is_empty),
            "{}: unknown service filter {unknown:?}",
            transport.endpoint()
        );
    }
    Ok(())
}

fn live_fidelity(_suite: &Suite) -> Check {
    let mut leaves = 0usize;
    let mut objects = 0usize;
    for (path, kind) in [
        ("/tasks", "task"),
        ("/services?status=true", "service"),
        ("/nodes", "node"),
    ] {
        let body = real_engine::engine_get(path).map_err(|e| e.to_string())?;
        let raw: Vec<serde_json::Value> =
            serde_json::from_slice(&body).map_err(|e| format!("{path}: {e}"))?;
        for value in raw {
            let back = match kind {
                "task" => serde_json::to_value(
                    serde_json::from_value::<Task>(value.clone()).map_err(|e| e.to_string())?,
                ),
                "service" => serde_json::to_value(
                    serde_json::from_value::<Service>(value.clone()).map_err(|e| e.to_string())?,
                ),
                _ => serde_json::to_value(
                    serde_json::from_value::<Node>(value.clone()).map_err(|e| e.to_string())?,
                ),
            }
            .map_err(|e| e.to_string())?;
            let lost = lost_leaves(&value, &back);
            ensure!(lost.is_empty(), "{kind} {}: lost {lost:?}", value["ID"]);
            leaves += count_leaves(&value);
            objects += 1;
        }
    }
    log(&format!(
        "fidelity: {objects} live objects, {leaves} leaves, 0 lost"
    ));
    Ok(())
}

fn errors(suite: &Suite) -> Check {
    for transport in [&suite.http as &dyn Transport, &suite.cli as &dyn Transport] {
        let err = suite.block(transport.inspect_task("nosuchtask0000000000000000"));
        ensure!(
            matches!(
                &err,
                Err(Error::NotFound {
                    kind: ObjectKind::Task,
                    ..
                })
            ),
            "{}: unknown task id gave {err:?}",
            transport.endpoint()
        );
    }
    let missing = format!("unix:///tmp/{}-missing.sock", suite.prefix);
    let http = HttpTransport::builder()
        .host(&missing)
        .build()
        .map_err(|e| e.to_string())?;
    let cli = CliTransport::builder().host(&missing).build();
    for transport in [&http as &dyn Transport, &cli as &dyn Transport] {
        let err = suite.block(transport.list_tasks(&TaskFilter::new()));
        ensure!(
            matches!(&err, Err(Error::DaemonUnreachable { .. })),
            "{}: missing socket gave {err:?}",
            transport.endpoint()
        );
    }
    Ok(())
}

/// Makes the engine leave its swarm, checks both transports report the typed not-a-manager
/// error with the daemon's message, and re-initializes the swarm whatever happens.
fn not_a_manager_after_leave(suite: &Suite) -> Check {
    struct Rejoin;
    impl Drop for Rejoin {
        fn drop(&mut self) {
            if let Err(err) = real_engine::ensure_swarm() {
                log(&format!("could not re-initialize the swarm: {err}"));
            }
        }
    }
    let _rejoin = Rejoin;
    real_engine::docker(["swarm", "leave", "--force"]).map_err(|e| e.to_string())?;
    let http = HttpTransport::builder()
        .build()
        .map_err(|e| e.to_string())?;
    for transport in [&http as &dyn Transport, &suite.cli as &dyn Transport] {
        let err = suite.block(transport.list_tasks(&TaskFilter::new()));
        match &err {
            Err(Error::NotManager {
                reason: NotManagerReason::NotInSwarm,
                message,
                ..
            }) => {
                ensure!(
                    message.contains("not a swarm manager"),
                    "{}: message {message:?}",
                    transport.endpoint()
                );
            }
            other => {
                return Err(format!(
                    "{}: after leave got {other:?}",
                    transport.endpoint()
                ));
            }
        }
    }
    Ok(())
}

fn shortest_unique_prefix<'a>(id: &str, all: impl Iterator<Item = &'a str> + Clone) -> String {
    (1..=id.len())
        .map(|len| &id[..len])
        .find(|prefix| {
            all.clone()
                .filter(|other| other.starts_with(prefix))
                .count()
                == 1
        })
        .unwrap_or(id)
        .to_owned()
}
