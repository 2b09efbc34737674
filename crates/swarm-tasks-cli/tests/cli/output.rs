//! What each format prints over the sample swarm, pinned with insta snapshots (ages are fixed
//! by `SWARM_TASKS_NOW`), plus the properties a snapshot cannot show: JSON is lossless, the
//! formats agree on rows, colors only where asked, a closed pipe is not an error.

use std::io::Read;
use std::process::Stdio;

use insta::assert_snapshot;
use swarm_testkit::{FakeSwarm, GenerateParams};

use crate::util::{command, replay, run};

clitest!(ls_table, |dir| {
    assert_snapshot!(replay(dir, &["ls"]).ok());
});

clitest!(service_ps_table, |dir| {
    assert_snapshot!(replay(dir, &["service", "ps", "web", "monitor"]).ok());
});

clitest!(service_ps_no_trunc, |dir| {
    assert_snapshot!(
        replay(
            dir,
            &[
                "service",
                "ps",
                "web",
                "broken",
                "pending-svc",
                "--no-trunc"
            ]
        )
        .ok()
    );
});

clitest!(node_ps_table, |dir| {
    assert_snapshot!(replay(dir, &["node", "ps", "node-2"]).ok());
});

clitest!(node_ps_defaults_to_self, |dir| {
    let by_default = replay(dir, &["node", "ps"]);
    let explicit = replay(dir, &["node", "ps", "node-1"]);
    assert_eq!(by_default.ok(), explicit.ok());
    assert!(by_default.stdout.lines().count() > 1);
});

clitest!(latest_and_state_filters, |dir| {
    assert_snapshot!("ls_latest", replay(dir, &["ls", "--latest"]).ok());
    assert_snapshot!(
        "ls_state_failing",
        replay(
            dir,
            &[
                "ls", "--state", "failed", "--state", "rejected", "--state", "pending"
            ]
        )
        .ok()
    );
});

clitest!(daemon_filter_is_passed_on, |dir| {
    let shutdown = replay(
        dir,
        &["service", "ps", "web", "-f", "desired-state=shutdown", "-q"],
    );
    let all = replay(dir, &["service", "ps", "web", "-q"]);
    let (shutdown, all) = (shutdown.ok(), all.ok());
    assert!(!shutdown.is_empty() && shutdown.lines().count() < all.lines().count());
    assert!(shutdown.lines().all(|id| all.contains(id)));
});

clitest!(quiet_prints_full_ids, |dir| {
    let quiet = replay(dir, &["service", "ps", "web", "-q"]);
    let ids = quiet.ok();
    assert_snapshot!(ids);
    assert!(ids.lines().all(|id| id.len() == 25), "{ids}");
});

clitest!(inspect_format_is_lossless_and_in_row_order, |dir| {
    let json = replay(dir, &["service", "ps", "web", "--format", "inspect"]);
    let text = json.ok();
    assert!(
        text.starts_with("[\n    {\n        \""),
        "4-space indent like docker inspect"
    );
    assert_snapshot!(text);
    let printed: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    let order = replay(dir, &["service", "ps", "web", "-q"]);
    let ids: Vec<&str> = printed
        .iter()
        .map(|task| task["ID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, order.ok().lines().collect::<Vec<_>>());
    let sample = FakeSwarm::sample();
    for task in &printed {
        let original = sample.task(task["ID"].as_str().unwrap()).unwrap();
        let lost = swarm_testkit::fidelity::lost_leaves(original, task);
        assert!(lost.is_empty(), "values lost for {}: {lost:?}", task["ID"]);
    }
});

clitest!(json_is_dockers_row_objects_one_per_line, |dir| {
    let json = replay(dir, &["service", "ps", "web", "--format", "json"]);
    let text = json.ok();
    assert_snapshot!(text);
    let keys = [
        "CurrentState",
        "DesiredState",
        "Error",
        "ID",
        "Image",
        "Name",
        "Node",
        "Ports",
    ];
    for line in text.lines() {
        let row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).unwrap();
        assert_eq!(row.keys().collect::<Vec<_>>(), keys, "{line}");
    }
});

clitest!(ndjson_is_json_with_a_note, |dir| {
    let json = replay(dir, &["service", "ps", "web", "--format", "json"]);
    let ndjson = run(&[
        "--replay",
        dir.to_str().unwrap(),
        "service",
        "ps",
        "web",
        "--format",
        "ndjson",
    ]);
    ndjson.code(0);
    assert_eq!(ndjson.stdout, json.ok());
    assert_eq!(
        ndjson.stderr,
        format!("{}\n", swarm_tasks_cli::format::NDJSON_NOTE)
    );
});

clitest!(empty_results, |dir| {
    let none = ["service", "ps", "web", "--state", "orphaned"];
    let table = replay(dir, &none);
    assert_eq!(table.ok().lines().count(), 1, "just the header");
    let json = replay(dir, &[&none[..], &["--format", "json"]].concat());
    assert_eq!(json.ok(), "");
    let objects = replay(dir, &[&none[..], &["--format", "inspect"]].concat());
    assert_eq!(objects.ok(), "[]\n");
});

clitest!(inspect_prints_docker_inspect_json, |dir| {
    let ids = replay(dir, &["service", "ps", "broken", "-q"]);
    let ids: Vec<&str> = ids.ok().lines().collect();
    let short: Vec<String> = ids.iter().map(|id| id[..12].to_owned()).collect();
    let outcome = replay(dir, &["inspect", &short[0], ids[1]]);
    let text = outcome.ok();
    assert_snapshot!(text);
    let tasks: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    assert_eq!(
        tasks
            .iter()
            .map(|task| task["ID"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ids[..2]
    );
    let table = replay(dir, &["inspect", ids[0], "--format", "table"]);
    assert_eq!(table.ok().lines().count(), 2);
});

clitest!(color_only_in_tables_and_only_when_asked, |dir| {
    let always = replay(dir, &["--color", "always", "service", "ps", "web"]);
    assert!(
        always.ok().contains("\u{1b}[32mRunning"),
        "{}",
        always.stdout
    );
    let never = replay(dir, &["--color", "never", "service", "ps", "web"]);
    assert!(!never.ok().contains('\u{1b}'));
    // auto: stdout is a pipe here, so no color.
    let auto = replay(dir, &["service", "ps", "web"]);
    assert!(!auto.ok().contains('\u{1b}'));
    let json = replay(
        dir,
        &[
            "--color", "always", "service", "ps", "web", "--format", "json",
        ],
    );
    assert!(!json.ok().contains('\u{1b}'));
});

clitest!(
    hostile_task_errors_are_sanitized_in_tables_but_kept_in_json,
    |dir| {
        let tasks_path = dir.join("tasks.json");
        let mut tasks: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&tasks_path).unwrap()).unwrap();
        let id = tasks[0]["ID"].as_str().unwrap().to_owned();
        tasks[0]["Status"]["Err"] = "\u{1b}]0;owned\u{7}bad\u{202e}news\nline".into();
        std::fs::write(&tasks_path, serde_json::to_vec(&tasks).unwrap()).unwrap();
        let table = replay(dir, &["inspect", &id, "--format", "table", "--no-trunc"]);
        let text = table.ok();
        assert!(text.contains("\"]0;ownedbadnews line\""), "{text:?}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text:?}"
        );
        let json = replay(dir, &["inspect", &id]);
        let parsed: Vec<serde_json::Value> = serde_json::from_str(json.ok()).unwrap();
        assert_eq!(
            parsed[0]["Status"]["Err"],
            "\u{1b}]0;owned\u{7}bad\u{202e}news\nline"
        );
    }
);

#[test]
fn closed_stdout_is_not_an_error() {
    // More than a pipe buffer of output, so the writer surely meets the closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let params = GenerateParams {
        services: 4,
        nodes: 10,
        replicas_per_service: 100,
        history_per_slot: 4,
        seed: 7,
    };
    FakeSwarm::generate(params)
        .write_snapshot(dir.path())
        .unwrap();
    let mut child = command(&["--replay", dir.path().to_str().unwrap(), "ls"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

clitest!(no_resolve_shows_ids, |dir| {
    let sample = FakeSwarm::sample();
    let web_id = sample.service_id("web").unwrap().to_owned();
    let node_id = sample.node_id("node-1").unwrap().to_owned();
    let outcome = replay(
        dir,
        &[
            "service",
            "ps",
            "web",
            "--no-resolve",
            "--no-trunc",
            "--latest",
        ],
    );
    let table = outcome.ok();
    assert!(table.contains(&format!("{web_id}.1 ")), "{table}");
    assert!(table.contains(&format!(" {node_id} ")), "{table}");
    assert!(!table.contains("node-1"), "{table}");
});

clitest!(label_filter_matches_service_labels, |dir| {
    let sample = FakeSwarm::sample();
    let labels = sample.services()[0]["Spec"]["Labels"]
        .as_object()
        .unwrap()
        .clone();
    let (key, value) = labels.iter().next().unwrap();
    let filter = format!("label={key}={}", value.as_str().unwrap());
    let filtered = replay(dir, &["ls", "-q", "-f", &filter]);
    let all = replay(dir, &["ls", "-q"]);
    let (filtered, all) = (filtered.ok(), all.ok());
    assert!(!filtered.is_empty());
    assert!(
        filtered
            .lines()
            .all(|id| all.lines().any(|other| other == id))
    );
});
