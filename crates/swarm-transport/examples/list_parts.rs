//! What a task list costs beyond its parse: against a running server (the list bench's server
//! child), times in turns, medians of N rounds, on a current-thread runtime as the CLI runs:
//!
//! - `ping`: `GET /_ping` with reqwest alone (a round trip);
//! - `discard`: the task list received with reqwest and thrown away (and how many pieces
//!   reqwest handed over);
//! - `collect`: the same received into one `Vec`;
//! - `list`: `HttpTransport::list_tasks` (receiving and decoding);
//! - `parse`: `swarm_models::decode_list` of the same body in this process.
//!
//! ```text
//! cargo bench -p swarm-transport --bench list --no-run   # prints the bench's path
//! SWARM_BENCH_SERVE=/tmp/list.sock SWARM_BENCH_TASKS=1000 target/release/deps/list-HASH &
//! cargo run --release -p swarm-transport --example list_parts -- /tmp/list.sock 300
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring driver: a failure should stop it

use std::path::PathBuf;
use swarm_models::{Runtime, Task, TaskFilter, decode_list};
use swarm_testkit::timing::in_turns_all;
use swarm_transport::{HttpTransport, Transport};

fn main() {
    let mut args = std::env::args().skip(1);
    let socket = args.next().expect("the server's socket path");
    let rounds: usize = args
        .next()
        .map_or(200, |n| n.parse().expect("a round count"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let docker = HttpTransport::builder()
        .host(format!("unix://{socket}"))
        .api_version(Some("1.41".into()))
        .build()
        .unwrap();
    let raw = reqwest::Client::builder()
        .unix_socket(PathBuf::from(&socket))
        .build()
        .unwrap();
    // Every runtime: the whole list, as the list bench asks for it.
    let filter = [Runtime::Container, Runtime::Plugin, Runtime::Attachment]
        .into_iter()
        .fold(TaskFilter::new(), TaskFilter::runtime);
    let url = reqwest::Url::parse_with_params(
        "http://docker/v1.41/tasks",
        &[("filters", filter.to_filters_json())],
    )
    .unwrap();
    let body = runtime.block_on(async {
        raw.get(url.clone())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    let mut pieces = Vec::new();
    let medians = in_turns_all(
        rounds,
        &mut [
            &mut || {
                runtime.block_on(async {
                    let ping = raw.get("http://docker/_ping").send().await.unwrap();
                    std::hint::black_box(ping.bytes().await.unwrap());
                });
            },
            &mut || {
                let count = runtime.block_on(async {
                    let mut response = raw.get(url.clone()).send().await.unwrap();
                    let mut count = 0u32;
                    while let Some(piece) = response.chunk().await.unwrap() {
                        std::hint::black_box(piece);
                        count += 1;
                    }
                    count
                });
                pieces.push(count);
            },
            &mut || {
                runtime.block_on(async {
                    let mut response = raw.get(url.clone()).send().await.unwrap();
                    let mut whole = Vec::new();
                    while let Some(piece) = response.chunk().await.unwrap() {
                        whole.extend_from_slice(&piece);
                    }
                    std::hint::black_box(whole);
                });
            },
            &mut || {
                drop(std::hint::black_box(
                    runtime.block_on(docker.list_tasks(&filter)).unwrap(),
                ));
            },
            &mut || drop(std::hint::black_box(decode_list::<Task>(&body).unwrap())),
        ],
    );
    pieces.sort_unstable();
    let [ping, discard, collect, list, parse] = <[f64; 5]>::try_from(medians)
        .expect("one median per step")
        .map(|nanos| nanos / 1e6);
    println!(
        "{} bytes in {} pieces; medians of {rounds} rounds (ms): ping {ping:.3}, discard {discard:.3}, collect {collect:.3}, list {list:.3}, parse {parse:.3}; list / parse {:.2}",
        body.len(),
        pieces[pieces.len() / 2],
        list / parse
    );
}
