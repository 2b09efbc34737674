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
    assert!(text.contains("wait: the deadline passed"), "{text}");
    for command in ["watch", "wait", "explain"] {
        assert!(
            text.contains(&format!("  {command} ")),
            "{command} missing from:\n{text}"
        );
    }
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

/// Every command's help ends with two or three examples, and each of them runs (over the
/// sample swarm: `./bug-report` is a snapshot of it; redirections are left out).
#[test]
fn every_example_in_help_runs() {
    let sample = crate::util::sample_snapshot();
    let bug_report = sample.path().to_str().unwrap().to_owned();
    let paths = [
        "",
        "ls",
        "inspect",
        "service",
        "service ps",
        "node",
        "node ps",
        "snapshot",
        "version",
        "completions",
        "watch",
        "wait",
        "explain",
        "logs",
    ];
    for path in paths {
        let mut args: Vec<&str> = path.split_whitespace().collect();
        args.push("--help");
        let help = run(&args);
        let text = help.ok();
        let examples: Vec<&str> = text
            .lines()
            .skip_while(|line| *line != "Examples:")
            .filter_map(|line| line.strip_prefix("  $ "))
            .collect();
        assert!(
            (2..=3).contains(&examples.len()),
            "{path:?}: {} examples:\n{text}",
            examples.len()
        );
        assert!(
            text.contains("Exit codes:\n  0    success\n"),
            "{path:?}: no exit codes"
        );
        let last = format!("  $ {}\n", examples[examples.len() - 1]);
        assert!(
            text.ends_with(&last),
            "{path:?}: help must end with its examples"
        );
        for example in examples {
            let words = shlex::split(example).unwrap();
            assert_eq!(words[0], "swarm-tasks", "{example}");
            let mut argv: Vec<String> = words[1..]
                .iter()
                .take_while(|word| *word != ">")
                .map(|word| {
                    if word == "./bug-report" {
                        bug_report.clone()
                    } else {
                        word.clone()
                    }
                })
                .collect();
            if !argv.iter().any(|word| word == "--replay") {
                argv.splice(0..0, ["--replay".to_owned(), bug_report.clone()]);
            }
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            let outcome = run(&argv);
            if matches!(path, "watch" | "wait") {
                // A replay never changes, so these are refused after every other check passed.
                assert_eq!(outcome.code, 2, "{example}: {}", outcome.stderr);
                assert!(
                    outcome.stderr.contains("a snapshot, which never changes"),
                    "{example}: {}",
                    outcome.stderr
                );
                continue;
            }
            assert_eq!(outcome.code, 0, "{example}: {}", outcome.stderr);
            assert!(
                !outcome.stdout.is_empty() || path == "snapshot",
                "{example}"
            );
        }
    }
}
