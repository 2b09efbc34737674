//! Integration tests of the `swarm-tasks` binary, run as a user runs it: a fresh process per
//! case, over a snapshot of the testkit's sample swarm (`--replay`) or the fake engine.
//!
//! One test binary (ripgrep's layout); each module covers one concern:

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

#[macro_use]
mod util;

/// `inspect`, `--format inspect`/`json` and `snapshot` print objects as the daemon sent them.
mod as_sent;
/// Every bad input gets one line on stderr and exit 2, never a panic.
mod bad_input;
/// `ui` in a real headless Chromium.
mod browser;
/// Completion scripts in a real bash and zsh.
mod completions;
/// Talking to the fake engine over TCP: request counts, timeouts, Ctrl-C.
mod engine;
/// One case per exit-code class.
mod exit_codes;
/// `--help`, `--version` and `completions`.
mod help;
/// `logs` over recorded lines and the fake engine: layout, order, Ctrl-C, broken pipe.
mod logs;
/// `explain` over the demo swarm; `watch` and `wait` refuse a replay.
mod monitor;
/// Snapshots of the table, json and ndjson output, and what they must keep.
mod output;
/// Side by side with the docker CLI on the real engine (`SWARM_TASKS_E2E=1`).
mod real_engine;
/// Human output, logs and errors never print Env values; json prints the daemon's data.
mod secrets;
/// `snapshot DIR` writes a folder that replays to the same output.
mod snapshot;
mod ui;
