//! `watch` on a simulated timeline: every scripted transition reported once, in order, and
//! the stream surviving a daemon that goes away.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::time::Duration;

use futures::StreamExt;
use swarm_tasks::Client;
use swarm_tasks::models::TaskFilter;
use swarm_tasks::monitor::{TaskEvent, TaskStreamExt, WatchConfig};
use swarm_testkit::sim::{self, SimSwarm};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn line(event: &TaskEvent) -> String {
    match event {
        TaskEvent::Initial { task } => format!("initial {} {}", task.id, state(task.state())),
        TaskEvent::Added { task } => format!("added {} {}", task.id, state(task.state())),
        TaskEvent::StateChanged(change) => format!(
            "{} {} -> {} (desired {})",
            change.task.id,
            state(change.from.as_ref()),
            state(change.to()),
            state(change.desired())
        ),
        TaskEvent::Removed { task } => format!("removed {}", task.id),
        TaskEvent::Synced { tasks } => format!("synced {tasks}"),
        other => format!("{other:?}"),
    }
}

fn state(state: Option<&swarm_tasks::models::TaskState>) -> String {
    state.map_or_else(|| "-".to_owned(), ToString::to_string)
}

fn timeline() -> SimSwarm {
    let sim = SimSwarm::new(sim::swarm(
        vec![sim::service("s1", "web", sim::replicated(2))],
        vec![sim::task("t1", "s1", 1, "n1", "running", "running", 1)],
        vec![sim::node("n1", "vm", "active")],
    ));
    // Changes 3 s apart: more than the watch's longest interval below, so none is missed.
    sim.at(secs(3), |swarm| {
        swarm
            .tasks_mut()
            .push(sim::task("t2", "s1", 2, "", "new", "running", 2))
    });
    sim.at(secs(6), |swarm| {
        swarm.set_task_state("t2", "pending", "pending");
    });
    sim.at(secs(9), |swarm| {
        swarm.set_task_state("t2", "assigned", "assigned");
    });
    sim.at(secs(12), |swarm| {
        swarm.set_task_state("t2", "running", "started");
    });
    sim.at(secs(15), |swarm| {
        swarm.set_task_state("t1", "failed", "task: non-zero exit (1)");
        swarm.set_desired_state("t1", "shutdown");
    });
    sim.at(secs(18), |swarm| {
        swarm.remove_task("t1");
    });
    sim
}

const EXPECTED: [&str; 7] = [
    "initial t1 running",
    "added t2 new",
    "t2 new -> pending (desired running)",
    "t2 pending -> assigned (desired running)",
    "t2 assigned -> running (desired running)",
    "t1 running -> failed (desired shutdown)",
    "removed t1",
];

#[tokio::test(start_paused = true)]
async fn every_transition_of_a_scripted_timeline_once_and_in_order() {
    let sim = timeline();
    let config = WatchConfig::default()
        .min_interval(Duration::from_millis(500))
        .max_interval(secs(2));
    let stream = Client::new(sim.transport()).watch(TaskFilter::new(), config);
    let events: Vec<TaskEvent> = tokio_stream_until(stream, secs(25)).await;
    let lines: Vec<String> = events
        .iter()
        .filter(|event| !event.is_synced())
        .map(line)
        .collect();
    assert_eq!(lines, EXPECTED);
    assert_eq!(
        line(&events[1]),
        "synced 1",
        "the initial snapshot ends with a Synced marker"
    );
    let n_polls = sim.requests().len();
    let n_synced = events.iter().filter(|event| event.is_synced()).count();
    assert_eq!(
        n_polls, n_synced,
        "one tasks request per poll, one Synced per poll"
    );
}

#[tokio::test(start_paused = true)]
async fn the_interval_slows_down_when_quiet() {
    let sim = SimSwarm::new(sim::swarm(vec![], vec![], vec![]));
    let config = WatchConfig::default()
        .min_interval(secs(1))
        .max_interval(secs(8));
    let stream = Client::new(sim.transport()).watch(TaskFilter::new(), config);
    let _ = tokio_stream_until(stream, secs(29)).await;
    let times: Vec<u64> = sim.requests().iter().map(|(at, _)| at.as_secs()).collect();
    // An empty listing is no change: 1 s doubles at once, then 4 s, then the 8 s bound.
    assert_eq!(times, [0, 2, 6, 14, 22]);
}

#[tokio::test(start_paused = true)]
async fn errors_are_items_and_the_watch_carries_on_when_the_daemon_returns() {
    let sim = timeline();
    sim.down(secs(4), secs(10));
    let config = WatchConfig::default().max_interval(secs(2));
    let stream = Client::new(sim.transport())
        .watch(TaskFilter::new(), config)
        .default_backoff();
    let items = collect_until(stream, secs(25)).await;
    let n_errors = items.iter().filter(|item| item.is_err()).count();
    assert!(n_errors >= 2, "{n_errors}");
    let lines: Vec<String> = items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .filter(|event| !event.is_synced())
        .map(line)
        .collect();
    // While the daemon was away t2 moved on; the first poll back reports where it is now,
    // from where it was last seen, once.
    assert_eq!(lines[..2], EXPECTED[..2]);
    assert_eq!(lines[lines.len() - 2..], EXPECTED[5..]);
    let t2: Vec<&String> = lines
        .iter()
        .filter(|line| line.starts_with("t2 "))
        .collect();
    assert_eq!(t2.len(), 1, "{lines:?}");
    assert!(
        t2[0].starts_with("t2 new -> ") && t2[0].contains("-> running"),
        "{lines:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn state_changes_keeps_only_transitions() {
    let sim = timeline();
    let config = WatchConfig::default().max_interval(secs(2));
    let stream = Client::new(sim.transport())
        .watch(TaskFilter::new(), config)
        .state_changes();
    let events = tokio_stream_until(stream, secs(25)).await;
    let lines: Vec<String> = events.iter().map(line).collect();
    assert_eq!(lines, EXPECTED[2..6]);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_stops_all_work() {
    let sim = timeline();
    let mut stream =
        Box::pin(Client::new(sim.transport()).watch(TaskFilter::new(), WatchConfig::default()));
    assert!(stream.next().await.is_some());
    drop(stream);
    let polls = sim.requests().len();
    tokio::time::sleep(secs(60)).await;
    assert_eq!(sim.requests().len(), polls, "a dropped watch kept polling");
}

async fn tokio_stream_until(
    stream: impl futures::Stream<Item = swarm_tasks::Result<TaskEvent>>,
    after: Duration,
) -> Vec<TaskEvent> {
    collect_until(stream, after)
        .await
        .into_iter()
        .map(|item| item.unwrap())
        .collect()
}

async fn collect_until<T>(stream: impl futures::Stream<Item = T>, after: Duration) -> Vec<T> {
    let mut items = Vec::new();
    let mut stream = std::pin::pin!(stream);
    let _ = tokio::time::timeout(after, async {
        while let Some(item) = stream.next().await {
            items.push(item);
        }
    })
    .await;
    items
}
