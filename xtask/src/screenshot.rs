//! `cargo xtask screenshot`: pictures of `swarm-tasks ui` for the README, taken by the same
//! headless Chromium as the browser tests (swarm-testkit's `browser`).
//!
//! - `ui-demo.png`: the demo snapshot (`demo/swarm`), served as `--replay` serves it, with
//!   the clock pinned a few minutes after the recording so the ages never move.
//! - `ui-2000-tasks.png`: the fake engine with a generated swarm of 50 nodes and 2,000
//!   tasks (40 services x 50 replicas), clock pinned too: the page at that size.
//!
//! Not part of `codegen --check`: a PNG depends on the fonts of the machine.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use swarm_tasks::Client;
use swarm_tasks_cli::ui::{server, view};
use swarm_testkit::browser::Browser;
use swarm_testkit::{FakeEngine, FakeSwarm, GenerateParams};

use crate::flags::ScreenshotArgs;

/// The demo's pinned "now": shortly after `demo/swarm` was recorded.
const DEMO_NOW: &str = "2026-11-28T01:55:00Z";

/// The size of the generated swarm.
pub const BIG: GenerateParams = GenerateParams {
    services: 40,
    nodes: 50,
    replicas_per_service: 50,
    history_per_slot: 0,
    seed: 2000,
};

pub fn run(root: &Path, args: ScreenshotArgs) -> Result<()> {
    let out = root.join(&args.out);
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async {
            let browser = Browser::start(1120, 620)
                .await
                .context("starting headless chromium (apt-get install chromium chromium-driver)")?;
            let demo = Client::builder().replay(root.join("demo/swarm")).build()?;
            let png = picture(&browser, demo, true, DEMO_NOW).await?;
            write(&out.join("ui-demo.png"), &png)?;

            let swarm = FakeSwarm::generate(BIG);
            let now = latest_timestamp(&swarm)?;
            let engine = FakeEngine::start(swarm).await;
            let client = Client::builder().host(engine.host()).build()?;
            browser.client().set_window_size(1600, 1000).await?;
            let png = picture(&browser, client, false, &now).await?;
            write(&out.join("ui-2000-tasks.png"), &png)?;
            browser.close().await;
            Ok(())
        })
}

/// Serves the ui over `client` on loopback and screenshots the page once every card is in.
async fn picture(browser: &Browser, client: Client, replay: bool, now: &str) -> Result<Vec<u8>> {
    let config = view::HubConfig {
        replay,
        now: Some(now.to_owned()),
        ..view::HubConfig::default()
    };
    let hub = view::Hub::start(Arc::new(client), config);
    let mut latest = hub.subscribe();
    let json = tokio::time::timeout(Duration::from_secs(60), async {
        latest
            .wait_for(|json| !json.is_empty())
            .await
            .map(|json| json.to_string())
    })
    .await
    .context("no picture from the poller within 60 s")??;
    let picture: serde_json::Value = serde_json::from_str(&json)?;
    if let Some(error) = picture["error"].as_str() {
        bail!("the poller failed: {error}");
    }
    let cards = picture["tasks"].as_array().map_or(0, Vec::len);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = server::router(hub, None);
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });
    browser.client().goto(&format!("http://{addr}/")).await?;
    let ready = format!("return document.querySelectorAll('.card').length === {cards}");
    if let Err(last) = browser.wait_until(&ready, Duration::from_secs(60)).await {
        bail!("the page never showed {cards} cards: {last}");
    }
    let png = browser.screenshot().await?;
    serving.abort();
    Ok(png)
}

/// A minute after the newest task timestamp of `swarm`, as RFC 3339.
fn latest_timestamp(swarm: &FakeSwarm) -> Result<String> {
    let newest = swarm
        .tasks()
        .iter()
        .filter_map(|task| task["Status"]["Timestamp"].as_str())
        .filter_map(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .max()
        .context("the generated swarm has no task timestamps")?;
    Ok((newest + chrono::Duration::minutes(1))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn write(path: &Path, png: &[u8]) -> Result<()> {
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {} ({} bytes)", path.display(), png.len());
    Ok(())
}
