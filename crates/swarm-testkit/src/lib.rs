//! Test support for swarm-tasks (not published).
//!
//! - A fake Docker Engine ([`FakeEngine`]) serving a stateful swarm ([`FakeSwarm`]) over
//!   loopback TCP or a unix socket: `/_ping`, `/version`, `/info`, `/tasks`, `/tasks/{id}`,
//!   `/services`, `/services/{id}`, `/nodes`, `/nodes/{id}`, with and without a `/vX.Y`
//!   prefix, with the daemon's filter semantics, name resolution and error messages. The real
//!   `docker` CLI works against it (`docker -H tcp://127.0.0.1:PORT service ps web`). It
//!   serves task and service logs scripted with [`FakeLogs`] ([`FakeEngine::set_logs`]),
//!   records every request (and the routes it does not know), and can inject faults
//!   ([`Fault`], [`FaultRule`]). [`FakeEngine::start`] runs it on a thread of its own;
//!   [`FakeEngine::start_local`] on the test's runtime, for tests on a paused clock.
//! - Swarms: [`FakeSwarm::sample`] (small, hand-made, realistic), [`FakeSwarm::generate`]
//!   (any size, deterministic from a seed), [`FakeSwarm::from_snapshot`] (a recorded folder)
//!   or [`FakeSwarm::empty`]; [`FakeEngine::update`] changes them between requests
//!   ([`FakeSwarm::set_task_state`], [`FakeSwarm::start_replacement`],
//!   [`FakeSwarm::set_update_status`], or the raw JSON). Objects are served as stored, with
//!   their keys sorted (serde_json's map), where a daemon keeps Go's field order.
//! - [`real_engine`]: helpers that prepare the real Docker Engine on this machine (a
//!   single-node swarm, a locally built image) for `cargo xtask fixtures` and the e2e suite.
//! - [`sim`]: a swarm on a simulated timeline served through the `Transport` trait
//!   ([`sim::SimSwarm`]), for monitoring tests on a paused clock.
//! - [`history`]: large `GET /tasks` bodies shaped like a real swarm's history, made from
//!   the recorded fixtures, for the benchmarks.
//! - [`timing`]: two things timed in turns, for benchmarks that compare them.
//! - [`write_docker_context`]: a docker context in a test's own config folder.
//! - [`require()`]: what a test does when a tool it needs is missing (skip outside CI,
//!   fail under `CI=true`).
//! - [`fidelity`]: checks that parsing and serializing keeps every value.
//! - `browser` (feature `browser`): a real headless Chromium driven over WebDriver, for the
//!   browser tests and screenshots of `swarm-tasks ui`.
//!
//! ```no_run
//! use swarm_testkit::{Fault, FakeEngine, FakeSwarm};
//!
//! # async fn example() {
//! let engine = FakeEngine::start(FakeSwarm::sample()).await;
//! let host = engine.host(); // "tcp://127.0.0.1:PORT", for DOCKER_HOST or `docker -H`
//! // ... point a client at `host` ...
//! assert!(engine.requests().iter().all(|request| request.path != "/swarm"));
//! engine.set_fault(Fault::ResetConnection);
//! engine.update(|swarm| {
//!     let id = swarm.tasks()[0]["ID"].as_str().unwrap_or_default().to_owned();
//!     swarm.set_task_state(&id, "running", "started");
//! });
//! # let _ = host;
//! # }
//! ```

mod api;
mod contexts;
mod engine;
mod fault;
mod faults;
mod generate;
mod http;
mod logs;
mod mutate;
mod objects;
mod query;
mod sample;
mod swarm;

#[cfg(feature = "browser")]
pub mod browser;
pub mod history;
pub mod real_engine;
pub mod require;
pub mod sim;
pub mod timing;

/// The fidelity check, which lives in swarm-models (feature `fidelity`) beside the models
/// it checks; re-exported here for the tests that use the fake engine.
pub use swarm_models::fidelity;

pub use contexts::write_docker_context;
pub use engine::{FakeEngine, RecordedRequest};
pub use fault::{Fault, FaultRule, NotManagerKind};
pub use generate::GenerateParams;
pub use logs::{DETAIL_KEYS, FakeLogs, LineMaker, LogEnd, details_prefix, frame};
pub use require::{require, require_flag, skip, under_ci};
pub use swarm::FakeSwarm;
