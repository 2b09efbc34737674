//! Project automation, in Rust instead of shell scripts: `cargo xtask codegen`,
//! `cargo xtask release`, `cargo xtask fixtures`, `cargo xtask screenshot`, `cargo xtask bench`.
//!
//! `main` only parses flags, moves to the project root and dispatches; each command lives in
//! its own module.

mod bench;
mod codegen;
mod diff;
mod fixtures;
mod flags;
mod release;
mod screenshot;
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
        flags::Command::Screenshot(args) => screenshot::run(&root, args),
        flags::Command::Bench(args) => bench::run(&root, args),
    }
}

/// The workspace root: the parent of xtask's manifest directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
