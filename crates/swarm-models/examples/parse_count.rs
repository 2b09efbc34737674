//! A driver for counting the instructions of one parse under callgrind (wall-clock time on a
//! shared machine is noisy; instruction counts are not). It builds a `swarm_testkit::history`
//! body, then parses it once with the chosen reader, inside a function callgrind can single
//! out:
//!
//! ```text
//! cargo build --release -p swarm-models --example parse_count
//! valgrind --tool=callgrind --toggle-collect='*parse_count::measure*' \
//!     target/release/examples/parse_count decode_list 2000
//! ```
//!
//! Readers: `decode_list` (this crate's production path for a whole body), `list_decoder`
//! (`ListDecoder`, the transports' path for a body that arrives in chunks, pushed in chunks
//! of 64 KiB, or of `SIZE` bytes with `list_decoder:SIZE`), `from_slice`
//! (`serde_json::from_slice::<Vec<Task>>`) and `bollard` (bollard-stubs' `Task`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a profiling driver: bad input should stop it

use std::hint::black_box;

use swarm_testkit::history::{HistoryParams, history_body};

#[inline(never)]
fn measure(reader: &str, body: &[u8]) -> usize {
    match reader {
        "decode_list" => swarm_models::decode_list::<swarm_models::Task>(body)
            .unwrap()
            .len(),
        "from_slice" => serde_json::from_slice::<Vec<swarm_models::Task>>(body)
            .unwrap()
            .len(),
        "bollard" => serde_json::from_slice::<Vec<bollard_stubs::models::Task>>(body)
            .unwrap()
            .len(),
        chunked if chunked.starts_with("list_decoder") => {
            // `list_decoder:SIZE`: pushed in chunks of SIZE bytes (default 64 KiB).
            let size = chunked
                .strip_prefix("list_decoder:")
                .map_or(64 * 1024, |size| size.parse().expect("a chunk size"));
            let mut decoder = swarm_models::ListDecoder::<swarm_models::Task>::new();
            for chunk in body.chunks(size) {
                decoder.push(chunk);
            }
            decoder.finish().unwrap().len()
        }
        other => panic!(
            "unknown reader {other:?} (decode_list, list_decoder[:SIZE], from_slice or bollard)"
        ),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reader = args.next().unwrap_or_else(|| "decode_list".into());
    let tasks: usize = args
        .next()
        .map_or(2_000, |n| n.parse().expect("a task count"));
    let body = history_body(HistoryParams::tasks(tasks)).expect("the fixtures");
    let parsed = measure(black_box(&reader), black_box(&body));
    assert_eq!(parsed, tasks);
    println!("{reader}: {tasks} tasks, {} bytes", body.len());
    eprintln!(
        "SIZES task {} status {} spec {}",
        std::mem::size_of::<swarm_models::Task>(),
        std::mem::size_of::<swarm_models::TaskStatus>(),
        std::mem::size_of::<swarm_models::TaskSpec>()
    );
}
