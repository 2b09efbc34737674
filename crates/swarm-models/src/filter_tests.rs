//! Unit tests of [`super`]: filter keys, both JSON shapes, resolution and matching.

use super::*;
use crate::lookup::LookupError;

fn service(id: &str, name: &str) -> Service {
    serde_json::from_value(serde_json::json!({
        "ID": id, "Spec": {"Name": name, "Labels": {"tier": "front", "solo": ""}}
    }))
    .unwrap()
}

fn task(id: &str, service_id: &str, slot: Option<u64>, node: &str, desired: &str) -> Task {
    serde_json::from_value(serde_json::json!({
        "ID": id, "ServiceID": service_id, "Slot": slot, "NodeID": node,
        "DesiredState": desired, "Spec": {"ContainerSpec": {"Image": "busybox"}}
    }))
    .unwrap()
}

#[test]
fn both_json_shapes_parse_and_unknown_key_fails() {
    let a = TaskFilter::from_filters_json(r#"{"service":["web"]}"#).unwrap();
    let b = TaskFilter::from_filters_json(r#"{"service":{"web":true}}"#).unwrap();
    assert_eq!(a, b);
    let err = TaskFilter::from_filters_json(r#"{"colour":["red"]}"#).unwrap_err();
    assert_eq!(
        err,
        FilterError::UnknownKey {
            key: "colour".into()
        }
    );
    assert!(TaskFilter::from_filters_json("[1]").is_err());
}

#[test]
fn push_arg_errors() {
    let mut filter = TaskFilter::new();
    assert!(matches!(
        filter.push_arg("service"),
        Err(FilterError::MissingEquals { .. })
    ));
    assert!(matches!(
        filter.push_arg("nope=1"),
        Err(FilterError::UnknownKey { .. })
    ));
    filter.push_arg("label=a=b").unwrap();
    assert_eq!(filter.values(FilterKey::Label).collect::<Vec<_>>(), ["a=b"]);
}

#[test]
fn resolution_and_matching() {
    let services = [service("abc123", "web"), service("abd456", "db")];
    let t1 = task("t1", "abc123", Some(1), "n1", "running");
    let t2 = task("t2", "abd456", Some(2), "n2", "shutdown");

    let by_name = TaskFilter::new()
        .service("web")
        .resolve(&services, &[])
        .unwrap();
    assert!(by_name.matches(&t1) && !by_name.matches(&t2));

    let by_prefix = TaskFilter::new()
        .service("abd")
        .resolve(&services, &[])
        .unwrap();
    assert!(by_prefix.matches(&t2) && !by_prefix.matches(&t1));

    let ambiguous = TaskFilter::new()
        .service("ab")
        .resolve(&services, &[])
        .unwrap_err();
    assert_eq!(
        ambiguous.to_string(),
        "service ab is ambiguous (2 matches found)"
    );
    let missing = TaskFilter::new()
        .service("zzz")
        .resolve(&services, &[])
        .unwrap_err();
    assert!(matches!(
        missing,
        FilterError::Lookup(LookupError::NotFound { .. })
    ));

    let desired = TaskFilter::new()
        .desired_state(TaskState::Running)
        .resolve(&services, &[])
        .unwrap();
    assert!(desired.matches(&t1) && !desired.matches(&t2));

    let name = TaskFilter::new()
        .name("web.1")
        .resolve(&services, &[])
        .unwrap();
    assert!(name.matches(&t1) && !name.matches(&t2));

    let label = TaskFilter::new()
        .label("tier=front")
        .label("solo")
        .resolve(&services, &[])
        .unwrap();
    assert!(label.matches(&t1));
    // Labels are AND'ed, like the daemon's MatchKVList.
    let label_and = TaskFilter::new()
        .label("tier=front")
        .label("nothing")
        .resolve(&services, &[])
        .unwrap();
    assert!(!label_and.matches(&t1));
    let label_missing = TaskFilter::new()
        .label("tier=back")
        .resolve(&services, &[])
        .unwrap();
    assert!(!label_missing.matches(&t1));
    // `key=` asks for the key only; desired states match whatever their case.
    let key_only = TaskFilter::new()
        .label("tier=")
        .resolve(&services, &[])
        .unwrap();
    assert!(key_only.matches(&t1));
    let upper = TaskFilter::new()
        .with(FilterKey::DesiredState, "RUNNING")
        .resolve(&services, &[])
        .unwrap();
    assert!(upper.matches(&t1) && !upper.matches(&t2));
}

#[test]
fn runtime_defaults_to_container() {
    let mut attachment = task("t3", "", None, "n1", "running");
    attachment.spec.container_spec = None;
    attachment.spec.network_attachment_spec = Some(Default::default());
    let all = TaskFilter::new().resolve(&[], &[]).unwrap();
    assert!(!all.matches(&attachment));
    let attachments = TaskFilter::new()
        .runtime(Runtime::Attachment)
        .resolve(&[], &[])
        .unwrap();
    assert!(attachments.matches(&attachment));
}
