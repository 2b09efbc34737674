//! Tidy check: no test of the workspace skips by hand. A test that cannot run (a missing
//! tool, an unset `SWARM_TASKS_E2E`) goes through `swarm_testkit::require`, `require_flag`
//! or `skip`, which fail under `CI=true` instead of passing in silence.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::{Path, PathBuf};

/// What a hand-made skip looks like, and why it is refused.
const PATTERNS: &[(&str, &str)] = &[
    ("skipped", "a printed skip message"),
    ("skipping", "a printed skip message"),
    ("var_os(\"ci\")", "a check of CI by hand"),
    ("var(\"ci\")", "a check of CI by hand"),
    (".arg(\"--version\").output()", "a probe for a tool by hand"),
    (
        "errorkind::notfound => {",
        "a missing program treated as a pass",
    ),
];

/// The files allowed to contain the patterns: the helper itself and this check.
const ALLOWED: &[&str] = &[
    "crates/swarm-testkit/src/require.rs",
    "crates/swarm-testkit/tests/no_silent_skips.rs",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The hand-made skips in one file's text: (line number, line, why it is refused). Only
/// code counts: a `//` comment line may talk about skipping.
/// `test_file`: the file is a test target (under a `tests/` folder), where a missing program
/// must not turn into a pass; library code may handle `NotFound` as it sees fit.
fn offences(text: &str, test_file: bool) -> Vec<(usize, String, &'static str)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let lower = trimmed.to_lowercase();
        for (pattern, why) in PATTERNS {
            if pattern.starts_with("errorkind") && !test_file {
                continue;
            }
            // Skip words count only inside string literals (a test may be *named* `..._skipped`).
            let in_string = !pattern.starts_with("skip")
                || lower
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .any(|part| part.contains(pattern));
            if lower.contains(pattern) && in_string {
                found.push((index + 1, trimmed.to_owned(), *why));
            }
        }
    }
    found
}

#[test]
fn the_check_sees_each_pattern() {
    let cases = [
        "        eprintln!(\"SKIPPED same_table_as_docker: no docker\");",
        "    println!(\"skipping: no openssl\");",
        "    assert!(std::env::var_os(\"CI\").is_none());",
        "    if Command::new(\"docker\").arg(\"--version\").output().is_err() {",
        "        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {",
    ];
    for case in cases {
        assert_eq!(offences(case, true).len(), 1, "{case}");
    }
    assert!(
        offences(
            "async fn services_removed_mid_listing_are_skipped() {",
            true
        )
        .is_empty()
    );
    assert!(offences("    // skipped in silence before", true).is_empty());
    assert!(offences(cases[4], false).is_empty());
}

#[test]
fn no_test_skips_by_hand() {
    let root = workspace_root();
    let mut files = Vec::new();
    for top in ["crates", "tests", "xtask"] {
        rust_files(&root.join(top), &mut files);
    }
    assert!(
        files.len() > 50,
        "the walk found only {} files under {}",
        files.len(),
        root.display()
    );
    let mut report = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if ALLOWED.contains(&relative.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let test_file = relative.starts_with("tests/") || relative.contains("/tests/");
        for (line, code, why) in offences(&text, test_file) {
            report.push(format!("{relative}:{line}: {why}: {code}"));
        }
    }
    assert!(
        report.is_empty(),
        "skip through swarm_testkit::require / require_flag / skip (they fail under CI=true):\n{}",
        report.join("\n")
    );
}
