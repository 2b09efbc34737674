//! Bad input never reaches a daemon: one line naming the problem, exit 2, nothing on stdout,
//! no panic and no debug output.

use crate::util::replay;

/// Runs `args` over the sample and checks the usage-error contract.
#[track_caller]
fn rejects(dir: &std::path::Path, args: &[&str], names: &str) {
    let outcome = replay(dir, args);
    outcome.code(2);
    assert_eq!(outcome.stdout, "", "{args:?}: stdout must stay empty");
    let lines = outcome.stderr_lines();
    assert!(
        lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("hint: ")),
        "{args:?}: one line (and a hint) expected:\n{}",
        outcome.stderr
    );
    let line = lines[0];
    assert!(line.starts_with("swarm-tasks: "), "{args:?}: {line}");
    assert!(
        line.contains(names),
        "{args:?}: {line:?} does not name {names:?}"
    );
    for debug_marker in ["panicked", "RUST_BACKTRACE", "Error {", "Some("] {
        assert!(!line.contains(debug_marker), "{args:?}: {line}");
    }
}

clitest!(filter_without_equals, |dir| {
    rejects(
        dir,
        &["ls", "-f", "service"],
        "bad format of filter \"service\" (expected key=value)",
    );
    rejects(
        dir,
        &["service", "ps", "web", "--filter", "running"],
        "\"running\"",
    );
});

clitest!(unknown_filter_key, |dir| {
    rejects(dir, &["ls", "-f", "colour=red"], "invalid filter 'colour'");
    rejects(
        dir,
        &["node", "ps", "-f", "status=running"],
        "invalid filter 'status'",
    );
});

clitest!(empty_ids, |dir| {
    rejects(dir, &["inspect", ""], "empty task id");
    rejects(dir, &["inspect", "abc", "  "], "empty task id");
    rejects(dir, &["service", "ps", ""], "empty service id");
    rejects(dir, &["node", "ps", ""], "empty node id");
});

clitest!(ids_starting_with_a_dash, |dir| {
    rejects(dir, &["inspect", "--", "-abc"], "invalid task id \"-abc\"");
    rejects(
        dir,
        &["service", "ps", "--", "-web"],
        "invalid service id \"-web\"",
    );
    // Without `--`, clap sees a flag; the message still names what was typed, on one line.
    rejects(dir, &["inspect", "-abc"], "unexpected argument \"-abc\"");
    rejects(
        dir,
        &["service", "ps", "web", "--bogus"],
        "unexpected argument \"--bogus\"",
    );
});

clitest!(unknown_state, |dir| {
    rejects(
        dir,
        &["ls", "--state", "runing"],
        "unknown task state \"runing\"",
    );
});

clitest!(bad_timeout, |dir| {
    rejects(
        dir,
        &["--timeout", "soon", "ls"],
        "invalid duration \"soon\"",
    );
    rejects(dir, &["--timeout", "30", "ls"], "invalid duration \"30\"");
});

clitest!(bad_now, |dir| {
    rejects(dir, &["--now", "yesterday", "ls"], "invalid --now");
});

#[test]
fn conflicting_connection_flags() {
    let outcome = crate::util::run(&["-H", "tcp://127.0.0.1:1", "--context", "prod", "ls"]);
    outcome.code(2);
    assert_eq!(
        outcome.stderr,
        "swarm-tasks: --host and --context cannot be used together\n"
    );
}

#[test]
fn control_characters_in_bad_input_are_not_echoed() {
    let outcome = crate::util::run(&["ls", "-f", "evil\u{1b}[2J"]);
    outcome.code(2);
    assert!(!outcome.stderr.contains('\u{1b}'), "{:?}", outcome.stderr);
}

clitest!(no_silent_fallbacks, |dir| {
    let outcome = crate::util::run(&["-H", "", "ls"]);
    outcome.code(2);
    assert!(
        outcome.stderr.starts_with("swarm-tasks: empty -H/--host"),
        "{}",
        outcome.stderr
    );
    let outcome = crate::util::run(&["--context", "", "ls"]);
    outcome.code(2);
    rejects(
        dir,
        &["ls", "--filter", "desired-state=bogus"],
        "unknown task state \"bogus\" in --filter desired-state",
    );
    // A real state passes, in any case, as the daemon takes it.
    replay(dir, &["ls", "--filter", "desired-state=Running"]).code(0);
});

clitest!(long_input_is_a_usage_error_that_echoes_little, |dir| {
    let long = "a".repeat(5000);
    let filter = format!("service={long}");
    let template = format!("{{{{.ID}}}}{long}");
    for args in [
        vec!["service", "ps", long.as_str()],
        vec!["node", "ps", long.as_str()],
        vec!["inspect", long.as_str()],
        vec!["ls", "-f", filter.as_str()],
        vec!["ls", "--format", template.as_str()],
    ] {
        let outcome = replay(dir, &args);
        outcome.code(2);
        assert!(
            outcome.stderr.contains("over the limit of 4096"),
            "{}",
            outcome.stderr
        );
        assert!(outcome.stderr.len() < 300, "{}", outcome.stderr);
    }
    // Just under the limit: no request finds it, and the message quotes at most 200 chars.
    let under = "b".repeat(4000);
    let outcome = replay(dir, &["service", "ps", &under]);
    outcome.code(1);
    assert!(outcome.stderr.len() < 300, "{}", outcome.stderr);
    let outcome = replay(dir, &["ls", "--color", &under]);
    outcome.code(2);
    assert!(outcome.stderr.len() < 500, "{}", outcome.stderr);
});

/// clap's own errors come out in our style: one `swarm-tasks:` line, then a `hint:`.
#[test]
fn clap_errors_are_wrapped() {
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["ls", "--color", "rainbow"],
            "swarm-tasks: invalid value 'rainbow' for '--color <WHEN>'",
            "hint: possible values: auto, always, never",
        ),
        (
            &["service", "ps"],
            "swarm-tasks: the following required arguments were not provided: <SERVICE>...",
            "hint: see `swarm-tasks service ps --help`",
        ),
        (
            &["inspect", "--type", "container", "abc"],
            "swarm-tasks: invalid value 'container' for '--type <TYPE>'",
            "hint: possible values: task",
        ),
        (
            &["frobnicate"],
            "swarm-tasks: unrecognized subcommand 'frobnicate'",
            "hint: see `swarm-tasks --help`",
        ),
        (
            &["ls", "--no-trun"],
            "swarm-tasks: unexpected argument \"--no-trun\"",
            "hint: a similar argument exists: '--no-trunc'",
        ),
    ];
    for (args, first, hint) in cases {
        let outcome = crate::util::run(args);
        outcome.code(2);
        let lines = outcome.stderr_lines();
        assert_eq!(lines.len(), 2, "{args:?}: {}", outcome.stderr);
        assert!(lines[0].starts_with(first), "{args:?}: {}", outcome.stderr);
        assert_eq!(lines[1], hint, "{args:?}");
    }
}

clitest!(bad_templates_are_usage_errors_in_dockers_words, |dir| {
    rejects(
        dir,
        &["service", "ps", "web", "--format", "{{.Name}}|{{.Foo}}"],
        "template parsing error: template: :1:12: executing \"\" at <.Foo>: can't evaluate field Foo in type task row",
    );
    rejects(
        dir,
        &["ls", "--format", "{{.Name}"],
        "template parsing error: template: :1: bad character U+007D '}'",
    );
    rejects(
        dir,
        &["node", "ps", "--format", "{{nope .Name}}"],
        "template parsing error: template: :1: function \"nope\" not defined",
    );
    rejects(
        dir,
        &["inspect", "abc", "-f", "{{if .ID}}"],
        "template parsing error",
    );
});

clitest!(a_template_failing_on_a_task_is_exit_1_like_docker, |dir| {
    let ids = replay(dir, &["service", "ps", "web", "-q"]);
    let id = ids.ok().lines().next().unwrap().to_owned();
    let outcome = replay(dir, &["inspect", &id, "-f", "{{.Nope}}"]);
    outcome.code(1);
    assert_eq!(
        outcome.stderr_lines()[0],
        "swarm-tasks: template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\""
    );
});

/// Filter keys are checked against the known set before anything is asked: no request
/// reaches the engine over HTTP, and no `docker` runs with the CLI transport.
#[test]
fn an_unknown_filter_key_fails_before_any_request() {
    use std::os::unix::fs::PermissionsExt;

    use swarm_testkit::{FakeEngine, FakeSwarm};

    let engine = FakeEngine::start_blocking(FakeSwarm::sample());
    let host = engine.host();
    let fake = tempfile::tempdir().unwrap();
    let ran = fake.path().join("docker-ran");
    let docker = fake.path().join("docker");
    std::fs::write(
        &docker,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", ran.display()),
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cases: [&[&str]; 4] = [
        &["ls", "-f", "colour=red"],
        &["service", "ps", "web", "--filter=-rf=1"],
        &["node", "ps", "node-1", "--filter", "$(touch x)=y"],
        &["ls", "-f", "id=a", "-f", "Service=web"],
    ];
    for args in cases {
        for transport in ["http", "cli"] {
            let mut all = vec!["-H", host.as_str(), "--transport", transport];
            all.extend_from_slice(args);
            let outcome = crate::util::command(&all)
                .env("PATH", fake.path())
                .output()
                .unwrap();
            let outcome = crate::util::Outcome::from(outcome);
            outcome.code(2);
            assert!(
                outcome.stderr.starts_with("swarm-tasks: invalid filter '"),
                "{all:?}: {}",
                outcome.stderr
            );
        }
    }
    assert_eq!(engine.request_count(), 0, "{:?}", engine.requests());
    assert!(!ran.exists(), "docker ran");
}
