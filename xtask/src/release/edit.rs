//! The pure half of `cargo xtask release`: every check on the inputs and every text rewrite,
//! on strings, so each refusal and each rewrite is unit-tested without git, cargo or files.

use chrono::NaiveDate;
use semver::Version;

/// Why a release was refused. Nothing has been changed when one of these is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RefusalError {
    /// `git status --porcelain` printed something.
    #[error("the working tree is not clean; commit or remove these first:\n{status}")]
    DirtyTree {
        /// What `git status --porcelain` printed.
        status: String,
    },
    /// The requested version is not semver.
    #[error("`{input}` is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 0.2.0)")]
    NotSemver {
        /// The version as given.
        input: String,
    },
    /// The requested version is not above the current one.
    #[error("version {requested} is not greater than the current version {current}")]
    NotGreater {
        /// The version as given.
        requested: Version,
        /// `[workspace.package] version`.
        current: Version,
    },
    /// The root manifest has no readable `[workspace.package] version`.
    #[error("Cargo.toml has no `version = \"...\"` in [workspace.package]")]
    NoWorkspaceVersion,
    /// An internal `version = "=X"` pin is not the workspace version.
    #[error("Cargo.toml pins {line:?}, which disagrees with the workspace version {current}")]
    PinDisagrees {
        /// The offending line.
        line: String,
        /// `[workspace.package] version`.
        current: Version,
    },
    /// CHANGELOG.md has no `## Unreleased` heading.
    #[error("CHANGELOG.md has no `## Unreleased` section")]
    NoUnreleased,
    /// The `## Unreleased` section has no entries.
    #[error("the `## Unreleased` section of CHANGELOG.md is empty; add entries before releasing")]
    EmptyUnreleased,
}

/// What a release will write, computed before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `[workspace.package] version` today.
    pub current: Version,
    /// The version being released.
    pub version: Version,
    /// The new root `Cargo.toml`.
    pub manifest: String,
    /// The new `CHANGELOG.md`.
    pub changelog: String,
}

impl Plan {
    /// The annotated tag the release creates.
    pub fn tag(&self) -> String {
        format!("v{}", self.version)
    }
}

/// Checks every input and computes the rewritten files.
pub fn plan(
    git_status: &str,
    requested: &str,
    manifest: &str,
    changelog: &str,
    today: NaiveDate,
) -> Result<Plan, RefusalError> {
    // A mistyped argument is reported before the state of the tree.
    let version = parse_version(requested)?;
    if !git_status.trim().is_empty() {
        return Err(RefusalError::DirtyTree {
            status: git_status.trim_end().to_owned(),
        });
    }
    let current = workspace_version(manifest)?;
    if version <= current {
        return Err(RefusalError::NotGreater {
            requested: version,
            current,
        });
    }
    let manifest = bump_manifest(manifest, &current, &version)?;
    let changelog = release_changelog(changelog, &version, today)?;
    Ok(Plan {
        current,
        version,
        manifest,
        changelog,
    })
}

/// Parses a release version; a leading `v` is accepted (`v0.2.0`).
pub fn parse_version(input: &str) -> Result<Version, RefusalError> {
    let trimmed = input.trim();
    Version::parse(trimmed.strip_prefix('v').unwrap_or(trimmed)).map_err(|_| {
        RefusalError::NotSemver {
            input: input.to_owned(),
        }
    })
}

/// `[workspace.package] version` of the root manifest.
pub fn workspace_version(manifest: &str) -> Result<Version, RefusalError> {
    manifest_lines(manifest)
        .find(|(section, line)| *section == "workspace.package" && key_of(line) == Some("version"))
        .and_then(|(_, line)| quoted_value(line))
        .and_then(|value| Version::parse(value).ok())
        .ok_or(RefusalError::NoWorkspaceVersion)
}

/// Sets `[workspace.package] version` and every exact pin `version = "=CURRENT"` in
/// `[workspace.dependencies]` to `new`, leaving every other byte as it was. A pin to any
/// other exact version is refused: internal crates move together.
pub fn bump_manifest(
    manifest: &str,
    current: &Version,
    new: &Version,
) -> Result<String, RefusalError> {
    let current_pin = format!("version = \"={current}\"");
    let new_pin = format!("version = \"={new}\"");
    let mut out = String::with_capacity(manifest.len());
    let mut bumped_package_version = false;
    for (section, line) in manifest_lines(manifest) {
        let rewritten = match section {
            "workspace.package" if key_of(line) == Some("version") => {
                bumped_package_version = true;
                format!("version = \"{new}\"")
            }
            "workspace.dependencies" if line.contains(&current_pin) => {
                line.replace(&current_pin, &new_pin)
            }
            "workspace.dependencies" if line.contains("version = \"=") => {
                return Err(RefusalError::PinDisagrees {
                    line: line.trim().to_owned(),
                    current: current.clone(),
                });
            }
            _ => line.to_owned(),
        };
        out.push_str(&rewritten);
        out.push('\n');
    }
    if !bumped_package_version {
        return Err(RefusalError::NoWorkspaceVersion);
    }
    Ok(out)
}

/// Moves the entries under `## Unreleased` to a new `## [VERSION] - DATE` section right below
/// it, leaving `## Unreleased` empty. Refuses a missing or empty Unreleased section (one with
/// nothing but blank lines and `###` headings).
pub fn release_changelog(
    changelog: &str,
    version: &Version,
    date: NaiveDate,
) -> Result<String, RefusalError> {
    let lines: Vec<&str> = changelog.lines().collect();
    let start = lines
        .iter()
        .position(|line| is_unreleased_heading(line))
        .ok_or(RefusalError::NoUnreleased)?;
    let end = lines[start + 1..]
        .iter()
        .position(|line| line.starts_with("## "))
        .map_or(lines.len(), |offset| start + 1 + offset);
    let body = &lines[start + 1..end];
    let has_entries = body.iter().any(|line| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with("###")
    });
    if !has_entries {
        return Err(RefusalError::EmptyUnreleased);
    }
    let body = trim_blank_lines(body);
    let mut out: Vec<String> = lines[..=start]
        .iter()
        .map(|line| (*line).to_owned())
        .collect();
    out.push(String::new());
    out.push(format!("## [{version}] - {}", date.format("%Y-%m-%d")));
    out.push(String::new());
    out.extend(body.iter().map(|line| (*line).to_owned()));
    if end < lines.len() {
        out.push(String::new());
    }
    out.extend(lines[end..].iter().map(|line| (*line).to_owned()));
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

/// Each line of a TOML file with the name of the `[section]` it is in.
fn manifest_lines(manifest: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut section = "";
    manifest.lines().map(move |line| {
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            section = name.trim_matches(|c| c == '[' || c == ']');
        }
        (section, line)
    })
}

/// The key of a `key = value` line.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    Some(key.trim())
}

/// The first double-quoted string of a line.
fn quoted_value(line: &str) -> Option<&str> {
    let (_, rest) = line.split_once('"')?;
    rest.split_once('"').map(|(value, _)| value)
}

fn is_unreleased_heading(line: &str) -> bool {
    let line = line.trim_end();
    line.eq_ignore_ascii_case("## unreleased") || line.eq_ignore_ascii_case("## [unreleased]")
}

fn trim_blank_lines<'a>(lines: &'a [&'a str]) -> &'a [&'a str] {
    let first = lines
        .iter()
        .position(|line| !line.trim().is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|line| !line.trim().is_empty())
        .map_or(first, |idx| idx + 1);
    &lines[first..last]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["crates/a"]

[workspace.package]
version = "0.1.0"
edition = "2024"

[workspace.dependencies]
# Internal crates: exact versions.
swarm-models = { path = "crates/swarm-models", version = "=0.1.0" }
swarm-tasks = { path = "crates/swarm-tasks", version = "=0.1.0" }
swarm-testkit = { path = "crates/swarm-testkit" }
serde = { version = "1.0.228", features = ["derive"] }

[package]
version = "9.9.9"
"#;

    const CHANGELOG: &str = "# Changelog\n\nIntro.\n\n## Unreleased\n\n### Added\n- A thing.\n\n## [0.0.1] - 2020-01-01\n\n### Added\n- First.\n";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn version(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn bumps_workspace_version_and_internal_pins_only() {
        let bumped = bump_manifest(MANIFEST, &version("0.1.0"), &version("0.2.0")).unwrap();
        let expected = MANIFEST
            .replace(
                "version = \"0.1.0\"\nedition",
                "version = \"0.2.0\"\nedition",
            )
            .replace("\"=0.1.0\"", "\"=0.2.0\"");
        assert_eq!(bumped, expected);
        assert!(
            bumped.contains("version = \"9.9.9\""),
            "other sections untouched"
        );
        assert!(
            bumped.contains("version = \"1.0.228\""),
            "external deps untouched"
        );
        assert_eq!(workspace_version(&bumped), Ok(version("0.2.0")));
    }

    #[test]
    fn reads_the_workspace_version_not_a_package_version() {
        assert_eq!(workspace_version(MANIFEST), Ok(version("0.1.0")));
        assert_eq!(
            workspace_version("[package]\nversion = \"1.0.0\"\n"),
            Err(RefusalError::NoWorkspaceVersion)
        );
    }

    #[test]
    fn refuses_a_pin_that_disagrees() {
        let manifest = MANIFEST.replace(
            "version = \"=0.1.0\" }\nswarm-tasks",
            "version = \"=0.0.9\" }\nswarm-tasks",
        );
        let error = bump_manifest(&manifest, &version("0.1.0"), &version("0.2.0")).unwrap_err();
        assert!(
            matches!(error, RefusalError::PinDisagrees { .. }),
            "{error}"
        );
    }

    #[test]
    fn moves_unreleased_under_the_new_version() {
        let released = release_changelog(CHANGELOG, &version("0.2.0"), day()).unwrap();
        assert_eq!(
            released,
            "# Changelog\n\nIntro.\n\n## Unreleased\n\n## [0.2.0] - 2026-11-28\n\n### Added\n- A thing.\n\n## [0.0.1] - 2020-01-01\n\n### Added\n- First.\n"
        );
    }

    #[test]
    fn unreleased_as_the_last_section() {
        let changelog = "# Changelog\n\n## [Unreleased]\n- Fixed it.\n";
        let released = release_changelog(changelog, &version("1.0.0"), day()).unwrap();
        assert_eq!(
            released,
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2026-11-28\n\n- Fixed it.\n"
        );
    }

    #[test]
    fn refuses_missing_or_empty_unreleased() {
        let no_section = "# Changelog\n\n## [0.1.0] - 2020-01-01\n- x\n";
        assert_eq!(
            release_changelog(no_section, &version("0.2.0"), day()),
            Err(RefusalError::NoUnreleased)
        );
        let empty = "# Changelog\n\n## Unreleased\n\n### Added\n\n## [0.1.0] - 2020-01-01\n- x\n";
        assert_eq!(
            release_changelog(empty, &version("0.2.0"), day()),
            Err(RefusalError::EmptyUnreleased)
        );
    }

    #[test]
    fn plan_refuses_a_dirty_tree() {
        let error = plan(" M Cargo.toml\n", "0.2.0", MANIFEST, CHANGELOG, day()).unwrap_err();
        assert_eq!(
            error,
            RefusalError::DirtyTree {
                status: " M Cargo.toml".to_owned()
            }
        );
        assert!(error.to_string().contains("not clean"));
    }

    #[test]
    fn plan_refuses_bad_versions() {
        for input in ["banana", "1.2", "", "0.2.0.1"] {
            let error = plan("", input, MANIFEST, CHANGELOG, day()).unwrap_err();
            assert!(
                matches!(error, RefusalError::NotSemver { .. }),
                "{input}: {error}"
            );
        }
        for input in ["0.1.0", "0.0.9", "0.1.0-rc.1"] {
            let error = plan("", input, MANIFEST, CHANGELOG, day()).unwrap_err();
            assert!(
                matches!(error, RefusalError::NotGreater { .. }),
                "{input}: {error}"
            );
        }
    }

    #[test]
    fn plan_accepts_a_leading_v_and_names_the_tag() {
        let plan = plan("", "v0.2.0", MANIFEST, CHANGELOG, day()).unwrap();
        assert_eq!(plan.version, version("0.2.0"));
        assert_eq!(plan.current, version("0.1.0"));
        assert_eq!(plan.tag(), "v0.2.0");
        assert!(plan.changelog.contains("## [0.2.0] - 2026-11-28"));
        assert!(plan.manifest.contains("version = \"=0.2.0\""));
    }

    #[test]
    fn plan_refuses_empty_unreleased() {
        let changelog = "# Changelog\n\n## Unreleased\n\n## [0.1.0] - 2020-01-01\n- x\n";
        assert_eq!(
            plan("", "0.2.0", MANIFEST, changelog, day()),
            Err(RefusalError::EmptyUnreleased)
        );
    }

    /// The real root manifest and changelog can be planned (read only).
    #[test]
    fn real_files_plan_cleanly() {
        let root = crate::project_root();
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        let current = workspace_version(&manifest).unwrap();
        let next = Version::new(current.major, current.minor + 1, 0);
        let plan = plan("", &next.to_string(), &manifest, &changelog, day()).unwrap();
        assert_eq!(workspace_version(&plan.manifest), Ok(next.clone()));
        assert!(!plan.manifest.contains(&format!("\"={current}\"")));
    }
}
