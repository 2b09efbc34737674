//! `cargo xtask release`: not written yet.

use std::path::Path;

pub fn run(_root: &Path, _args: crate::flags::ReleaseArgs) -> anyhow::Result<()> {
    anyhow::bail!("cargo xtask release is not implemented yet")
}
