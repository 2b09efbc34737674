//! `inspect`, `--format inspect`, `--format json` of inspected tasks and `snapshot` print each
//! object as the daemon sent it (up to whitespace): offsets, trailing zeros of nanoseconds,
//! explicit nulls and `{}`, the swagger's `AssignedGenericResources` and keys this version
//! does not know all come out unchanged. The tasks are the recorded fixtures, served by the
//! fake engine.

use serde_json::{Value, json};
use swarm_tasks::models::AsSent;
use swarm_testkit::history::fixture_tasks;
use swarm_testkit::{FakeEngine, FakeSwarm};

use crate::util::run;

/// The text without whitespace between tokens.
fn compact(text: &str) -> String {
    let mut out = Vec::new();
    AsSent::new(text).write_compact(&mut out);
    String::from_utf8(out).unwrap()
}

/// The sample swarm plus every recorded task fixture, one of them spelled the ways a
/// canonical serialization would change.
fn swarm_with_fixtures() -> (FakeSwarm, Vec<Value>) {
    let mut fixtures = fixture_tasks().unwrap();
    assert!(fixtures.len() >= 10, "the fixtures are there");
    for (idx, task) in fixtures.iter_mut().enumerate() {
        task["ID"] = json!(format!("assent{idx:0>19}"));
    }
    // A replicated task (an attachment task has no service and `ls` leaves it out).
    let odd = fixtures
        .iter_mut()
        .find(|task| task["Slot"].is_u64())
        .unwrap();
    odd["CreatedAt"] = json!("2026-11-28T03:47:45.327569800+02:00");
    odd["UpdatedAt"] = json!("2026-11-28T01:47:45.100Z");
    odd["Labels"] = json!({});
    odd["Name"] = Value::Null;
    odd["AssignedGenericResources"] =
        json!([{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 2}}]);
    odd["FromANewerDaemon"] = json!({"Nested": [1, null, {}], "Flag": false});
    odd["Status"]["Err"] = Value::Null;
    let mut swarm = FakeSwarm::sample();
    swarm.tasks_mut().extend(fixtures.iter().cloned());
    (swarm, fixtures)
}

/// What the fake engine sends for `task`: its stored JSON, compact.
fn sent(task: &Value) -> String {
    serde_json::to_string(task).unwrap()
}

#[test]
fn inspect_prints_each_task_as_sent() {
    let (swarm, fixtures) = swarm_with_fixtures();
    let engine = FakeEngine::start_blocking(swarm);
    let host = engine.host();
    let ids: Vec<String> = fixtures
        .iter()
        .map(|task| task["ID"].as_str().unwrap().to_owned())
        .collect();
    let mut args = vec!["-H", &host, "--transport", "http", "inspect"];
    args.extend(ids.iter().map(String::as_str));
    let out = run(&args);
    let expected: Vec<String> = fixtures.iter().map(sent).collect();
    assert_eq!(compact(out.ok()), format!("[{}]", expected.join(",")));
    // The layout is docker's: an array indented by four spaces.
    assert!(out.ok().starts_with("[\n    {\n        \""), "{}", out.ok());

    args.extend(["--format", "json"]);
    let out = run(&args);
    let lines: Vec<&str> = out.ok().lines().collect();
    assert_eq!(lines, expected, "one compact task per line, as sent");
}

#[test]
fn list_inspect_format_and_snapshot_keep_what_was_sent() {
    let (swarm, fixtures) = swarm_with_fixtures();
    let engine = FakeEngine::start_blocking(swarm.clone());
    let host = engine.host();
    let every_task: Vec<String> = swarm.tasks().iter().map(sent).collect();

    let out = run(&[
        "-H",
        &host,
        "--transport",
        "http",
        "ls",
        "--format",
        "inspect",
    ]);
    let printed: Vec<&serde_json::value::RawValue> = serde_json::from_str(out.ok()).unwrap();
    assert!(printed.len() > fixtures.len(), "{}", printed.len());
    // Each printed task, re-compacted, is exactly one of the sent texts.
    for raw in &printed {
        let text = compact(raw.get());
        assert!(every_task.contains(&text), "changed: {text}");
    }
    let odd = sent(
        fixtures
            .iter()
            .find(|task| task["FromANewerDaemon"].is_object())
            .unwrap(),
    );
    assert!(printed.iter().any(|raw| compact(raw.get()) == odd));

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("snap");
    run(&[
        "-H",
        &host,
        "--transport",
        "http",
        "snapshot",
        target.to_str().unwrap(),
    ])
    .code(0);
    let written = std::fs::read_to_string(target.join("tasks.json")).unwrap();
    let mut got: Vec<String> = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&written)
        .unwrap()
        .iter()
        .map(|raw| compact(raw.get()))
        .collect();
    let mut want = every_task.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}
