//! `cargo xtask fixtures`: not written yet.

use std::path::Path;

pub fn run(_root: &Path, _args: crate::flags::FixturesArgs) -> anyhow::Result<()> {
    anyhow::bail!("cargo xtask fixtures is not implemented yet")
}
