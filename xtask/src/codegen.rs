//! `cargo xtask codegen`: not written yet.

use std::path::Path;

pub fn run(_root: &Path, _args: crate::flags::CodegenArgs) -> anyhow::Result<()> {
    anyhow::bail!("cargo xtask codegen is not implemented yet")
}
