//! The monitoring commands against the real Docker Engine: `wait` on a real update, a real
//! rollback and an unsatisfiable constraint, `watch` on a real scale-up, `explain` of real
//! rejected and failing tasks; each through the HTTP and the CLI transport.
//!
//! Runs when `SWARM_TASKS_E2E=1`, like the rest of the real-engine suite, and prints why it
//! is skipped otherwise. Services are named with a prefix unique to the run and removed at
//! the end, even when a check fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests: a panic is a failure.

mod scenarios;

use swarm_tasks::Client;
use swarm_tasks_e2e::{log, prepare_engine, unique_prefix};
use swarm_testkit::real_engine::{self, ServiceGuard};
use swarm_transport::{CliTransport, HttpTransport};

type Check = Result<(), String>;

/// A named scenario.
type Scenario = (&'static str, fn(&Suite, &mut ServiceGuard) -> Check);

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}
pub(crate) use ensure;

/// What the scenarios share.
struct Suite {
    runtime: tokio::runtime::Runtime,
    prefix: String,
    image: String,
    /// (transport name, client) for each transport.
    clients: Vec<(&'static str, Client)>,
}

impl Suite {
    fn name(&self, short: &str) -> String {
        format!("{}-{short}", self.prefix)
    }

    fn block<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// `docker service create --detach --name NAME FLAGS... IMAGE COMMAND...`, tracked by the guard.
    fn create(
        &self,
        guard: &mut ServiceGuard,
        short: &str,
        flags: &[&str],
        image: Option<&str>,
        command: &[&str],
    ) -> Result<String, String> {
        let name = self.name(short);
        guard.track(&name);
        let mut args = vec!["service", "create", "--detach", "--name", &name];
        args.extend_from_slice(flags);
        args.push(image.unwrap_or(&self.image));
        args.extend_from_slice(command);
        real_engine::docker(&args).map_err(|err| format!("create {name}: {err}"))?;
        Ok(name)
    }
}

#[test]
fn monitoring_on_the_real_engine() {
    let Some(image) = prepare_engine("real-engine monitoring suite") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let suite = Suite {
        runtime,
        prefix: format!("mon{}", unique_prefix()),
        image,
        clients: vec![
            (
                "http",
                Client::new(HttpTransport::builder().build().expect("HTTP transport")),
            ),
            ("cli", Client::new(CliTransport::builder().build())),
        ],
    };
    let mut guard = ServiceGuard::new();
    let scenarios: [Scenario; 6] = [
        (
            "wait on a real service update converges",
            scenarios::wait_on_update,
        ),
        (
            "an update whose tasks fail is reported as a rollback, exit 1",
            scenarios::wait_on_rollback,
        ),
        (
            "wait on an unsatisfiable constraint times out with exit 4 and says why",
            scenarios::wait_times_out,
        ),
        (
            "a global service with no eligible node fails at once",
            scenarios::wait_global_without_eligible_node,
        ),
        (
            "watch sees a real scale-up, every transition once",
            scenarios::watch_scale_up,
        ),
        (
            "explain names the missing image and the exit code",
            scenarios::explain_real_failures,
        ),
    ];
    let mut failures = Vec::new();
    for (name, scenario) in scenarios {
        match scenario(&suite, &mut guard) {
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
