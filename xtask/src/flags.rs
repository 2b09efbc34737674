//! Command-line flags of every xtask command, in one place.

use clap::{Args, Parser, Subcommand};

/// Project automation for swarm-tasks.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
pub struct Xtask {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The xtask commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Regenerate docs/reference from the code (or check that it is fresh).
    Codegen(CodegenArgs),
    /// Cut a release: bump versions, move the changelog, check, package, commit and tag.
    Release(ReleaseArgs),
    /// Record fixtures from the Docker Engine on this machine.
    Fixtures(FixturesArgs),
    /// Take the screenshots of `swarm-tasks ui` in docs/ with headless Chromium.
    Screenshot(ScreenshotArgs),
    /// Run the benchmarks (short settings) and rewrite their section of docs/benchmarks.md.
    Bench(BenchArgs),
}

/// Flags of `cargo xtask bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Runs of each command in the `service ps` comparison with docker.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub runs: usize,
}

/// Flags of `cargo xtask screenshot`.
#[derive(Debug, Args)]
pub struct ScreenshotArgs {
    /// Where to write the PNGs.
    #[arg(long, value_name = "DIR", default_value = "docs/images")]
    pub out: std::path::PathBuf,
}

/// Flags of `cargo xtask codegen`.
#[derive(Debug, Args)]
pub struct CodegenArgs {
    /// Write nothing; fail naming every stale file.
    #[arg(long)]
    pub check: bool,
}

/// Flags of `cargo xtask release`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The new version (semver, greater than the current one).
    pub version: String,
    /// Run every check and show the plan and diff, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Flags of `cargo xtask fixtures`.
#[derive(Debug, Args)]
pub struct FixturesArgs {
    /// Keep the services created for recording instead of removing them.
    #[arg(long)]
    pub keep: bool,
    /// Record the demo snapshot (services web, monitor, migrate, broken, pending) into DIR
    /// instead of the model fixtures.
    #[arg(long, value_name = "DIR")]
    pub demo: Option<std::path::PathBuf>,
}
