//! The `swarm-tasks` command: argument parsing and rendering over the `swarm-tasks` facade.

fn main() {}
