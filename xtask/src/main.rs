//! Project automation, in Rust instead of shell scripts: `cargo xtask codegen`,
//! `cargo xtask release`, `cargo xtask fixtures`.
//!
//! `main` only parses flags, moves to the project root and dispatches; each command lives in
//! its own module.

// The CLI's clap definition, compiled in so `codegen` can render the command-line reference
// from it. These two files must depend only on clap, clap_complete and each other.
#[path = "../../crates/swarm-tasks-cli/src/cli.rs"]
#[allow(dead_code)] // Only `cli::command()` is used here; the rest serves the CLI.
mod cli;
mod codegen;
mod diff;
#[path = "../../crates/swarm-tasks-cli/src/exit.rs"]
#[allow(dead_code)] // Needed by `cli`, which names the exit codes in its help.
mod exit;
mod fixtures;
mod flags;
mod release;
mod tidy;

use std::path::{Path, PathBuf};

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = flags::Xtask::parse();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match cli.command {
        flags::Command::Codegen(args) => codegen::run(&root, args),
        flags::Command::Release(args) => release::run(&root, args),
        flags::Command::Fixtures(args) => fixtures::run(&root, args),
    }
}

/// The workspace root: the parent of xtask's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
