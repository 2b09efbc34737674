//! ReplayTransport over a hand-made snapshot folder: the daemon's filter and lookup rules,
//! not-a-manager snapshots, and the folder format's errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::path::Path;

use serde_json::{Value, json};
use swarm_models::{Runtime, TaskFilter, TaskState};
use swarm_transport::{
    Error, NotManagerReason, ObjectKind, ReplayTransport, Snapshot, SwarmState, Transport,
};

const WEB: &str = "svcweb000000000000000000a";
const MON: &str = "svcmon000000000000000000b";
const NODE1: &str = "node1aaaaaaaaaaaaaaaaaaaa";
const NODE2: &str = "node2bbbbbbbbbbbbbbbbbbbb";

fn task(
    id: &str,
    service: &str,
    slot: Option<u64>,
    node: &str,
    desired: &str,
    state: &str,
) -> Value {
    let mut task = json!({
        "ID": id, "ServiceID": service, "NodeID": node, "DesiredState": desired,
        "Labels": {}, "Spec": {"ContainerSpec": {"Image": "busybox"}},
        "Status": {"State": state, "Message": state}
    });
    if let Some(slot) = slot {
        task["Slot"] = json!(slot);
    }
    task
}

fn write(dir: &Path, name: &str, value: &Value) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// Web (replicated, 2 slots, slot 1 with a failed older task), monitor (global on 2 nodes),
/// and a network attachment task the daemon hides unless asked by runtime.
fn snapshot_dir(info: Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut attachment = task(
        "attach0000000000000000000",
        "",
        None,
        NODE1,
        "running",
        "running",
    );
    attachment["Spec"] = json!({"NetworkAttachmentSpec": {"ContainerID": "c1"}});
    let tasks = json!([
        task(
            "aaaa111111111111111111111",
            WEB,
            Some(1),
            NODE1,
            "running",
            "running"
        ),
        task(
            "aaaa222222222222222222222",
            WEB,
            Some(1),
            NODE2,
            "shutdown",
            "failed"
        ),
        task(
            "bbbb333333333333333333333",
            WEB,
            Some(2),
            NODE2,
            "running",
            "running"
        ),
        task(
            "cccc444444444444444444444",
            MON,
            None,
            NODE1,
            "running",
            "running"
        ),
        task(
            "cccc555555555555555555555",
            MON,
            None,
            NODE2,
            "running",
            "starting"
        ),
        attachment,
    ]);
    write(dir.path(), "tasks.json", &tasks);
    write(
        dir.path(),
        "services.json",
        &json!([
            {"ID": WEB, "Spec": {"Name": "web", "Labels": {"tier": "front"}, "Mode": {"Replicated": {"Replicas": 2}}}},
            {"ID": MON, "Spec": {"Name": "monitor", "Labels": {}, "Mode": {"Global": {}}}}
        ]),
    );
    write(
        dir.path(),
        "nodes.json",
        &json!([
            {"ID": NODE1, "Description": {"Hostname": "node-1"}, "Spec": {"Role": "manager"}},
            {"ID": NODE2, "Description": {"Hostname": "node-2"}, "Spec": {"Role": "worker"}}
        ]),
    );
    write(dir.path(), "info.json", &info);
    dir
}

fn manager_info() -> Value {
    json!({"ServerVersion": "20.10.24", "Swarm": {"NodeID": NODE1, "LocalNodeState": "active", "ControlAvailable": true}})
}

fn ids(tasks: &[swarm_models::Task]) -> Vec<&str> {
    tasks.iter().map(|task| &task.id[..4]).collect()
}

#[tokio::test]
async fn lists_with_the_daemons_filter_semantics() {
    let dir = snapshot_dir(manager_info());
    let replay = ReplayTransport::open(dir.path()).unwrap();
    assert_eq!(
        replay.endpoint(),
        format!("replay:{}", dir.path().display())
    );

    let all = replay.list_tasks(&TaskFilter::new()).await.unwrap();
    assert_eq!(
        ids(&all),
        ["aaaa", "aaaa", "bbbb", "cccc", "cccc"],
        "attachment tasks are hidden by default"
    );
    let attachments = replay
        .list_tasks(&TaskFilter::new().runtime(Runtime::Attachment))
        .await
        .unwrap();
    assert_eq!(ids(&attachments), ["atta"]);

    let web = replay
        .list_tasks(&TaskFilter::new().service("web"))
        .await
        .unwrap();
    assert_eq!(web.len(), 3);
    let by_prefix = replay
        .list_tasks(&TaskFilter::new().service("svcmon"))
        .await
        .unwrap();
    assert_eq!(ids(&by_prefix), ["cccc", "cccc"]);
    let running_on_2 = TaskFilter::new()
        .node("node-2")
        .desired_state(TaskState::Running);
    assert_eq!(
        ids(&replay.list_tasks(&running_on_2).await.unwrap()),
        ["bbbb", "cccc"]
    );
    let front = replay
        .list_tasks(&TaskFilter::new().label("tier=front"))
        .await
        .unwrap();
    assert_eq!(front.len(), 3);
    let named = replay
        .list_tasks(&TaskFilter::new().name("web.1."))
        .await
        .unwrap();
    assert_eq!(ids(&named), ["aaaa", "aaaa"]);

    let err = replay
        .list_tasks(&TaskFilter::new().service("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: ObjectKind::Service, id } if id == "nope"),
        "{err:?}"
    );
    let err = replay
        .list_tasks(&TaskFilter::new().node("node"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Ambiguous {
                kind: ObjectKind::Node,
                matches: 2,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn inspects_by_id_name_and_unique_prefix() {
    let dir = snapshot_dir(manager_info());
    let replay = ReplayTransport::open(dir.path()).unwrap();
    let full = replay
        .inspect_task("bbbb333333333333333333333")
        .await
        .unwrap();
    assert_eq!(full.slot, Some(2));
    let by_name = replay
        .inspect_task("web.1.aaaa111111111111111111111")
        .await
        .unwrap();
    assert_eq!(by_name.id, "aaaa111111111111111111111");
    let global_name = format!("monitor.{NODE2}.cccc555555555555555555555");
    assert_eq!(
        replay.inspect_task(&global_name).await.unwrap().id,
        "cccc555555555555555555555"
    );
    assert_eq!(replay.inspect_task("bbbb").await.unwrap().id, full.id);

    let err = replay.inspect_task("aaaa").await.unwrap_err();
    assert!(
        matches!(&err, Error::Ambiguous { kind: ObjectKind::Task, matches: 2, id } if id == "aaaa"),
        "{err:?}"
    );
    let err = replay.inspect_task("zzzz").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(replay.inspect_task("").await.unwrap_err().is_not_found());

    let asked = vec!["zzzz".to_owned(), "bbbb".to_owned(), "aaaa".to_owned()];
    let outcomes = replay.inspect_tasks(&asked).await.unwrap();
    let order: Vec<&str> = outcomes.iter().map(|outcome| outcome.id.as_str()).collect();
    assert_eq!(order, ["zzzz", "bbbb", "aaaa"]);
    assert!(outcomes[0].result.as_ref().unwrap_err().is_not_found());
    assert_eq!(outcomes[1].result.as_ref().unwrap().id, full.id);
    assert!(matches!(outcomes[2].result, Err(Error::Ambiguous { .. })));
    assert!(replay.inspect_tasks(&[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn services_nodes_and_system_info() {
    let dir = snapshot_dir(manager_info());
    let replay = ReplayTransport::open(dir.path()).unwrap();
    let services = replay.list_services().await.unwrap();
    assert_eq!(
        services
            .iter()
            .map(|s| s.name().unwrap())
            .collect::<Vec<_>>(),
        ["web", "monitor"]
    );
    assert_eq!(replay.list_nodes().await.unwrap().len(), 2);
    let info = replay.system_info().await.unwrap();
    assert!(info.is_manager);
    assert_eq!(info.swarm, SwarmState::Active);
    assert_eq!(info.node_id.as_deref(), Some(NODE1));
    assert_eq!(info.engine_version.as_deref(), Some("20.10.24"));
    assert_eq!(
        info.api_version,
        swarm_transport::MAX_API_VERSION,
        "no version.json: our version"
    );
    assert_eq!(info.daemon_api_version, None);
}

#[tokio::test]
async fn a_snapshot_of_a_non_manager_answers_like_that_node() {
    let cases = [
        (
            json!({"Swarm": {"NodeID": NODE2, "LocalNodeState": "active", "ControlAvailable": false}}),
            NotManagerReason::Worker,
        ),
        (
            json!({"Swarm": {"NodeID": "", "LocalNodeState": "inactive", "ControlAvailable": false}}),
            NotManagerReason::NotInSwarm,
        ),
        (
            json!({"Swarm": {"LocalNodeState": "locked"}}),
            NotManagerReason::Locked,
        ),
    ];
    for (info, want) in cases {
        let dir = snapshot_dir(info);
        let replay = ReplayTransport::open(dir.path()).unwrap();
        let err = replay.list_tasks(&TaskFilter::new()).await.unwrap_err();
        assert!(
            matches!(&err, Error::NotManager { reason, .. } if *reason == want),
            "{err:?}"
        );
        assert!(matches!(
            replay.inspect_task("bbbb").await,
            Err(Error::NotManager { .. })
        ));
        assert!(matches!(
            replay.list_services().await,
            Err(Error::NotManager { .. })
        ));
        assert!(matches!(
            replay.list_nodes().await,
            Err(Error::NotManager { .. })
        ));
        let info = replay.system_info().await.unwrap();
        assert!(
            !info.is_manager,
            "system_info still answers, and says why not"
        );
    }
}

#[tokio::test]
async fn written_snapshots_replay_the_same() {
    let dir = snapshot_dir(manager_info());
    let snapshot = Snapshot::read(dir.path()).unwrap();
    let copy = tempfile::tempdir().unwrap();
    snapshot.write(copy.path().join("nested")).unwrap();
    let replay = ReplayTransport::open(copy.path().join("nested")).unwrap();
    assert_eq!(replay.snapshot(), &snapshot);
    let original = ReplayTransport::open(dir.path()).unwrap();
    let filter = TaskFilter::new().service("web");
    assert_eq!(
        replay.list_tasks(&filter).await.unwrap(),
        original.list_tasks(&filter).await.unwrap()
    );
}

#[test]
fn a_missing_or_broken_folder_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = ReplayTransport::open(dir.path().join("absent")).unwrap_err();
    assert!(
        matches!(&err, Error::Snapshot { path, .. } if path.ends_with("info.json")),
        "{err:?}"
    );

    let dir = snapshot_dir(manager_info());
    std::fs::write(dir.path().join("tasks.json"), b"{\"not\": \"an array\"}").unwrap();
    let err = ReplayTransport::open(dir.path()).unwrap_err();
    assert!(
        matches!(&err, Error::Snapshot { path, .. } if path.ends_with("tasks.json")),
        "{err:?}"
    );
}
