//! `swarm-tasks completions SHELL`: clap_complete's scripts for the command users see.
//!
//! Two things are fixed on the way: the hidden `--now` is not offered (the scripts are
//! generated from [`crate::cli::completion_command`], which lacks it), and clap_complete 4.6's
//! bash script, which names its states `swarm__tasks__subcmd__...` but matches them as
//! `swarm__subcmd__tasks__subcmd__...` (it escapes the `-` of our name twice), so that below
//! the top level bash offered file names. Tests run the scripts in a real bash and zsh.

use std::io::{self, Write};

use clap_complete::Shell;

/// The name the scripts complete.
pub const BIN: &str = "swarm-tasks";

/// Writes the completion script for `shell`.
pub fn write(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut command = crate::cli::completion_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    if shell == Shell::Bash {
        let text = String::from_utf8_lossy(&script).replace("swarm__subcmd__tasks", "swarm__tasks");
        return out.write_all(text.as_bytes());
    }
    out.write_all(&script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(shell: Shell) -> String {
        let mut out = Vec::new();
        write(shell, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn bash_states_match_their_case_labels() {
        let bash = script(Shell::Bash);
        assert!(!bash.contains("swarm__subcmd__tasks"), "{bash}");
        for line in bash.lines() {
            if let Some(state) = line.trim().strip_prefix("cmd=\"") {
                let state = state.trim_end_matches('"');
                if state.is_empty() {
                    continue;
                }
                assert!(
                    bash.contains(&format!("        {state})")),
                    "no case for {state}"
                );
            }
        }
    }

    #[test]
    fn hidden_now_is_not_offered() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Elvish,
            Shell::PowerShell,
        ] {
            assert!(!script(shell).contains("--now"), "{shell:?}");
        }
    }
}
