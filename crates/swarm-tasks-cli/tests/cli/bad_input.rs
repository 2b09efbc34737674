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
    assert_eq!(
        lines.len(),
        1,
        "{args:?}: one line expected:\n{}",
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
