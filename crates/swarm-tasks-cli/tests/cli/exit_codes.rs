//! One case per exit-code class of `swarm-tasks --help`: 0 ok, 1 not found or failed,
//! 2 usage, 3 daemon unreachable or unusable. (130, Ctrl-C, is in `engine`.)

use crate::util::{replay, run};

clitest!(ok_is_0, |dir| {
    replay(dir, &["service", "ps", "web"]).code(0);
});

clitest!(unknown_service_is_1, |dir| {
    let outcome = replay(dir, &["service", "ps", "nope"]);
    outcome.code(1);
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        outcome.stderr_lines()[0],
        "swarm-tasks: no such service: nope"
    );
});

clitest!(some_services_unknown_prints_the_rest_and_is_1, |dir| {
    let outcome = replay(dir, &["service", "ps", "web", "nope", "-q"]);
    outcome.code(1);
    assert_eq!(outcome.stdout.lines().count(), 5, "{}", outcome.stdout);
    assert_eq!(outcome.stderr, "swarm-tasks: no such service: nope\n");
});

clitest!(unknown_task_is_1_and_found_ones_still_print, |dir| {
    let ids = replay(dir, &["service", "ps", "web", "-q", "--latest"]);
    let first = ids.ok().lines().next().unwrap().to_owned();
    let outcome = replay(dir, &["inspect", &first, "nope"]);
    outcome.code(1);
    let found: Vec<serde_json::Value> = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["ID"], first.as_str());
    assert_eq!(outcome.stderr, "swarm-tasks: no such task: nope\n");
});

clitest!(only_unknown_tasks_print_an_empty_array, |dir| {
    let outcome = replay(dir, &["inspect", "nope", "nada"]);
    outcome.code(1);
    assert_eq!(outcome.stdout, "[]\n");
    assert_eq!(
        outcome.stderr_lines(),
        [
            "swarm-tasks: no such task: nope",
            "swarm-tasks: no such task: nada"
        ]
    );
});

clitest!(bad_filter_is_2, |dir| {
    replay(dir, &["ls", "-f", "nope"]).code(2);
});

clitest!(clap_usage_errors_are_2, |dir| {
    replay(dir, &["ls", "--color", "rainbow"]).code(2);
    replay(dir, &["service", "ps"]).code(2);
    replay(dir, &["frobnicate"]).code(2);
});

clitest!(replay_of_a_worker_is_3_with_a_hint, |dir| {
    let info_path = dir.join("info.json");
    let mut info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&info_path).unwrap()).unwrap();
    info["Swarm"]["LocalNodeState"] = "active".into();
    info["Swarm"]["ControlAvailable"] = false.into();
    std::fs::write(&info_path, serde_json::to_vec(&info).unwrap()).unwrap();

    let outcome = replay(dir, &["service", "ps", "web"]);
    outcome.code(3);
    assert_eq!(outcome.stdout, "");
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 2, "{}", outcome.stderr);
    assert!(lines[0].starts_with("swarm-tasks: replay:"), "{}", lines[0]);
    assert!(
        lines[0].contains("not a usable swarm manager"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "hint: this snapshot was recorded from a node that is not a swarm manager"
        ),
        "{}",
        lines[1]
    );
});

#[test]
fn unreachable_daemon_is_3_with_a_hint() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let outcome = run(&["-H", "tcp://127.0.0.1:1", "--transport", "http", "ls"]);
    outcome.code(3);
    let lines = outcome.stderr_lines();
    assert_eq!(lines.len(), 2, "{}", outcome.stderr);
    assert!(
        lines[0].starts_with("swarm-tasks: cannot reach the docker daemon at tcp://127.0.0.1:1"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("hint: check -H/--host"),
        "{}",
        lines[1]
    );
}

#[test]
fn missing_replay_folder_is_1_and_names_the_file() {
    let outcome = run(&["--replay", "/nonexistent/swarm-tasks-test", "ls"]);
    outcome.code(1);
    assert!(
        outcome.stderr.contains("/nonexistent/swarm-tasks-test"),
        "{}",
        outcome.stderr
    );
}
