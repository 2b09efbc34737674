//! Tidy check: no shell anywhere in the code that ships or drives docker. Every process is
//! started as a program and an argument vector (`Command::new(program).args(...)`), so no id,
//! name or filter value can be read as shell syntax. Test code (files under `tests/`, and
//! each source file from its `#[cfg(test)]` module on) may use a shell to write fakes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::{Path, PathBuf};

/// What starting a shell looks like (case matters: `tar -C DIR` is no shell).
const PATTERNS: &[&str] = &[
    "Command::new(\"sh\")",
    "Command::new(\"bash\")",
    "Command::new(\"/bin/sh\")",
    "Command::new(\"/bin/bash\")",
    "Command::new(\"/usr/bin/env\")",
    "Command::new(\"cmd\")",
    "Command::new(\"cmd.exe\")",
    "Command::new(\"powershell\")",
    "\"sh -c",
    "\"bash -c",
    "\"/bin/sh -c",
    ".arg(\"-c\")",
    "[\"-c\",",
    "\"cmd /c",
    "\"cmd /C",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The `.rs` files under `dir`, skipping `tests` and `benches` folders, build output and
/// hidden folders.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
            let skipped = ["target", "tests", "benches", "fuzz"].contains(&name);
            if !skipped && !name.starts_with('.') {
                source_files(&path, out);
            }
        } else if name.ends_with(".rs") && !name.ends_with("_tests.rs") {
            out.push(path);
        }
    }
}

/// The lines of one file's code (before its test module; `//` comments skipped) that
/// start a shell: (line number, line).
fn offences(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        if PATTERNS.iter().any(|pattern| trimmed.contains(pattern)) {
            found.push((index + 1, line.trim().to_owned()));
        }
    }
    found
}

#[test]
fn the_check_finds_shells() {
    let code = "fn f() {\n    let _ = Command::new(\"sh\").arg(\"-c\").arg(cmd);\n}\n\
                // Command::new(\"sh\") in a comment is fine\n\
                fn g() { run(\"sh -c 'x'\"); }\n\
                #[cfg(test)]\nmod tests { fn t() { Command::new(\"sh\"); } }\n";
    let found: Vec<usize> = offences(code).into_iter().map(|(line, _)| line).collect();
    assert_eq!(found, [2, 5]);
    assert!(offences("let docker = Command::new(program);").is_empty());
    assert!(offences("tar.arg(\"-C\").arg(&rootfs);").is_empty());
}

#[test]
fn no_code_starts_a_shell() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "xtask/src"] {
        source_files(&root.join(dir), &mut files);
    }
    assert!(
        files.iter().any(|file| file.ends_with("cli/command.rs")),
        "the CLI transport's runner is among the {} files checked",
        files.len()
    );
    let mut report = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, code) in offences(&text) {
            let shown = file.strip_prefix(&root).unwrap_or(file).display();
            report.push(format!("{shown}:{line}: {code}"));
        }
    }
    assert!(
        report.is_empty(),
        "start programs with an argument vector, never through a shell:\n{}",
        report.join("\n")
    );
}
