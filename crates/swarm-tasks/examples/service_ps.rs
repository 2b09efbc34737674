//! `docker service ps` for every service of a recorded swarm, offline.
//!
//! ```text
//! cargo run -p swarm-tasks --example service_ps            # the demo snapshot, demo/swarm
//! cargo run -p swarm-tasks --example service_ps -- DIR     # any snapshot folder
//! ```
//!
//! Swap `.replay(dir)` for `Client::from_env()` to ask a live swarm manager instead.

use std::path::PathBuf;

use swarm_tasks::{Client, PsOptions};

#[tokio::main]
async fn main() -> Result<(), swarm_tasks::Error> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm")));
    let client = Client::builder().replay(&dir).build()?;
    let services: Vec<String> = client
        .services()
        .await?
        .iter()
        .filter_map(|service| service.name().map(str::to_owned))
        .collect();
    let report = client.service_ps(&services, &PsOptions::default()).await?;
    println!(
        "{:<28} {:<22} {:<10} {:<9} {:<10} ERROR",
        "NAME", "IMAGE", "NODE", "DESIRED", "CURRENT"
    );
    for row in &report.rows {
        let name = if row.is_history {
            format!(" \\_ {}", row.name)
        } else {
            row.name.clone()
        };
        let state = |state: &Option<swarm_tasks::models::TaskState>| {
            state
                .as_ref()
                .map(|state| state.to_string())
                .unwrap_or_default()
        };
        println!(
            "{:<28} {:<22} {:<10} {:<9} {:<10} {}",
            name,
            row.display_image().unwrap_or_default(),
            row.node_name.as_deref().unwrap_or(""),
            state(&row.desired_state),
            state(&row.current_state),
            row.error.as_deref().unwrap_or(""),
        );
    }
    Ok(())
}
