//! Every input with which a fuzz target in `fuzz/` found a bug, replayed through that target's
//! property check (`swarm_transport::fuzzing::checks`): `tests/fuzz_regressions/<target>/*`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::{Path, PathBuf};

use swarm_transport::fuzzing::HttpHarness;
use swarm_transport::fuzzing::checks::{self, HTTP_MAX_BODY};

/// One target's property check.
type Check<'a> = Box<dyn Fn(&[u8]) + 'a>;

/// The files of a folder, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_saved_input_passes_its_targets_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let scratch = tempfile::tempdir().unwrap();
    let harness = HttpHarness::new(HTTP_MAX_BODY).unwrap();
    let mut replayed = 0;
    for dir in files(&root) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        let check: Check<'_> = match target.as_str() {
            "task_list" => Box::new(checks::task_list),
            "filter" => Box::new(checks::filter),
            "cli_stderr" => Box::new(checks::cli_stderr),
            "snapshot" => Box::new(|data| checks::snapshot(scratch.path(), data)),
            "http_response" => Box::new(|data| checks::http_response(&harness, data)),
            other => panic!("{}: no fuzz target is called {other:?}", dir.display()),
        };
        for input in files(&dir) {
            let bytes = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
            assert!(outcome.is_ok(), "{} fails its check again", input.display());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved input under {}", root.display());
}
