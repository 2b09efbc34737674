//! Against the fake engine over TCP: the same rows as a replay, few requests, the same table
//! as the real `docker` CLI, `--timeout` and Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use swarm_testkit::{FakeEngine, FakeSwarm, Fault};

use crate::util::{command, replay, run, sample_snapshot};

#[test]
fn service_ps_over_http_matches_replay_in_three_requests() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let live = run(&[
        "-H",
        &host,
        "--transport",
        "http",
        "service",
        "ps",
        "web",
        "monitor",
    ]);
    let sample = sample_snapshot();
    let recorded = replay(sample.path(), &["service", "ps", "web", "monitor"]);
    assert_eq!(live.ok(), recorded.ok());
    let swarm_requests: Vec<String> = engine
        .requests()
        .into_iter()
        .filter(|request| request.path != "/_ping" && request.path != "/version")
        .map(|request| request.path)
        .collect();
    assert!(swarm_requests.len() <= 3, "{swarm_requests:?}");
}

#[test]
fn same_table_as_docker() {
    if swarm_testkit::require(
        "docker",
        "by same_table_as_docker (docker's table is the reference)",
    )
    .is_none()
    {
        return;
    }
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let docker_config = tempfile::tempdir().unwrap();
    let swarm = engine.swarm();
    let web_2: Vec<String> = swarm
        .tasks_of_service("web")
        .iter()
        .map(|task| task["ID"].as_str().unwrap().to_owned())
        .collect();
    let cases: Vec<Vec<&str>> = vec![
        vec!["service", "ps", "web", "monitor", "broken"],
        vec!["service", "ps", "--no-trunc", "web", "pending-svc"],
        vec!["node", "ps", "node-2"],
        vec!["service", "ps", "-q", "web"],
        vec!["node", "ps", "-q", "node-2"],
        vec!["node", "ps", "-q", "--no-trunc", "node-2"],
        // --format as docker means it: json rows, templates, table templates.
        vec!["service", "ps", "--format", "json", "web", "broken"],
        vec!["service", "ps", "--format", "{{json .}}", "web"],
        vec!["service", "ps", "--no-trunc", "--format", "json", "broken"],
        vec![
            "service",
            "ps",
            "--format",
            "table {{.ID}}\\t{{.Name}}\\t{{.Error}}",
            "web",
            "broken",
        ],
        vec![
            "service",
            "ps",
            "--format",
            "{{.Name}}\\t{{.Node}} {{upper .DesiredState}}",
            "web",
        ],
        vec![
            "node",
            "ps",
            "--format",
            "table {{.Name}}\\t{{.Node}}",
            "node-2",
        ],
        vec![
            "node",
            "ps",
            "--format",
            "{{.Name}} {{.CurrentState}} {{lower .Image | title}}",
            "node-2",
        ],
        vec![
            "service",
            "ps",
            "--format",
            "{{join (split .Image \":\") \" \"}}|{{truncate .ID 5}}|{{pad .Error 1 1}}|{{println .Node}}",
            "web",
        ],
        vec!["service", "ps", "--format", "table", "web"],
        vec![
            "inspect",
            "--type",
            "task",
            "--format",
            "{{.Status.State}} {{json .Status}}",
            &web_2[0],
            &web_2[1],
        ],
        vec![
            "inspect",
            "--type",
            "task",
            "-f",
            "{{.ID}} {{.Spec.ContainerSpec.Image}} {{.Status.Timestamp}} {{.Slot}}",
            &web_2[0],
        ],
        vec![
            "inspect",
            "--type",
            "task",
            "-f",
            "{{json .Spec.ContainerSpec}}",
            &web_2[0],
        ],
        vec![
            "inspect",
            "--type",
            "task",
            "-f",
            "{{range .Spec.ContainerSpec.Env}}[{{.}}]{{end}} {{len .NetworksAttachments}}",
            &web_2[0],
        ],
    ];
    for args in &cases {
        // An empty config: a user's `tasksFormat` must not change docker's table.
        let docker = Command::new("docker")
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["-H", &host])
            .args(args)
            .output()
            .unwrap();
        assert!(
            docker.status.success(),
            "docker {args:?}: {}",
            String::from_utf8_lossy(&docker.stderr)
        );
        // Both measure ages from the real clock here.
        let ours = command(&["-H", &host, "--transport", "http"])
            .args(args)
            .env_remove("SWARM_TASKS_NOW")
            .output()
            .unwrap();
        assert!(
            ours.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(
            String::from_utf8(ours.stdout).unwrap(),
            String::from_utf8(docker.stdout).unwrap(),
            "{args:?}"
        );
    }
}

#[test]
fn timeout_gives_up_with_exit_3() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(Fault::Latency(Duration::from_secs(60)));
    let outcome = run(&[
        "-H",
        &engine.host(),
        "--transport",
        "http",
        "--timeout",
        "300ms",
        "ls",
    ]);
    outcome.code(3);
    assert!(
        outcome.stderr.starts_with("swarm-tasks: "),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("hint: raise --timeout"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn ctrl_c_exits_130() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(Fault::Latency(Duration::from_secs(60)));
    let mut child = command(&["-vv", "-H", &engine.host(), "--transport", "http", "ls"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The debug line comes after the Ctrl-C handler is installed and before the first
    // request: once it is read, the signal is handled, not fatal.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr closed before the client was ready"
        );
        if line.contains("client ready") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

/// `version` names the engine's version as docker does, in text, json and templates.
#[test]
fn version_like_docker_version() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let ours = run(&["-H", &host, "version", "--format", "{{.Server.Version}}"]);
    let server_version = ours.ok().trim().to_owned();
    assert!(!server_version.is_empty());
    if let Some(docker) = swarm_testkit::require("docker", "to compare `version` with docker's") {
        let docker_config = tempfile::tempdir().unwrap();
        let docker = Command::new(docker)
            .env("DOCKER_CONFIG", docker_config.path())
            .args(["-H", &host, "version", "--format", "{{.Server.Version}}"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&docker.stdout).trim(),
            server_version
        );
    }
    let json = run(&["-H", &host, "version", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(json.ok()).unwrap();
    assert_eq!(value["Server"]["Version"], server_version.as_str());
    assert_eq!(value["Client"]["Version"], env!("CARGO_PKG_VERSION"));
    let text = run(&["-H", &host, "version"]);
    assert!(
        text.ok()
            .contains(&format!("  Version:          {server_version}\n")),
        "{}",
        text.stdout
    );
    // Unreachable: the client part, then the error, exit 3.
    let down = run(&["-H", "tcp://127.0.0.1:1", "version"]);
    down.code(3);
    assert!(down.stdout.starts_with("Client:\n"), "{}", down.stdout);
    assert!(!down.stdout.contains("Server:"), "{}", down.stdout);
}

/// A web server that is not a Docker Engine (404 on `/_ping`) is exit 3, and says so.
#[test]
fn not_a_docker_engine_is_3() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    engine.set_fault(Fault::Status {
        code: 404,
        json_body: false,
    });
    let host = engine.host();
    for args in [vec!["ls"], vec!["service", "ps", "web"], vec!["version"]] {
        let mut all = vec!["-H", host.as_str(), "--transport", "http"];
        all.extend(args);
        let outcome = run(&all);
        outcome.code(3);
        let lines = outcome.stderr_lines();
        assert!(
            lines[0].ends_with("is not a Docker Engine API: GET /_ping answered 404"),
            "{}",
            outcome.stderr
        );
        assert!(lines[1].starts_with("hint: "), "{}", outcome.stderr);
    }
}

/// Unknown services, nodes and tasks read the same through both transports and every
/// command (`no such KIND: ID`), exit 1, and never an empty table with exit 0.
#[test]
fn not_found_is_one_style_and_exit_1_on_both_transports() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let cases: [(&[&str], &str); 5] = [
        (
            &["service", "ps", "nope"],
            "swarm-tasks: no such service: nope",
        ),
        (
            &["service", "ps", "nope", "nada"],
            "swarm-tasks: no such service: nope, nada",
        ),
        (&["node", "ps", "nope"], "swarm-tasks: no such node: nope"),
        (&["inspect", "nope"], "swarm-tasks: no such task: nope"),
        (
            &["ls", "-f", "service=nope"],
            "swarm-tasks: no such service: nope",
        ),
    ];
    for transport in ["cli", "http"] {
        if transport == "cli" && swarm_testkit::require("docker", "by the cli transport").is_none()
        {
            continue;
        }
        for (args, first_line) in cases {
            let mut all = vec!["-H", host.as_str(), "--transport", transport];
            all.extend_from_slice(args);
            let outcome = run(&all);
            outcome.code(1);
            assert_eq!(outcome.stderr_lines()[0], first_line, "{all:?}");
        }
    }
}

/// Over 4 KiB is a usage error before any request reaches the engine.
#[test]
fn long_input_makes_no_request() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let long = "w".repeat(4097);
    let outcome = run(&["-H", &host, "--transport", "http", "service", "ps", &long]);
    outcome.code(2);
    assert!(engine.requests().is_empty(), "{:?}", engine.requests());
}

/// An ambiguous prefix reads the same on both transports, with the advice on the hint line.
#[test]
fn ambiguous_is_one_style_on_both_transports() {
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    for transport in ["cli", "http"] {
        if transport == "cli" && swarm_testkit::require("docker", "by the cli transport").is_none()
        {
            continue;
        }
        // Three of the sample's task IDs start with `f`.
        let outcome = run(&["-H", &host, "--transport", transport, "inspect", "f"]);
        outcome.code(1);
        assert_eq!(
            outcome.stderr_lines(),
            [
                "swarm-tasks: task f is ambiguous (3 matches found)",
                "hint: give more of the ID, or the whole name"
            ],
            "{transport}"
        );
    }
}

/// A task that does not decode: `ls` and `service ps` print every other row, name it on
/// stderr (ID and error) and exit 1; the clean swarm prints one row more and exits 0.
#[test]
fn an_undecodable_task_is_named_and_the_others_are_listed() {
    let mut swarm = FakeSwarm::sample();
    let bad = swarm
        .tasks_of_service("web")
        .into_iter()
        .find(|task| task["DesiredState"] == "running")
        .and_then(|task| task["ID"].as_str())
        .unwrap()
        .to_owned();
    swarm.task_mut(&bad).unwrap()["Status"]["ContainerStatus"]["ExitCode"] = serde_json::json!(1.5);
    let engine = FakeEngine::start_blocking(swarm);
    let clean = FakeEngine::start_blocking(FakeSwarm::sample());
    for args in [&["ls", "-q"][..], &["service", "ps", "-q", "web"][..]] {
        let host = engine.host();
        let mut spoiled_args = vec!["-H", host.as_str(), "--transport", "http"];
        spoiled_args.extend_from_slice(args);
        let spoiled = run(&spoiled_args);
        spoiled.code(1);
        let clean_host = clean.host();
        let mut clean_args = vec!["-H", clean_host.as_str(), "--transport", "http"];
        clean_args.extend_from_slice(args);
        let all = run(&clean_args);
        let all_rows: Vec<&str> = all.ok().lines().collect();
        let rows: Vec<&str> = spoiled.stdout.lines().collect();
        assert_eq!(rows.len() + 1, all_rows.len(), "{args:?}: {rows:?}");
        assert!(
            rows.iter().all(|row| !bad.starts_with(row.trim())),
            "{rows:?}"
        );
        let lines = spoiled.stderr_lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("swarm-tasks: cannot decode task item ")
                && lines[0].contains(&format!("(ID {bad})"))
                && lines[0].contains("1.5"),
            "{lines:?}"
        );
    }
}

/// `inspect` of 50 ids against a daemon whose listen queue holds one connection: every task
/// is printed and the exit code is 0 (it used to fail with "Resource temporarily
/// unavailable", exit 3, about one run in three). Three runs.
#[test]
fn inspect_of_50_ids_against_a_small_listen_queue_prints_every_task() {
    let dir = tempfile::tempdir().unwrap();
    let swarm = FakeSwarm::generate(swarm_testkit::GenerateParams {
        services: 10,
        nodes: 3,
        replicas_per_service: 5,
        history_per_slot: 0,
        seed: 7,
    });
    let engine =
        FakeEngine::spawn_unix_with_backlog(swarm, &dir.path().join("docker.sock"), 1).unwrap();
    let ids: Vec<String> = engine
        .swarm()
        .tasks()
        .iter()
        .filter_map(|task| task["ID"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 50);
    let host = engine.host();
    for _ in 0..3 {
        let mut args = vec![
            "-H",
            host.as_str(),
            "--transport",
            "http",
            "inspect",
            "--format",
            "inspect",
        ];
        args.extend(ids.iter().map(String::as_str));
        let outcome = run(&args);
        let printed: serde_json::Value = serde_json::from_str(outcome.ok()).unwrap();
        assert_eq!(printed.as_array().map(Vec::len), Some(50));
    }
}

/// A docker binary without `system dial-stdio` (older than 18.09): `--transport cli` asks it
/// once per run, says in `-v`'s log that it runs docker commands instead, and `ls` prints what
/// the HTTP transport's `ls` prints.
#[test]
fn without_dial_stdio_the_cli_transport_falls_back_once_and_says_so() {
    let Some(real_docker) = swarm_testkit::require("docker", "by the cli transport") else {
        return;
    };
    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("calls.log");
    swarm_tasks_e2e::ssh::write_docker_wrapper(bin.path(), &real_docker, &log, false);
    let docker_config = tempfile::tempdir().unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let over_commands = command(&["-v", "-H", &host, "--transport", "cli", "ls"])
        .env("PATH", &path)
        .env("DOCKER_CONFIG", docker_config.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&over_commands.stderr);
    assert!(over_commands.status.success(), "{stderr}");
    assert!(
        stderr.contains("has no `system dial-stdio`; running docker commands"),
        "{stderr}"
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    let probes = calls
        .lines()
        .filter(|line| line.contains("system dial-stdio --help"))
        .count();
    assert_eq!(probes, 1, "{calls}");
    assert!(
        calls.lines().any(|line| line.contains(" service ps ")),
        "{calls}"
    );
    let over_http = run(&["-H", &host, "--transport", "http", "ls"]);
    assert_eq!(
        String::from_utf8_lossy(&over_commands.stdout),
        over_http.ok()
    );
}
