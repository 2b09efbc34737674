//! The `swarm-tasks` binary: everything is in the `swarm_tasks_cli` library.

fn main() -> std::process::ExitCode {
    swarm_tasks_cli::main().into()
}
