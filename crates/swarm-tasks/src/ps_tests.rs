//! Unit tests of [`super`]: argument resolution and the requests `service_ps`/`node_ps` make.

use serde_json::json;
use swarm_models::{FilterKey, Node, Service, Task, TaskFilter, TaskState};
use swarm_transport::{MockTransport, SwarmState, SystemInfo};

use super::*;

fn services() -> Vec<Service> {
    serde_json::from_value(json!([
        {"ID": "abc111", "Spec": {"Name": "web"}},
        {"ID": "abc222", "Spec": {"Name": "api"}},
        {"ID": "def333", "Spec": {"Name": "abc111x"}},
        {"ID": "web", "Spec": {"Name": "named-like-an-id"}}
    ]))
    .unwrap()
}

fn nodes() -> Vec<Node> {
    serde_json::from_value(json!([
        {"ID": "n1aaaa", "Description": {"Hostname": "node-1"}},
        {"ID": "n2bbbb", "Description": {"Hostname": "node-2"}},
        {"ID": "n3cccc", "Spec": {"Name": "edge"}, "Description": {"Hostname": "node-3"}},
        {"ID": "x1", "Description": {"Hostname": "twin"}},
        {"ID": "x2", "Description": {"Hostname": "twin"}}
    ]))
    .unwrap()
}

fn args(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[test]
fn services_resolve_by_id_then_name_then_unique_prefix() {
    let resolved = resolve_services(&args(&["abc111", "api", "def", "web"]), &services()).unwrap();
    // "web" is both an ID and a name: the full ID wins, as in docker.
    assert_eq!(resolved.ids, args(&["abc111", "abc222", "def333", "web"]));
    assert!(resolved.not_found.is_empty());
}

#[test]
fn services_unknown_are_partial_and_duplicates_collapse() {
    let resolved = resolve_services(&args(&["nope", "api", "abc222", "zzz"]), &services()).unwrap();
    assert_eq!(resolved.ids, args(&["abc222"]));
    assert_eq!(resolved.not_found, args(&["nope", "zzz"]));
    // An empty argument is a prefix of every ID, as in docker: ambiguous here, and the
    // only service when there is one.
    assert!(matches!(
        resolve_services(&args(&[""]), &services()),
        Err(Error::Ambiguous { matches: 4, .. })
    ));
    assert_eq!(
        resolve_services(&args(&[""]), &services()[..1])
            .unwrap()
            .ids,
        args(&["abc111"])
    );
}

#[test]
fn services_ambiguous_prefix_fails_with_docker_message() {
    let error = resolve_services(&args(&["api", "abc"]), &services()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "multiple services found with provided prefix: abc"
    );
    assert!(matches!(
        error,
        Error::Ambiguous {
            kind: ObjectKind::Service,
            matches: 2,
            ..
        }
    ));
}

#[test]
fn nodes_resolve_self_id_hostname_and_prefix_not_spec_name() {
    let resolved = resolve_nodes(
        &args(&["self", "node-2", "edge", "n1", "node-3"]),
        &nodes(),
        Some("n1aaaa"),
    )
    .unwrap();
    assert_eq!(resolved.ids, args(&["n1aaaa", "n2bbbb", "n3cccc"]));
    // The daemon resolves a node by hostname only: the spec name "edge" names nothing.
    assert_eq!(resolved.not_found, args(&["edge"]));
    // docker refuses an empty node reference, whatever the rule would make of it.
    let resolved = resolve_nodes(&args(&[""]), &nodes()[..1], None).unwrap();
    assert_eq!(resolved.not_found, args(&[""]));
    let resolved = resolve_nodes(&args(&["n2bbbb", "ghost"]), &nodes(), None).unwrap();
    assert_eq!(resolved.ids, args(&["n2bbbb"]));
    assert_eq!(resolved.not_found, args(&["ghost"]));
}

#[test]
fn nodes_ambiguous_by_prefix_or_shared_hostname() {
    let error = resolve_nodes(&args(&["n"]), &nodes(), None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "multiple nodes found with provided prefix: n"
    );
    let error = resolve_nodes(&args(&["twin"]), &nodes(), None).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Ambiguous {
                kind: ObjectKind::Node,
                matches: 2,
                ..
            }
        ),
        "{error}"
    );
}

fn task(id: &str, service: &str, slot: u64, node: &str) -> Task {
    serde_json::from_value(json!({
        "ID": id, "ServiceID": service, "Slot": slot, "NodeID": node,
        "CreatedAt": "2024-01-01T00:00:00Z", "Status": {"State": "running"}
    }))
    .unwrap()
}

fn mock_with_lists() -> MockTransport {
    let mut mock = MockTransport::new();
    mock.expect_list_services()
        .times(1)
        .returning(|| Ok(services().into()));
    mock.expect_list_nodes()
        .times(1)
        .returning(|| Ok(nodes().into()));
    mock.expect_endpoint().return_const("mock://".to_owned());
    mock
}

#[tokio::test]
async fn service_ps_makes_one_task_request_for_all_services() {
    let mut mock = mock_with_lists();
    mock.expect_list_tasks()
        .times(1)
        .withf(|filter: &TaskFilter| {
            let services: Vec<&str> = filter.values(FilterKey::Service).collect();
            let desired: Vec<&str> = filter.values(FilterKey::DesiredState).collect();
            services == ["abc222", "def333"] && desired == ["running"]
        })
        .returning(|_| {
            Ok(vec![
                task("t2", "abc222", 1, "n2bbbb"),
                task("t1", "def333", 1, "n1aaaa"),
            ]
            .into())
        });
    let client = Client::new(mock);
    let options = PsOptions {
        filter: TaskFilter::new().desired_state(TaskState::Running),
        ..PsOptions::default()
    };
    let report = client
        .service_ps(&args(&["abc111x", "api", "ghost"]), &options)
        .await
        .unwrap();
    let names: Vec<&str> = report.rows.iter().map(|row| row.name.as_str()).collect();
    assert_eq!(names, ["abc111x.1", "api.1"]);
    assert_eq!(report.rows[0].node_name.as_deref(), Some("node-1"));
    assert_eq!(report.not_found.len(), 1);
    assert_eq!(report.not_found[0].0, "ghost");
    assert!(report.not_found[0].1.is_not_found());
}

#[tokio::test]
async fn service_ps_with_no_services_makes_no_request() {
    // A mock without expectations fails the test on any call.
    let client = Client::new(MockTransport::new());
    let report = client.service_ps(&[], &PsOptions::default()).await.unwrap();
    assert!(report.rows.is_empty() && report.not_found.is_empty());
}

#[tokio::test]
async fn service_ps_all_unknown_is_an_error_and_lists_no_tasks() {
    let client = Client::new(mock_with_lists());
    let error = client
        .service_ps(&args(&["ghost", "phantom"]), &PsOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "no such service: ghost, phantom");
    assert!(error.is_not_found());
}

#[tokio::test]
async fn service_ps_no_resolve_skips_the_nodes_request() {
    let mut mock = MockTransport::new();
    mock.expect_list_services()
        .times(1)
        .returning(|| Ok(services().into()));
    mock.expect_list_tasks()
        .times(1)
        .returning(|_| Ok(vec![task("t1", "abc111", 1, "n1aaaa")].into()));
    let client = Client::new(mock);
    let options = PsOptions {
        no_resolve: true,
        ..PsOptions::default()
    };
    let report = client.service_ps(&args(&["web"]), &options).await.unwrap();
    assert_eq!(report.rows[0].name, "abc111.1");
    assert_eq!(report.rows[0].node_name.as_deref(), Some("n1aaaa"));
}

#[tokio::test]
async fn node_ps_defaults_to_self_from_system_info() {
    let mut mock = mock_with_lists();
    mock.expect_system_info().times(1).returning(|| {
        Ok(SystemInfo::new(
            "1.41",
            SwarmState::Active,
            Some("n3cccc".into()),
            true,
        ))
    });
    mock.expect_list_tasks()
        .times(1)
        .withf(|filter: &TaskFilter| {
            filter.values(FilterKey::Node).collect::<Vec<_>>() == ["n3cccc"]
        })
        .returning(|_| Ok(vec![task("t1", "abc111", 1, "n3cccc")].into()));
    let client = Client::new(mock);
    let report = client.node_ps(&[], &PsOptions::default()).await.unwrap();
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].node_name.as_deref(), Some("node-3"));
}

#[tokio::test]
async fn node_ps_self_outside_a_swarm_is_an_error() {
    let mut mock = mock_with_lists();
    mock.expect_system_info()
        .returning(|| Ok(SystemInfo::new("1.41", SwarmState::Inactive, None, false)));
    let client = Client::new(mock);
    let error = client
        .node_ps(&args(&["self"]), &PsOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NoLocalNode { .. }), "{error}");
}

#[tokio::test]
async fn node_ps_named_nodes_skip_system_info_and_keep_partial_results() {
    let mut mock = mock_with_lists();
    mock.expect_list_tasks()
        .times(1)
        .withf(|filter: &TaskFilter| {
            filter.values(FilterKey::Node).collect::<Vec<_>>() == ["n1aaaa", "n2bbbb"]
        })
        .returning(|_| Ok(Vec::new().into()));
    let client = Client::new(mock);
    let report = client
        .node_ps(&args(&["node-1", "n2", "ghost"]), &PsOptions::default())
        .await
        .unwrap();
    assert!(report.rows.is_empty());
    assert_eq!(report.not_found[0].1.to_string(), "node ghost not found");
}

#[tokio::test]
async fn rows_fetch_names_once_and_none_without_tasks() {
    let client = Client::new(mock_with_lists());
    let rows = client
        .rows(
            vec![task("t1", "abc111", 2, "n2bbbb")],
            &PsOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(rows[0].name, "web.2");
    assert_eq!(rows[0].node_name.as_deref(), Some("node-2"));
    let empty = Client::new(MockTransport::new());
    assert!(
        empty
            .rows(Vec::new(), &PsOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn transport_errors_pass_through() {
    let mut mock = MockTransport::new();
    mock.expect_list_services().returning(|| {
        Err(swarm_transport::Error::DaemonUnreachable {
            endpoint: "unix:///x".into(),
            source: None,
        })
    });
    mock.expect_list_nodes().returning(|| Ok(Vec::new().into()));
    let client = Client::new(mock);
    let error = client
        .service_ps(&args(&["web"]), &PsOptions::default())
        .await
        .unwrap_err();
    assert!(error.is_connection());
    assert_eq!(error.endpoint(), Some("unix:///x"));
}

/// Undecodable objects of every list reach the report (services and nodes first, then tasks),
/// and the tasks that decoded are still rows.
#[tokio::test]
async fn undecodable_objects_are_reported_beside_the_rows() {
    let failure = |index: usize, id: &str| swarm_models::ItemFailure {
        index,
        id: Some(id.to_owned()),
        message: "invalid type".to_owned(),
    };
    let mut mock = MockTransport::new();
    mock.expect_list_services().times(1).returning(move || {
        Ok(Listing {
            items: services(),
            failures: vec![failure(4, "svcbad")],
        })
    });
    mock.expect_list_nodes().times(1).returning(move || {
        Ok(Listing {
            items: nodes(),
            failures: vec![failure(0, "nodebad")],
        })
    });
    mock.expect_list_tasks().times(1).returning(move |_| {
        Ok(Listing {
            items: vec![task("t1", "abc111", 1, "n1aaaa")],
            failures: vec![failure(1, "taskbad")],
        })
    });
    mock.expect_endpoint().return_const("mock://".to_owned());
    let client = Client::new(mock);
    let report = client
        .service_ps(&args(&["web"]), &PsOptions::default())
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 1);
    let named: Vec<(ObjectKind, Option<&str>)> = report
        .undecodable
        .iter()
        .map(|item| (item.kind, item.failure.id.as_deref()))
        .collect();
    assert_eq!(
        named,
        [
            (ObjectKind::Service, Some("svcbad")),
            (ObjectKind::Node, Some("nodebad")),
            (ObjectKind::Task, Some("taskbad"))
        ]
    );
    assert_eq!(
        report.undecodable[2].to_string(),
        "cannot decode task item 1 (ID taskbad): invalid type"
    );
}
