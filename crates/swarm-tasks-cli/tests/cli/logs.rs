//! `logs` over the sample snapshot's recorded lines and against the fake engine: docker's
//! layout, stderr lines on stderr, json, timestamp order across services, usage errors, a
//! follow ended by Ctrl-C (130) and a broken pipe (quiet, 0).

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm, LogEnd, details_prefix};

use crate::util::{command, replay};

clitest!(docker_layout_with_stderr_lines_on_stderr, |dir| {
    let outcome = replay(dir, &["logs", "web"]);
    outcome.code(0);
    let stdout = outcome.stdout.clone();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        // `web.SLOT.TASKID12@HOSTNAME    | started`, one digit of padding for 3 replicas.
        let (context, text) = line.split_once("    | ").unwrap();
        assert_eq!(text, "started", "{line}");
        let (name, node) = context.split_once('@').unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts[0], "web", "{line}");
        assert_eq!(parts[2].len(), 12, "{line}");
        assert!(!node.is_empty() && !node.ends_with(' '), "{line}");
    }
    assert_eq!(outcome.stderr.lines().count(), lines.len());
    assert!(
        outcome
            .stderr
            .lines()
            .all(|line| line.ends_with("    | slow start"))
    );
});

clitest!(timestamps_put_several_services_in_order, |dir| {
    let outcome = replay(dir, &["logs", "-t", "--no-task-ids", "monitor", "web"]);
    outcome.code(0);
    let stdout = &outcome.stdout;
    let stamps: Vec<&str> = stdout
        .lines()
        .map(|line| line.split(' ').next().unwrap())
        .collect();
    assert!(stamps.len() > 3);
    let mut sorted = stamps.clone();
    sorted.sort_unstable();
    assert_eq!(stamps, sorted, "{stdout}");
    assert!(
        stamps.iter().all(|stamp| stamp.len() == 30),
        "nine digits: {stamps:?}"
    );
    assert!(stdout.contains(" monitor.") && stdout.contains(" web."));
});

clitest!(json_lines_tail_and_raw, |dir| {
    let outcome = replay(dir, &["logs", "--format", "json", "--tail", "1", "web"]);
    let objects: Vec<serde_json::Value> = outcome
        .ok()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(!objects.is_empty());
    for object in &objects {
        assert_eq!(object["service"], "web");
        assert_eq!(
            object["stream"], "stderr",
            "tail 1: the last line of each task"
        );
        assert_eq!(object["line"], "slow start");
        assert!(object["task_id"].as_str().is_some_and(|id| id.len() == 25));
    }
    let raw = replay(dir, &["logs", "--raw", "web"]);
    raw.code(0);
    assert!(raw.stdout.lines().all(|line| line == "started"));
    assert!(raw.stderr.lines().all(|line| line == "slow start"));
});

clitest!(
    bad_flags_are_usage_errors_and_unknown_targets_exit_1,
    |dir| {
        let tail = replay(dir, &["logs", "--tail", "ten", "web"]);
        tail.code(2);
        assert!(
            tail.stderr.contains("invalid --tail \"ten\""),
            "{}",
            tail.stderr
        );
        let since = replay(dir, &["logs", "--since", "yesterday", "web"]);
        since.code(2);
        let missing = replay(dir, &["logs", "nosuch"]);
        missing.code(1);
        assert!(missing.stderr.contains("nosuch"), "{}", missing.stderr);
    }
);

fn followed_engine() -> (FakeEngine, String) {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    let task = engine.swarm().tasks()[0].clone();
    let prefix = details_prefix(
        task["NodeID"].as_str().unwrap_or("n"),
        &web,
        task["ID"].as_str().unwrap(),
    );
    engine.set_logs(
        &web,
        FakeLogs::new()
            .frame(1, format!("{prefix}first\n").as_bytes())
            .generated(1, 200_000, |idx| format!(" line {idx}\n").into_bytes())
            .end(LogEnd::StayOpen),
    );
    (engine, web)
}

#[test]
fn ctrl_c_ends_a_follow_with_130() {
    let (engine, web) = followed_engine();
    let mut child = command(&[
        "-H",
        &engine.host(),
        "--transport",
        "http",
        "logs",
        "-f",
        &web,
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.ends_with("| first\n"), "{first}");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // Drain so the child never blocks on a full pipe before it sees the signal.
    let mut rest = Vec::new();
    let _ = stdout.read_to_end(&mut rest);
    assert_eq!(child.wait().unwrap().code(), Some(130));
}

#[test]
fn a_broken_pipe_exits_quietly() {
    let (engine, web) = followed_engine();
    let mut child = command(&[
        "-H",
        &engine.host(),
        "--transport",
        "http",
        "logs",
        "-f",
        &web,
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    drop(stdout); // like `| head -1`
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

clitest!(snapshot_keeps_the_last_lines_and_redact_drops_them, |dir| {
    let out = tempfile::tempdir().unwrap();
    let copy = out.path().join("copy");
    let copy_arg = copy.to_str().unwrap();
    replay(dir, &["snapshot", copy_arg]).code(0);
    let recorded = std::fs::read_to_string(copy.join("logs.json")).unwrap();
    assert!(recorded.contains("\"slow start\""), "{recorded}");
    let before = replay(dir, &["logs", "-t", "web"]);
    let after = replay(&copy, &["logs", "-t", "web"]);
    assert_eq!(
        (after.code, &after.stdout, &after.stderr),
        (0, &before.stdout, &before.stderr)
    );
    let redacted = out.path().join("redacted");
    replay(dir, &["snapshot", "--redact", redacted.to_str().unwrap()]).code(0);
    assert!(!redacted.join("logs.json").exists());
});

clitest!(explain_shows_the_last_lines_of_a_rejected_task, |dir| {
    let outcome = replay(dir, &["explain", "broken", "--log-lines", "1"]);
    let stdout = outcome.ok();
    assert!(
        stdout.contains("  last 1 log lines:\n    slow start\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("    started\n"), "--log-lines 1: {stdout}");
    let off = replay(dir, &["explain", "broken", "--log-lines", "0"]);
    assert!(!off.ok().contains("log lines"), "{}", off.stdout);
    let default = replay(dir, &["explain", "broken"]);
    assert!(
        default
            .ok()
            .contains("  last 20 log lines:\n    started\n    slow start\n")
    );
});
