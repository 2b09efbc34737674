//! Exit codes: one enum, the single source for `--help`, the README table and `main`.
//!
//! Scripts branch on these, so they are a public interface: never renumber a code, only add.
//! (xtask compiles this file too, for docs/cli.md: keep it free of other dependencies.)

use std::fmt::Write as _;

/// How `swarm-tasks` ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// The command did what was asked.
    Ok,
    /// Some objects were not found, or the operation failed.
    Failure,
    /// The command line was wrong: a bad flag, filter, state, duration or id.
    Usage,
    /// The daemon cannot be reached or used: unreachable, not a swarm manager, permission
    /// denied, TLS, API version, timeout, docker binary missing.
    Unavailable,
    /// `wait`: the deadline passed before the services converged or failed.
    WaitTimedOut,
    /// Interrupted by Ctrl-C.
    Interrupted,
}

impl ExitCode {
    /// Every code, in the order the help lists them.
    pub const ALL: [ExitCode; 6] = [
        Self::Ok,
        Self::Failure,
        Self::Usage,
        Self::Unavailable,
        Self::WaitTimedOut,
        Self::Interrupted,
    ];

    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Failure => 1,
            Self::Usage => 2,
            Self::Unavailable => 3,
            Self::WaitTimedOut => 4,
            Self::Interrupted => 130,
        }
    }

    /// One line for the help and the README.
    pub fn description(self) -> &'static str {
        match self {
            Self::Ok => "success",
            Self::Failure => "some objects were not found, or the operation failed",
            Self::Usage => "usage error: bad flag, filter, state, duration or id",
            Self::Unavailable => {
                "cannot reach or use the daemon (unreachable, not a swarm manager, permission, TLS, timeout)"
            }
            Self::WaitTimedOut => "wait: the deadline passed before the services converged",
            Self::Interrupted => "interrupted (Ctrl-C)",
        }
    }

    /// The "Exit codes:" block shown after `--help`.
    pub fn help_table() -> String {
        let mut text = String::from("Exit codes:\n");
        for exit_code in Self::ALL {
            // Writing to a String cannot fail.
            let _ = writeln!(
                text,
                "  {:<4} {}",
                exit_code.code(),
                exit_code.description()
            );
        }
        text
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(exit_code: ExitCode) -> Self {
        std::process::ExitCode::from(exit_code.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for exit_code in ExitCode::ALL {
            assert!(seen.insert(exit_code.code()), "{exit_code:?} reuses a code");
            assert!(!exit_code.description().is_empty());
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 130]);
    }

    #[test]
    fn readme_table_matches_the_enum() {
        let readme = include_str!("../README.md");
        for exit_code in ExitCode::ALL {
            let row = format!("| {} | {} |", exit_code.code(), exit_code.description());
            assert!(
                readme.contains(&row),
                "README.md lacks the row `{row}`: update its exit-code table"
            );
        }
    }

    #[test]
    fn help_table_has_one_line_per_code() {
        let table = ExitCode::help_table();
        assert_eq!(table.lines().count(), 1 + ExitCode::ALL.len());
        assert!(table.contains("  3    cannot reach"), "{table}");
    }
}
