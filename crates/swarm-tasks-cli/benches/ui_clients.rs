//! `swarm-tasks ui` with many open pages: the daemon's requests per poll and the server's
//! memory, with 1 and with 100 connected event streams, over the fake engine at 2,000 tasks
//! (50 nodes, 40 services of 50 replicas).
//!
//! This is a benchmark, not a test: it prints numbers and never fails on them.
//! For each number of clients it runs the `swarm-tasks ui` binary as a user does, connects
//! the clients to `/api/events` (each reads and drops every byte), then changes one task in
//! the fake swarm ROUNDS times (default 10), waiting each time until every client has
//! received the new picture. It prints the requests the fake engine recorded per poll and
//! the server's resident memory (VmRSS from /proc) after each round.
//!
//! ```sh
//! cargo bench -p swarm-tasks-cli --bench ui_clients
//! cargo bench -p swarm-tasks-cli --bench ui_clients -- --rounds 30
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a clear failure

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

const PARAMS: GenerateParams = GenerateParams {
    services: 40,
    nodes: 50,
    replicas_per_service: 50,
    history_per_slot: 0,
    seed: 2000,
};

fn main() {
    let rounds = rounds_from_args();
    println!(
        "{} tasks over {} nodes, {} services; {rounds} changes per run",
        PARAMS.n_tasks(),
        PARAMS.nodes,
        PARAMS.services
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for clients in [1, 100] {
            run(clients, rounds).await;
        }
    });
}

fn rounds_from_args() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == "--rounds")
        .and_then(|at| args.get(at + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(10)
}

/// Kills the server when the run ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server's resident memory in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| value.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

async fn run(clients: usize, rounds: usize) {
    let engine = FakeEngine::start(FakeSwarm::generate(PARAMS)).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_swarm-tasks"))
        .args(["-H", &engine.host(), "ui", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = Server(child);
    let pid = server.0.id();
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap()
        .to_owned();

    // Each client counts the pictures it received and the bytes.
    let received: Arc<Vec<AtomicU64>> = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect());
    let bytes = Arc::new(AtomicU64::new(0));
    for index in 0..clients {
        let (received, bytes, url) = (received.clone(), bytes.clone(), format!("{base}api/events"));
        tokio::spawn(async move {
            let answer = reqwest::get(url).await.unwrap();
            let mut body = answer.bytes_stream();
            let mut tail = Vec::new();
            while let Some(Ok(chunk)) = body.next().await {
                bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                tail.extend_from_slice(&chunk);
                let text = String::from_utf8_lossy(&tail);
                let events = text.matches("event: view\n").count() as u64;
                received[index].fetch_add(events, Ordering::Relaxed);
                // Keep less than one marker: a marker cut in two is found whole next time,
                // and none is counted twice.
                let keep = tail.len().min("event: view\n".len() - 1);
                tail.drain(..tail.len() - keep);
            }
        });
    }
    let all_have = |count: u64| received.iter().all(|n| n.load(Ordering::Relaxed) >= count);
    wait(|| all_have(1)).await;
    let mut rss = vec![rss_kib(pid)];
    engine.reset_requests();
    let started = Instant::now();
    let bytes_before = bytes.load(Ordering::Relaxed);
    for round in 0..rounds {
        engine.update(|swarm| {
            let task = &swarm.tasks()[round];
            let id = task["ID"].as_str().unwrap().to_owned();
            let state = if task["Status"]["State"] == "failed" {
                "running"
            } else {
                "failed"
            };
            swarm.set_task_state(&id, state, "changed by the bench");
        });
        wait(|| all_have(2 + round as u64)).await;
        rss.push(rss_kib(pid));
    }
    let elapsed = started.elapsed();
    let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
    for request in engine.requests() {
        *by_path.entry(request.path).or_default() += 1;
    }
    let polls = by_path.get("/tasks").copied().unwrap_or(0).max(1);
    let per_poll: Vec<String> = by_path
        .iter()
        .map(|(path, n)| format!("{path} {:.2}", *n as f64 / polls as f64))
        .collect();
    let sent = bytes.load(Ordering::Relaxed) - bytes_before;
    println!();
    println!("== {clients} client(s)");
    println!(
        "polls: {polls} in {:.1} s; requests per poll: {}",
        elapsed.as_secs_f64(),
        per_poll.join(", ")
    );
    println!(
        "pushed: {} pictures to each client, {:.1} MB in all ({:.0} kB per picture per client)",
        rounds,
        sent as f64 / 1e6,
        sent as f64 / 1e3 / (rounds * clients) as f64
    );
    let max = rss.iter().max().copied().unwrap_or(0);
    println!(
        "server RSS (MiB): after the first picture {:.1}, after each change {}, max {:.1}",
        rss[0] as f64 / 1024.0,
        rss[1..]
            .iter()
            .map(|kib| format!("{:.1}", *kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" "),
        max as f64 / 1024.0
    );
}

/// Polls `done` every 20 ms, for 60 s at most.
async fn wait(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "the clients did not get the picture within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
