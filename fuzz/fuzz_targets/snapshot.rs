//! `Snapshot::read` of a folder whose files come from the input (split at NUL bytes); the
//! properties are `swarm_transport::fuzzing::checks::snapshot`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

/// This process's folder (a fuzzer runs one input at a time per process).
fn folder() -> &'static PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        std::env::temp_dir().join(format!("swarm-tasks-fuzz-snapshot-{}", std::process::id()))
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| swarm_transport::fuzzing::checks::snapshot(
    folder(),
    data
));
