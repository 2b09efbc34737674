//! Test support for swarm-tasks (not published).
//!
//! - A fake Docker Engine: a stateful swarm served over loopback TCP and a unix socket, with
//!   the daemon's filter semantics and fault injection (being written).
//! - [`real_engine`]: helpers that prepare the real Docker Engine on this machine (a
//!   single-node swarm, a locally built image) for `cargo xtask fixtures` and the e2e suite.

pub mod fidelity;
pub mod real_engine;
