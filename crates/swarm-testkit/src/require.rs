//! What a test does when something it needs is missing.
//!
//! Outside CI a test may skip (and says so on stderr); under `CI=true` it may not: the
//! helpers here panic with the reason, so the run fails instead of passing in silence.
//! Every test that depends on a tool, a flag or a machine feature goes through them; a tidy
//! test (`swarm-testkit/tests/no_silent_skips.rs`) rejects test files that skip by hand.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Whether this is a CI run, where no test may skip: `CI` is set to anything but `""`,
/// `0` or `false` (CI systems set `CI=true`).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim(), "" | "0" | "false"))
}

/// Skips the calling test with `reason`: writes it to the process's stderr (past the test
/// harness's capture, so the skip shows in the log) outside CI, panics under CI.
/// The caller returns right after (`require_*` return `None` / `false` to make that easy).
///
/// # Panics
///
/// Under CI (see [`under_ci`]), always, with `reason`.
#[track_caller]
pub fn skip(reason: &str) {
    assert!(
        !under_ci(),
        "CI=true and this test cannot run: {reason} (CI must provide it, see .ci/run)"
    );
    let mut stderr = std::io::stderr().lock();
    // A skip line that cannot be written changes nothing about the skip.
    let _ = writeln!(stderr, "SKIPPED: {reason}");
}

/// The path of the executable `tool` found on `PATH`, or (when there is none) a skip with
/// `why` the test needs it: `None` outside CI, a panic under CI.
///
/// # Panics
///
/// Under CI when `tool` is not on `PATH`.
#[track_caller]
pub fn require(tool: &str, why: &str) -> Option<PathBuf> {
    match find_on_path(tool) {
        Some(path) => Some(path),
        None => {
            skip(&format!("no `{tool}` on PATH, needed {why}"));
            None
        }
    }
}

/// Whether the environment variable `var` is `1`; when it is not, a skip with `why`:
/// `false` outside CI, a panic under CI (`.ci/run` sets the variables CI needs).
///
/// # Panics
///
/// Under CI when `var` is not `1`.
#[track_caller]
pub fn require_flag(var: &str, why: &str) -> bool {
    if std::env::var(var).as_deref() == Ok("1") {
        return true;
    }
    skip(&format!("{var} is not 1, needed {why}"));
    false
}

/// The first executable file named `tool` in the `PATH` directories (or `tool` itself when
/// it contains a slash and is executable).
pub fn find_on_path(tool: &str) -> Option<PathBuf> {
    if tool.contains('/') {
        return is_executable(Path::new(tool)).then(|| PathBuf::from(tool));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sh_and_not_a_made_up_tool() {
        assert!(find_on_path("sh").is_some());
        assert_eq!(find_on_path("no-such-tool-swarm-tasks-xyz"), None);
        assert_eq!(find_on_path("/no/such/dir/tool"), None);
    }
}
