//! `cargo xtask release VERSION [--dry-run]`: cuts a release locally and never publishes.
//!
//! Steps, in order; any failure stops the release and restores every file it wrote:
//! 1. refuse unless the tree is clean (`git status --porcelain`), VERSION is semver and greater
//!    than `[workspace.package] version`, internal pins agree, `## Unreleased` in CHANGELOG.md
//!    has entries, the tag does not exist yet, and the generated files are fresh (`cargo xtask
//!    codegen --check`);
//! 2. bump `[workspace.package] version` and the `version = "=X"` pins of the internal crates,
//!    move the Unreleased entries under `## [VERSION] - YYYY-MM-DD` (today, UTC);
//! 3. run `cargo fmt --all -- --check`, `cargo clippy --workspace --all-targets -- -D warnings`,
//!    `cargo test --workspace`, and `cargo package` of the publishable crates in dependency
//!    order with `--no-verify` (cargo packages the not-yet-published path dependencies
//!    together, offline);
//! 4. commit `Cargo.toml`, `Cargo.lock` and `CHANGELOG.md`, and create the annotated tag
//!    `vVERSION`.
//!
//! `--dry-run` does step 1, prints the plan and the diff of every file step 2 would change,
//! and runs the step-3 commands on the current tree with `--locked`, so they write only under
//! `target/` (a stale `Cargo.lock` fails the dry run instead of being rewritten).
//! Pushing the commit and tag and `cargo publish` are left to a human.

mod edit;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::diff;
use crate::flags::ReleaseArgs;

/// The crates that are published, in dependency order.
pub const PUBLISHED_CRATES: [&str; 4] = [
    "swarm-models",
    "swarm-transport",
    "swarm-tasks",
    "swarm-tasks-cli",
];

/// The files a release rewrites or commits, relative to the project root.
const MANIFEST: &str = "Cargo.toml";
const CHANGELOG: &str = "CHANGELOG.md";
const LOCKFILE: &str = "Cargo.lock";

/// Runs the release, or with `--dry-run` everything that does not write.
pub fn run(root: &Path, args: ReleaseArgs) -> anyhow::Result<()> {
    let git_status = output(root, "git", &["status", "--porcelain"])?;
    let manifest = read(root, MANIFEST)?;
    let changelog = read(root, CHANGELOG)?;
    let today = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).date_naive();
    let plan = edit::plan(&git_status, &args.version, &manifest, &changelog, today)?;
    let existing_tag = output(root, "git", &["tag", "--list", &plan.tag()])?;
    if !existing_tag.trim().is_empty() {
        bail!("tag {} already exists", plan.tag());
    }
    check_codegen(root)?;

    eprintln!(
        "release {} -> {} (tag {})",
        plan.current,
        plan.version,
        plan.tag()
    );
    eprintln!(
        "\n{MANIFEST}:\n{}",
        diff::unified(&manifest, &plan.manifest)
    );
    eprintln!(
        "{CHANGELOG}:\n{}",
        diff::unified(&changelog, &plan.changelog)
    );
    let checks = check_commands(args.dry_run);
    eprintln!("checks:");
    for command in &checks {
        eprintln!("  cargo {}", command.join(" "));
    }
    let tag_message = format!("swarm-tasks {}", plan.version);
    let commit_message = format!("Release {}", plan.version);
    eprintln!(
        "then: git commit -m {commit_message:?} {MANIFEST} {LOCKFILE} {CHANGELOG}; git tag -a {} -m {tag_message:?}\n",
        plan.tag()
    );

    if args.dry_run {
        run_checks(root, &checks)?;
        eprintln!("dry run: every check passed; nothing was written");
        return Ok(());
    }

    let lockfile = read(root, LOCKFILE)?;
    write(root, MANIFEST, &plan.manifest)?;
    write(root, CHANGELOG, &plan.changelog)?;
    if let Err(error) = run_checks(root, &checks) {
        let restored = [
            (MANIFEST, &manifest),
            (CHANGELOG, &changelog),
            (LOCKFILE, &lockfile),
        ]
        .iter()
        .try_for_each(|(path, text)| write(root, path, text));
        return match restored {
            Ok(()) => Err(error.context("release aborted; Cargo.toml, Cargo.lock and CHANGELOG.md were restored")),
            Err(restore_error) => Err(error.context(format!(
                "release aborted, and restoring the files failed too ({restore_error:#}); check `git status`"
            ))),
        };
    }
    status(root, "git", &["add", "--", MANIFEST, LOCKFILE, CHANGELOG])?;
    status(
        root,
        "git",
        &[
            "commit",
            "-m",
            &commit_message,
            "--",
            MANIFEST,
            LOCKFILE,
            CHANGELOG,
        ],
    )?;
    status(root, "git", &["tag", "-a", &plan.tag(), "-m", &tag_message])?;
    eprintln!(
        "released {} locally. To publish: git push && git push origin {}, then cargo publish -p each of {}",
        plan.version,
        plan.tag(),
        PUBLISHED_CRATES.join(", ")
    );
    Ok(())
}

/// The commands of step 3, as argument vectors for `cargo`. With `locked` (the dry run) cargo
/// may not rewrite `Cargo.lock` either: a stale lockfile fails the check instead.
fn check_commands(locked: bool) -> Vec<Vec<String>> {
    let mut package = vec!["package", "--no-verify", "--allow-dirty"];
    for krate in PUBLISHED_CRATES {
        package.extend(["-p", krate]);
    }
    let mut clippy = vec!["clippy", "--workspace", "--all-targets"];
    let mut test = vec!["test", "--workspace"];
    if locked {
        for command in [&mut clippy, &mut test, &mut package] {
            command.push("--locked");
        }
    }
    clippy.extend(["--", "-D", "warnings"]);
    [vec!["fmt", "--all", "--", "--check"], clippy, test, package]
        .into_iter()
        .map(|args| args.into_iter().map(str::to_owned).collect())
        .collect()
}

fn run_checks(root: &Path, checks: &[Vec<String>]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for args in checks {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        status(root, &cargo, &args)?;
    }
    Ok(())
}

fn check_codegen(root: &Path) -> anyhow::Result<()> {
    let files = crate::codegen::generate_all(root)?;
    let stale = crate::codegen::stale_files(root, &files)?;
    if !stale.is_empty() {
        bail!("{}", crate::codegen::stale_report(&stale));
    }
    Ok(())
}

/// Runs a program (no shell) and returns its stdout; fails on a non-zero exit.
fn output(root: &Path, program: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(root)
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a program (no shell) with inherited output; fails on a non-zero exit.
fn status(root: &Path, program: &str, args: &[&str]) -> anyhow::Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("running {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn read(root: &Path, path: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(root.join(path)).with_context(|| format!("reading {path}"))
}

fn write(root: &Path, path: &str, text: &str) -> anyhow::Result<()> {
    std::fs::write(root.join(path), text).with_context(|| format!("writing {path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_publishable_crates_in_dependency_order() {
        let package = check_commands(false).pop().unwrap();
        let crates: Vec<&str> = package
            .windows(2)
            .filter(|pair| pair[0] == "-p")
            .map(|pair| pair[1].as_str())
            .collect();
        assert_eq!(crates, PUBLISHED_CRATES);
        assert!(package.contains(&"--no-verify".to_owned()));
    }

    /// A dry run must not even rewrite `Cargo.lock`.
    #[test]
    fn dry_run_checks_are_locked() {
        for command in check_commands(true)
            .iter()
            .filter(|command| command[0] != "fmt")
        {
            let locked = command.iter().position(|arg| arg == "--locked").unwrap();
            let separator = command
                .iter()
                .position(|arg| arg == "--")
                .unwrap_or(command.len());
            assert!(locked < separator, "{command:?}");
        }
        assert!(
            check_commands(false)
                .iter()
                .flatten()
                .all(|arg| arg != "--locked")
        );
    }

    /// Every published crate's manifest really is publishable and every other member is not.
    #[test]
    fn published_crates_match_the_manifests() {
        let root = crate::project_root();
        for krate in PUBLISHED_CRATES {
            let manifest = read(&root, &format!("crates/{krate}/Cargo.toml")).unwrap();
            assert!(!manifest.contains("publish = false"), "{krate}");
            for key in [
                "description",
                "readme",
                "keywords",
                "categories",
                "license.workspace",
                "repository.workspace",
            ] {
                assert!(manifest.contains(key), "{krate} lacks {key}");
            }
        }
        for private in ["crates/swarm-testkit", "xtask", "tests"] {
            let manifest = read(&root, &format!("{private}/Cargo.toml")).unwrap();
            assert!(manifest.contains("publish = false"), "{private}");
        }
    }

    /// Runs `git` in `dir` for test setup.
    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=xtask test",
                "-c",
                "user.email=xtask@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir)
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// Each refusal happens before anything is written: a temporary git repository keeps its
    /// files byte for byte, and the error says what is wrong.
    #[test]
    fn refusals_leave_the_tree_alone() {
        let dir = std::env::temp_dir().join(format!("xtask-release-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = "[workspace.package]\nversion = \"0.1.0\"\n";
        let changelog = "# Changelog\n\n## Unreleased\n\n### Added\n";
        std::fs::write(dir.join(MANIFEST), manifest).unwrap();
        std::fs::write(dir.join(CHANGELOG), changelog).unwrap();
        git(&dir, &["init", "--quiet"]);
        git(&dir, &["add", "."]);
        git(&dir, &["commit", "--quiet", "-m", "init"]);

        let release = |version: &str| {
            let args = ReleaseArgs {
                version: version.to_owned(),
                dry_run: false,
            };
            format!("{:#}", run(&dir, args).unwrap_err())
        };
        assert!(release("banana").contains("not a semantic version"));
        assert!(release("0.1.0").contains("not greater than the current version 0.1.0"));
        assert!(release("0.2.0").contains("`## Unreleased` section of CHANGELOG.md is empty"));
        std::fs::write(
            dir.join(CHANGELOG),
            "# Changelog\n\n## Unreleased\n- New.\n",
        )
        .unwrap();
        git(&dir, &["commit", "--quiet", "-am", "entry"]);
        git(&dir, &["tag", "v0.2.0"]);
        assert!(release("0.2.0").contains("tag v0.2.0 already exists"));
        let changelog = "# Changelog\n\n## Unreleased\n- New.\n";
        std::fs::write(dir.join("stray.txt"), "x").unwrap();
        assert!(release("0.2.0").contains("?? stray.txt"));

        assert_eq!(
            std::fs::read_to_string(dir.join(MANIFEST)).unwrap(),
            manifest
        );
        assert_eq!(
            std::fs::read_to_string(dir.join(CHANGELOG)).unwrap(),
            changelog
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
