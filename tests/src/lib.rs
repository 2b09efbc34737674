//! The shared harness of the end-to-end suite.
//!
//! The real-engine suite (`tests/real_engine.rs`) runs only when `SWARM_TASKS_E2E=1` (set by
//! `.ci/run` when `docker info` answers); without it, it prints why it is skipped, and under `CI=true` it fails. It makes the
//! local engine a single-node swarm, builds the test image without a registry, creates
//! uniquely named services and removes them afterwards even when a check fails.
//!
//! Progress lines go straight to the process's stderr (not through `eprintln!`, which the test
//! harness captures), so the CI log shows the engine version and every scenario by name.

pub mod lookup_table;
pub mod ssh;

use std::io::Write;
use std::time::{Duration, Instant};

use swarm_models::Task;

/// Environment variable that switches the real-engine suite on.
pub const E2E_VAR: &str = "SWARM_TASKS_E2E";

/// Environment variable that also allows the scenario that makes the engine leave its swarm
/// (and re-initialize it): `.ci/run` sets it; on a shared development machine leave it unset.
pub const DESTRUCTIVE_VAR: &str = "SWARM_TASKS_E2E_DESTRUCTIVE";

/// Writes one progress line to the real stderr, bypassing the test harness's capture.
pub fn log(line: &str) {
    let mut stderr = std::io::stderr().lock();
    // A log line that cannot be written is not worth failing the suite for.
    let _ = writeln!(stderr, "[e2e] {line}");
}

/// True when an environment variable is set to a non-empty value other than `0`.
pub fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|value| !value.is_empty() && value != "0")
}

/// Whether the real-engine suite `suite` runs: true when `SWARM_TASKS_E2E` is set; otherwise
/// it is skipped with the reason outside CI and fails under `CI=true`
/// (`swarm_testkit::skip`), since `.ci/run` sets the variable whenever the engine answers.
pub fn e2e_enabled(suite: &str) -> bool {
    if flag(E2E_VAR) {
        return true;
    }
    let reason = format!(
        "{suite}: set {E2E_VAR}=1 to run it against the local Docker Engine (.ci/run does)"
    );
    log(&reason);
    swarm_testkit::skip(&reason);
    false
}

/// The start of every real-engine suite: whether it runs ([`e2e_enabled`]), then a check that
/// the engine answers, a single-node swarm and the test image. Returns the image's name, or
/// `None` when the suite is skipped.
pub fn prepare_engine(suite: &str) -> Option<String> {
    if !e2e_enabled(suite) {
        return None;
    }
    assert!(
        swarm_testkit::real_engine::docker_available(),
        "{E2E_VAR}=1 but `docker info` does not answer: start the Docker Engine"
    );
    // A suite that cannot set up its engine fails here, with the reason.
    if let Err(err) = swarm_testkit::real_engine::ensure_swarm() {
        panic!("make the engine a single-node swarm: {err:?}");
    }
    match swarm_testkit::real_engine::build_test_image() {
        Ok(image) => Some(image),
        Err(err) => panic!("build the test image without a registry: {err:?}"),
    }
}

/// The items of a listing from the real engine, which must decode whole: an undecodable
/// object there is a model bug, reported with its index, ID and error.
pub fn complete<T>(listing: swarm_models::Listing<T>) -> Result<Vec<T>, String> {
    if listing.is_complete() {
        return Ok(listing.into_items());
    }
    let failures: Vec<String> = listing.failures.iter().map(ToString::to_string).collect();
    Err(format!(
        "objects that do not decode: {}",
        failures.join("; ")
    ))
}

/// A prefix unique to this run, for service names: `e2e<pid><millis>`.
pub fn unique_prefix() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() % 1_000_000)
        .unwrap_or(0);
    format!("e2e{}x{millis}", std::process::id())
}

/// Polls `probe` every `every` until it returns `Some`, or gives up after `limit` with an
/// error naming `what` and the last observation. This waits for a real engine to reach a
/// state; it asserts nothing about how long that takes.
pub fn wait_for<T>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Result<Option<T>, String>,
) -> Result<T, String> {
    let started = Instant::now();
    let mut last = String::from("no observation yet");
    loop {
        match probe() {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(observation) => last = observation,
        }
        if started.elapsed() > limit {
            return Err(format!(
                "gave up waiting for {what} after {limit:?}: {last}"
            ));
        }
        std::thread::sleep(every);
    }
}

/// Tasks sorted by ID, for comparing what two transports returned.
pub fn sorted(mut tasks: Vec<Task>) -> Vec<Task> {
    tasks.sort_by(|a, b| a.id.cmp(&b.id));
    tasks
}

/// A one-line summary of tasks for failure messages: `id state desired` each.
pub fn summary(tasks: &[Task]) -> String {
    tasks
        .iter()
        .map(|task| {
            format!(
                "{} {} (desired {})",
                &task.id,
                task.state().map(|state| state.as_str()).unwrap_or("?"),
                task.desired_state
                    .as_ref()
                    .map(|state| state.as_str())
                    .unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
