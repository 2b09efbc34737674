//! Which slots are failing right now: the newest task of each slot, kept when it failed or
//! was rejected, with its error. A filter `docker service ps` cannot express (it filters on
//! the desired state only).
//!
//! ```text
//! cargo run -p swarm-tasks --example failing_slots [-- SNAPSHOT_DIR]
//! ```

use std::path::PathBuf;

use swarm_tasks::models::{TaskFilter, TaskState};
use swarm_tasks::{Client, PsOptions};

#[tokio::main]
async fn main() -> Result<(), swarm_tasks::Error> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm")));
    let client = Client::builder().replay(&dir).build()?;
    let options = PsOptions {
        latest: true,
        states: vec![TaskState::Failed, TaskState::Rejected],
        ..PsOptions::default()
    };
    // Any listing works: here every task, named and grouped with two more requests.
    let tasks = client.list(&TaskFilter::new()).await?;
    for failure in &tasks.failures {
        eprintln!("cannot decode task {failure}");
    }
    let rows = client.rows(tasks.into_items(), &options).await?;
    if rows.is_empty() {
        println!("no failing slots");
    }
    for row in rows {
        println!(
            "{} on {}: {} ({})",
            row.name,
            row.node_name.as_deref().unwrap_or("no node"),
            row.current_state
                .map(|state| state.to_string())
                .unwrap_or_default(),
            row.error.as_deref().unwrap_or("no error message"),
        );
    }
    Ok(())
}
