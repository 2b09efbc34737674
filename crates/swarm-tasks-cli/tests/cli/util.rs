//! Helpers: a fresh sample-swarm snapshot per test, a way to run the binary, and a result type
//! with readable assertions.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use swarm_testkit::FakeSwarm;
use tempfile::TempDir;

/// "Now" for every test: one hour after the sample swarm's clock starts, so ages are fixed.
pub const NOW: &str = "2026-11-20T10:00:00Z";

/// The path of the binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_swarm-tasks");

/// Defines a test that gets a fresh folder holding the sample swarm's snapshot.
macro_rules! clitest {
    ($name:ident, |$dir:ident| $body:block) => {
        #[test]
        fn $name() {
            let sample = $crate::util::sample_snapshot();
            let $dir: &std::path::Path = sample.path();
            $body
        }
    };
}

/// Writes `FakeSwarm::sample()` into a temporary folder.
pub fn sample_snapshot() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    FakeSwarm::sample().write_snapshot(dir.path()).unwrap();
    write_sample_logs(dir.path());
    dir
}

/// A command for the binary with a clean, fixed environment.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("SWARM_TASKS_NOW", NOW)
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
    command
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Outcome {
    Outcome::from(command(args).output().unwrap())
}

/// Runs the binary with `--replay DIR` and `args`.
pub fn replay(dir: &Path, args: &[&str]) -> Outcome {
    let dir = dir.to_str().unwrap();
    let mut all = vec!["--replay", dir];
    all.extend_from_slice(args);
    run(&all)
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl From<Output> for Outcome {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Outcome {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Asserts success and a silent stderr; returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        self.code(0);
        assert_eq!(self.stderr, "", "stderr of a successful run");
        &self.stdout
    }

    /// The lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// Adds `logs.json` to a sample snapshot: each task of a service wrote `started` on stdout
/// and `slow start` on stderr in the minutes before [`NOW`].
pub fn write_sample_logs(dir: &Path) {
    let tasks: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("tasks.json")).unwrap()).unwrap();
    let mut lines = Vec::new();
    for (idx, task) in tasks.iter().enumerate() {
        if task["ServiceID"].is_null() {
            continue;
        }
        for (offset, (stream, text)) in [("stdout", "started"), ("stderr", "slow start")]
            .into_iter()
            .enumerate()
        {
            lines.push(serde_json::json!({
                "TaskID": task["ID"],
                "ServiceID": task["ServiceID"],
                "NodeID": task["NodeID"],
                "Stream": stream,
                "Timestamp": format!("2026-11-20T09:55:{:02}.000000001Z", (idx * 2 + offset) % 60),
                "Line": text,
            }));
        }
    }
    std::fs::write(
        dir.join("logs.json"),
        serde_json::to_vec_pretty(&lines).unwrap(),
    )
    .unwrap();
}
