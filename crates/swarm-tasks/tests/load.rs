//! Load: 200 concurrent `list` calls through ONE client against a fake engine holding 1,000
//! tasks all succeed with equal results; the process's open file descriptors come back to
//! their baseline afterwards, and its peak memory stays under a bound (both read from
//! /proc/self). The bound is documented in docs/reliability.md.
#![cfg(all(target_os = "linux", feature = "http"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use futures::StreamExt;
use swarm_tasks::Client;
use swarm_tasks::models::TaskFilter;
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

/// The peak resident memory this test process may reach: the fake engine and its swarm, the
/// 200 calls (at most 8 requests in flight), the listings compared as they complete, and
/// the test harness.
const PEAK_MEMORY_BOUND_KIB: u64 = 256 * 1024;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// `VmHWM` of /proc/self/status, in KiB.
fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_lists_through_one_client() {
    let swarm = FakeSwarm::generate(GenerateParams {
        services: 50,
        nodes: 5,
        replicas_per_service: 10,
        history_per_slot: 1,
        seed: 3,
    });
    assert_eq!(swarm.tasks().len(), 1_000);
    let engine = FakeEngine::start(swarm).await;
    let baseline = open_fds();
    {
        let client = Client::builder().host(engine.host()).build().unwrap();
        // All 200 calls are started at once; each result is compared with the first as it
        // completes, then dropped.
        let calls = (0..200).map(|n| {
            let client = client.clone();
            async move { (n, client.list(&TaskFilter::new()).await) }
        });
        let mut results = futures::stream::iter(calls).buffer_unordered(200);
        let mut first = None;
        let mut completed = 0;
        while let Some((n, result)) = results.next().await {
            let listing = result.unwrap_or_else(|err| panic!("call {n}: {err}"));
            assert!(listing.is_complete(), "call {n}: {:?}", listing.failures);
            assert_eq!(listing.len(), 1_000, "call {n}");
            match &first {
                None => first = Some(listing.into_items()),
                Some(first) => assert!(listing.items == *first, "call {n} differs"),
            }
            completed += 1;
        }
        assert_eq!(completed, 200);
    }
    // The client is dropped: its pooled connections close. The engine's side closes them
    // when it reads the end, so wait (bounded) for the count to settle.
    let mut now = open_fds();
    for _ in 0..100 {
        if now <= baseline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        now = open_fds();
    }
    assert!(now <= baseline, "open fds: {baseline} before, {now} after");
    let peak = peak_memory_kib();
    assert!(
        peak < PEAK_MEMORY_BOUND_KIB,
        "peak memory {peak} KiB over the bound of {PEAK_MEMORY_BOUND_KIB} KiB"
    );
    eprintln!("load: peak memory (VmHWM) {peak} KiB, open fds {baseline} -> {now}");
}
