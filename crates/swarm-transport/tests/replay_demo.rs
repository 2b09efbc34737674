//! The committed demo snapshot (`demo/swarm/`, recorded from a real engine) replays, and the
//! replay answers exactly what the fake engine serving the same folder answers over HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::PathBuf;

use swarm_models::{TaskFilter, TaskState};
use swarm_testkit::{FakeEngine, FakeSwarm};
use swarm_transport::{HttpTransport, ReplayTransport, Transport};

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../demo/swarm")
}

#[tokio::test]
async fn the_demo_snapshot_replays_like_the_engine_serves_it() {
    let replay = ReplayTransport::open(demo_dir()).unwrap();
    let snapshot = replay.snapshot().clone();
    assert!(
        !snapshot.tasks.is_empty() && !snapshot.services.is_empty() && !snapshot.nodes.is_empty()
    );
    assert!(
        snapshot.info.server_version.is_some(),
        "{:?}",
        snapshot.info
    );
    assert!(snapshot.info.api_version.is_some(), "version.json is read");
    let info = replay.system_info().await.unwrap();
    assert!(info.is_manager, "the demo was recorded on a manager");

    let engine = FakeEngine::start(FakeSwarm::from_snapshot(demo_dir()).unwrap()).await;
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();

    let mut filters = vec![
        TaskFilter::new(),
        TaskFilter::new().desired_state(TaskState::Running),
        TaskFilter::new().desired_state(TaskState::Shutdown),
    ];
    filters.extend(
        snapshot
            .services
            .iter()
            .filter_map(|s| s.name())
            .map(|name| TaskFilter::new().service(name)),
    );
    filters.extend(
        snapshot
            .nodes
            .iter()
            .filter_map(|n| n.hostname())
            .map(|host| TaskFilter::new().node(host)),
    );
    for filter in &filters {
        let mut live = docker.list_tasks(filter).await.unwrap();
        let mut replayed = replay.list_tasks(filter).await.unwrap();
        live.sort_by(|a, b| a.id.cmp(&b.id));
        replayed.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(live, replayed, "{}", filter.to_filters_json());
    }

    // Recorded without counts (`docker service inspect`), the replay computes them as the
    // daemon's `GET /services?status=true` does.
    let mut live = docker.list_services().await.unwrap();
    let mut replayed = replay.list_services().await.unwrap();
    live.sort_by(|a, b| a.id.cmp(&b.id));
    replayed.sort_by(|a, b| a.id.cmp(&b.id));
    assert!(
        replayed
            .iter()
            .all(|service| service.service_status.is_some())
    );
    assert_eq!(live, replayed);

    for task in &snapshot.tasks {
        assert_eq!(
            replay.inspect_task(&task.id[..12]).await.unwrap().id,
            task.id
        );
    }
}

#[tokio::test]
async fn a_written_snapshot_serves_in_the_fake_engine() {
    // Snapshot::write's folder (with its minimal info.json) is what swarm-tasks snapshot DIR
    // produces; the fake engine and the replay must both take it.
    let snapshot = swarm_transport::Snapshot::read(demo_dir()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    snapshot.write(dir.path()).unwrap();
    let engine = FakeEngine::start(FakeSwarm::from_snapshot(dir.path()).unwrap()).await;
    let docker = HttpTransport::builder()
        .host(engine.host())
        .build()
        .unwrap();
    let info = docker.system_info().await.unwrap();
    assert!(info.is_manager);
    assert_eq!(info.node_id, snapshot.info.node_id);
    let mut live = docker.list_tasks(&TaskFilter::new()).await.unwrap();
    let mut replayed = ReplayTransport::open(dir.path())
        .unwrap()
        .list_tasks(&TaskFilter::new())
        .await
        .unwrap();
    live.sort_by(|a, b| a.id.cmp(&b.id));
    replayed.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(live, replayed);
}
