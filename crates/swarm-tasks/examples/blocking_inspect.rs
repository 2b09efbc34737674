//! The blocking client (feature `blocking`): inspect a few tasks by ID prefix without async,
//! keeping the ones found and reporting the others.
//!
//! ```text
//! cargo run -p swarm-tasks --features blocking --example blocking_inspect [-- SNAPSHOT_DIR ID...]
//! ```

use std::path::PathBuf;

use swarm_tasks::blocking::Client;
use swarm_tasks::models::TaskFilter;

fn main() -> Result<(), swarm_tasks::Error> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/swarm")));
    let client = Client::builder().replay(dir).build()?;
    let mut ids: Vec<String> = args.collect();
    if ids.is_empty() {
        // No ids given: the first two tasks, by 8-character prefix, plus one unknown id.
        let tasks = client.list(&TaskFilter::new())?;
        ids = tasks
            .iter()
            .take(2)
            .map(|task| task.id.chars().take(8).collect())
            .collect();
        ids.push("no-such-task".to_owned());
    }
    let result = client.inspect_many(&ids)?;
    for task in &result.found {
        println!("{} {:?} {:?}", task.id, task.state(), task.image());
    }
    for (id, error) in &result.missing {
        eprintln!("{id}: {error}");
    }
    Ok(())
}
