//! 100,000 lines of a followed service log read through HttpTransport without the memory in
//! use growing with them: the allocator of this test binary counts every live byte.
//!
//! A test binary of its own, because it installs a counting global allocator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::alloc::System;

use cap::Cap;
use futures::StreamExt;
use swarm_testkit::{FakeEngine, FakeLogs, FakeSwarm, LogEnd, details_prefix};
use swarm_transport::{HttpTransport, LogOptions, LogTarget, Transport};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const LINES: usize = 100_000;

fn line(idx: usize) -> Vec<u8> {
    let prefix = details_prefix(
        "sz3cs52ypzsspet0a0z13m6du",
        "oma547g6f2ot1eelgtjy6ueup",
        "3im7vdkhylu1n2bgp3r65k50z",
    );
    format!("2026-12-02T03:20:29.978126457Z {prefix}line {idx} of a followed service log, padded to look like a real one\n")
        .into_bytes()
}

#[tokio::test]
async fn following_100_000_lines_keeps_memory_flat() {
    let engine = FakeEngine::start(FakeSwarm::sample()).await;
    let web = engine.swarm().service_id("web").unwrap().to_owned();
    engine.set_logs(
        &web,
        FakeLogs::new()
            .generated(1, LINES, line)
            .end(LogEnd::StayOpen),
    );
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    let options = LogOptions::new().follow(true).timestamps(true);
    let mut stream = docker
        .logs(&LogTarget::Service(web), &options)
        .await
        .unwrap();

    // Settle on the first thousand lines (connection buffers, the decoder's buffer).
    for _ in 0..1000 {
        stream.next().await.unwrap().unwrap();
    }
    let baseline = ALLOCATOR.allocated();
    let mut peak = baseline;
    let mut bytes_read = 0usize;
    for idx in 1000..LINES {
        let line = stream.next().await.unwrap().unwrap();
        assert!(line.text().starts_with(&format!("line {idx} ")));
        bytes_read += line.line.len();
        peak = peak.max(ALLOCATOR.allocated());
    }
    let growth = peak.saturating_sub(baseline);
    assert!(bytes_read > 6_000_000, "read {bytes_read} bytes");
    assert!(
        growth < 2 * 1024 * 1024,
        "memory in use grew by {growth} bytes while {bytes_read} bytes of lines went through"
    );
}
