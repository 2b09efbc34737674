//! Unit tests of the second parsing stage.
use super::*;

fn env() -> Environment {
    Environment {
        stdout_is_terminal: true,
        stderr_is_terminal: false,
        no_color: None,
        term: Some("xterm-256color".into()),
        now: "2024-05-01T12:00:00Z".parse().unwrap(),
    }
}

fn config(args: &[&str]) -> Result<RunConfig, UsageError> {
    let mut argv = vec!["swarm-tasks"];
    argv.extend_from_slice(args);
    RunConfig::from_cli(cli::try_parse_from(argv).unwrap(), &env())
}

#[test]
fn color_rules() {
    let mut environment = env();
    assert!(use_color(
        ColorWhen::Auto,
        &Format::Table,
        false,
        &environment
    ));
    assert!(!use_color(
        ColorWhen::Auto,
        &Format::Json,
        false,
        &environment
    ));
    assert!(!use_color(
        ColorWhen::Always,
        &Format::Inspect,
        false,
        &environment
    ));
    assert!(!use_color(
        ColorWhen::Never,
        &Format::Table,
        false,
        &environment
    ));
    environment.no_color = Some(String::new());
    assert!(use_color(
        ColorWhen::Auto,
        &Format::Table,
        false,
        &environment
    ));
    environment.no_color = Some("1".into());
    assert!(!use_color(
        ColorWhen::Auto,
        &Format::Table,
        false,
        &environment
    ));
    assert!(use_color(
        ColorWhen::Always,
        &Format::Table,
        false,
        &environment
    ));
    environment.no_color = None;
    environment.term = Some("dumb".into());
    assert!(!use_color(
        ColorWhen::Auto,
        &Format::Table,
        false,
        &environment
    ));
    environment.term = None;
    environment.stdout_is_terminal = false;
    assert!(!use_color(
        ColorWhen::Auto,
        &Format::Table,
        false,
        &environment
    ));
}

#[test]
fn filters_and_states_are_typed() {
    let run = config(&["ls", "-f", "service=web", "--state", "Running", "--latest"]).unwrap();
    let Action::List { options, render } = run.action else {
        panic!("not ls")
    };
    assert_eq!(
        options
            .filter
            .values(swarm_tasks::models::FilterKey::Service)
            .collect::<Vec<_>>(),
        ["web"]
    );
    assert_eq!(options.states, [TaskState::Running]);
    assert!(options.latest);
    assert_eq!(render.format, Format::Table);
}

#[test]
fn bad_input_is_a_one_line_usage_error() {
    let cases: [(&[&str], &str); 8] = [
        (&["ls", "-f", "service"], "bad format of filter"),
        (&["ls", "-f", "colour=red"], "invalid filter 'colour'"),
        (&["inspect", ""], "empty task id"),
        (&["inspect", "--", "-x"], "invalid task id \"-x\""),
        (&["service", "ps", " "], "empty service id"),
        (
            &["ls", "--state", "runing"],
            "unknown task state \"runing\"",
        ),
        (&["--timeout", "soon", "ls"], "invalid duration \"soon\""),
        (
            &["-H", "tcp://a:1", "--context", "b", "ls"],
            "--host and --context",
        ),
    ];
    for (args, expected) in cases {
        let message = config(args).unwrap_err().to_string();
        assert!(message.contains(expected), "{args:?}: {message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }
}

#[test]
fn now_can_be_pinned() {
    let run = config(&["--now", "2020-01-01T00:00:00Z", "inspect", "abc"]).unwrap();
    let Action::Inspect { render, ids } = run.action else {
        panic!("not inspect")
    };
    assert_eq!(ids, ["abc"]);
    assert_eq!(render.format, Format::Inspect);
    assert_eq!(render.now.to_rfc3339(), "2020-01-01T00:00:00+00:00");
    assert!(config(&["--now", "yesterday", "ls"]).is_err());
}

#[test]
fn watch_and_wait_refuse_a_replay_but_explain_takes_one() {
    for command in ["watch", "wait"] {
        let mut args = vec!["--replay", "demo/swarm", command];
        if command == "wait" {
            args.push("web");
        }
        let error = config(&args).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "--replay serves a snapshot, which never changes: `{command}` needs a live daemon"
            )
        );
    }
    assert!(matches!(
        config(&["--replay", "demo/swarm", "explain", "web"])
            .unwrap()
            .action,
        Action::Explain(_)
    ));
}

#[test]
fn wait_takes_the_timeout_as_its_deadline_and_leaves_requests_their_own() {
    let run = config(&[
        "--timeout",
        "2m",
        "wait",
        "web",
        "--stable",
        "10s",
        "--rollback-ok",
    ])
    .unwrap();
    assert_eq!(run.connection.timeout, None);
    let Action::Wait(wait) = run.action else {
        panic!("not wait")
    };
    assert_eq!(wait.config.timeout, Some(Duration::from_secs(120)));
    assert_eq!(wait.config.stable, Some(Duration::from_secs(10)));
    assert!(wait.config.rollback_ok);
    assert!(!wait.bars, "no progress bars when stderr is not a terminal");
    let terminal = Environment {
        stderr_is_terminal: true,
        ..env()
    };
    let cli = cli::try_parse_from(["swarm-tasks", "wait", "web"]).unwrap();
    let Action::Wait(on_terminal) = RunConfig::from_cli(cli, &terminal).unwrap().action else {
        panic!("not wait")
    };
    assert!(on_terminal.bars);
    let Action::Wait(default) = config(&["wait", "web"]).unwrap().action else {
        panic!("not wait")
    };
    assert_eq!(default.config.timeout, Some(Duration::from_secs(600)));
    assert!(matches!(
        config(&["wait", "web", "--stable", "soon"]).unwrap_err(),
        UsageError::StableDuration { .. }
    ));
}

#[test]
fn watch_json_and_its_ndjson_alias() {
    let Action::Watch(watch) = config(&[
        "--timeout",
        "5s",
        "watch",
        "-f",
        "service=web",
        "--format",
        "ndjson",
    ])
    .unwrap()
    .action
    else {
        panic!("not watch")
    };
    assert!(watch.json);
    assert_eq!(watch.duration, Some(Duration::from_secs(5)));
    assert!(!watch.filter.is_empty());
}
