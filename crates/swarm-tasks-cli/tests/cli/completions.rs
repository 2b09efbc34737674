//! The completion scripts, run in a real bash and a real zsh: a subcommand, a flag and a
//! flag's values complete, and the hidden `--now` is never offered.

use std::path::Path;
use std::process::Command;

use crate::util::{BIN, run};

/// Whether `shell` can run; under CI a missing shell fails the test instead of skipping it
/// (`swarm_testkit::require`; .ci/run installs zsh).
fn have(shell: &str) -> bool {
    if swarm_testkit::require(shell, "to run the generated completion script").is_none() {
        return false;
    }
    let ran = Command::new(shell).args(["-c", "exit 0"]).output();
    assert!(
        ran.as_ref().is_ok_and(|output| output.status.success()),
        "{shell} is on PATH but does not run: {ran:?}"
    );
    true
}

/// What bash's completion function offers for the words typed so far.
fn bash_complete(script: &Path, words: &str) -> Vec<String> {
    let program = format!(
        r#"source {script}
COMP_WORDS=({words})
[[ "{words}" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMPREPLY=()
_swarm__tasks swarm-tasks "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display()
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommands_flags_and_values() {
    if !have("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("swarm-tasks.bash");
    std::fs::write(&script, run(&["completions", "bash"]).ok()).unwrap();
    assert_eq!(bash_complete(&script, "swarm-tasks se"), ["service"]);
    assert_eq!(bash_complete(&script, "swarm-tasks service p"), ["ps"]);
    assert_eq!(
        bash_complete(&script, "swarm-tasks service ps --no-t"),
        ["--no-trunc"]
    );
    assert_eq!(
        bash_complete(&script, "swarm-tasks service ps --format "),
        ["table", "json", "inspect"]
    );
    assert_eq!(
        bash_complete(&script, "swarm-tasks node ps --transport "),
        ["auto", "http", "cli"]
    );
    assert!(bash_complete(&script, "swarm-tasks --n").is_empty());
    let completions = bash_complete(&script, "swarm-tasks completions ");
    assert!(completions.contains(&"zsh".to_owned()), "{completions:?}");
    assert!(
        !completions.contains(&"--host".to_owned()),
        "{completions:?}"
    );
}

/// What zsh shows after TAB, typed into an interactive zsh on a pseudo-terminal (zpty), with
/// the script installed as `_swarm-tasks` in `fpath`; escape sequences removed.
fn zsh_complete(dir: &Path, typed: &str) -> String {
    let driver = r#"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; unsetopt zle_bracketed_paste 2>/dev/null; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; zstyle ':completion:*' list-separator ''; export PATH=$2:\$PATH; bindkey '^I' complete-word; echo READY"
zpty -r -m z line '*READY*' || exit 3
zpty -r -m z line '*> *'
zpty -w -n z "$3"$'\t'
sleep 1
out=""
while zpty -r -t z chunk; do out+=$chunk; done
print -r -- "$out"
zpty -d z
"#;
    let bin_dir = Path::new(BIN).parent().unwrap();
    let output = Command::new("timeout")
        .args(["30", "zsh", "-f", "-c", driver, "zsh"])
        .arg(dir)
        .arg(bin_dir)
        .arg(typed)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let raw = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut text = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(character) = chars.next() {
        if character == '\u{1b}' {
            // CSI: ESC [ parameters final-letter
            if chars.peek() == Some(&'[') {
                chars.next();
                for next in chars.by_ref() {
                    if next.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else if !character.is_control() || character == '\n' {
            text.push(character);
        } else {
            text.push('\n');
        }
    }
    text
}

#[test]
fn zsh_completes_subcommands_flags_and_values() {
    if !have("zsh") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("_swarm-tasks"),
        run(&["completions", "zsh"]).ok(),
    )
    .unwrap();
    let shown = zsh_complete(dir.path(), "swarm-tasks serv");
    assert!(shown.contains("swarm-tasks service "), "{shown}");
    let shown = zsh_complete(dir.path(), "swarm-tasks service ps --no-t");
    assert!(
        shown.contains("swarm-tasks service ps --no-trunc "),
        "{shown}"
    );
    let shown = zsh_complete(dir.path(), "swarm-tasks service ps --format ");
    for value in ["table", "json", "inspect"] {
        assert!(shown.contains(value), "{value} not offered:\n{shown}");
    }
    let shown = zsh_complete(dir.path(), "swarm-tasks --n");
    assert!(!shown.contains("--now"), "{shown}");
}
