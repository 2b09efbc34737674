//! End-to-end tests of the `swarm-tasks` binary (placeholder while the modules are written).
