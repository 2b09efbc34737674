//! `--help`, `--version` and `completions`: generated from the clap definition.

use crate::util::run;

#[test]
fn help_documents_exit_codes() {
    let help = run(&["--help"]);
    let text = help.ok();
    assert!(text.contains("Exit codes:"), "{text}");
    for code in ["  0 ", "  1 ", "  2 ", "  3 ", "  4 ", "  130 "] {
        assert!(text.contains(code), "{code:?} missing from:\n{text}");
    }
    assert!(text.contains("reserved"), "{text}");
}

#[test]
fn subcommand_help_shows_flags_and_formats() {
    let help = run(&["service", "ps", "--help"]);
    let text = help.ok();
    for flag in [
        "--filter",
        "--no-trunc",
        "--quiet",
        "--format",
        "--state",
        "--latest",
        "--no-resolve",
        "--host",
        "--context",
        "--transport",
        "--replay",
        "--timeout",
        "--color",
    ] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
    for value in ["table", "json", "inspect", "Go template"] {
        assert!(text.contains(value), "{value} missing from:\n{text}");
    }
    assert!(!text.contains("--now"), "--now is hidden:\n{text}");
}

#[test]
fn version_is_the_crate_version() {
    let version = run(&["--version"]);
    assert_eq!(
        version.ok(),
        format!("swarm-tasks {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_swarm__tasks()"),
        ("zsh", "#compdef swarm-tasks"),
        ("fish", "complete -c swarm-tasks"),
        ("elvish", "swarm-tasks"),
        ("powershell", "swarm-tasks"),
    ] {
        let script = run(&["completions", shell]);
        let text = script.ok();
        assert!(text.contains(marker), "{shell}: {marker:?} missing");
        assert!(
            text.contains("inspect") && text.contains("snapshot"),
            "{shell}: subcommands missing"
        );
    }
    run(&["completions", "tcsh"]).code(2);
}
