//! Inspect and monitor Docker Swarm tasks.
//!
//! The facade of the swarm-tasks toolkit: a client that lists and inspects tasks, answers
//! `service ps` and `node ps`, and (soon) watches tasks and waits for services to converge.
//! It composes [`transport`] (how bytes reach the daemon) and [`models`] (what they mean),
//! both re-exported so that one dependency is enough.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[doc(inline)]
pub use swarm_models as models;
#[doc(inline)]
pub use swarm_transport as transport;
