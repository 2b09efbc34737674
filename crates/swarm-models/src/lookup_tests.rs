//! Unit tests of [`super`]: the lookup rule per object kind, one row per rule.

use super::*;

fn service(id: &str, name: &str) -> Service {
    serde_json::from_value(serde_json::json!({"ID": id, "Spec": {"Name": name}})).unwrap()
}

fn node(id: &str, hostname: &str, spec_name: &str) -> Node {
    serde_json::from_value(serde_json::json!({
        "ID": id, "Spec": {"Name": spec_name}, "Description": {"Hostname": hostname}
    }))
    .unwrap()
}

fn found<T: Lookup>(result: Result<&T, LookupError>) -> Result<&str, LookupError> {
    result.map(Lookup::lookup_id)
}

fn ambiguous(kind: ObjectKind, reference: &str, candidates: &[&str]) -> LookupError {
    LookupError::Ambiguous {
        kind,
        reference: reference.to_owned(),
        candidates: candidates.iter().map(|id| (*id).to_owned()).collect(),
    }
}

fn not_found(kind: ObjectKind, reference: &str) -> LookupError {
    LookupError::NotFound {
        kind,
        reference: reference.to_owned(),
    }
}

#[test]
fn services_by_id_name_prefix() {
    // "abc" is both a name and a prefix of two IDs: the name wins.
    let services = [
        service("abc111", "web"),
        service("abd222", "abc"),
        service("xyz333", "Web2"),
    ];
    let kind = ObjectKind::Service;
    let table: [(&str, Result<&str, LookupError>); 9] = [
        ("abc111", Ok("abc111")),
        ("web", Ok("abc111")),
        ("abc", Ok("abd222")),
        ("x", Ok("xyz333")),
        ("ab", Err(ambiguous(kind, "ab", &["abc111", "abd222"]))),
        ("WEB", Err(not_found(kind, "WEB"))),
        ("web2", Err(not_found(kind, "web2"))),
        ("ABC111", Err(not_found(kind, "ABC111"))),
        (
            "",
            Err(ambiguous(kind, "", &["abc111", "abd222", "xyz333"])),
        ),
    ];
    for (reference, want) in table {
        assert_eq!(found(find(&services, reference)), want, "{reference:?}");
    }
    // An empty reference is a prefix of the only ID there is.
    assert_eq!(found(find(&services[..1], "")), Ok("abc111"));
    assert_eq!(found(find::<Service>(&[], "")), Err(not_found(kind, "")));
}

#[test]
fn nodes_by_hostname_only() {
    let nodes = [
        node("n1aaa", "host-a", "spec-a"),
        node("n2bbb", "dup", ""),
        node("n3ccc", "dup", ""),
    ];
    let kind = ObjectKind::Node;
    let table: [(&str, Result<&str, LookupError>); 7] = [
        ("n1aaa", Ok("n1aaa")),
        ("host-a", Ok("n1aaa")),
        ("spec-a", Err(not_found(kind, "spec-a"))),
        ("HOST-A", Err(not_found(kind, "HOST-A"))),
        ("dup", Err(ambiguous(kind, "dup", &["n2bbb", "n3ccc"]))),
        ("n3", Ok("n3ccc")),
        ("n", Err(ambiguous(kind, "n", &["n1aaa", "n2bbb", "n3ccc"]))),
    ];
    for (reference, want) in table {
        assert_eq!(found(find(&nodes, reference)), want, "{reference:?}");
    }
}

#[test]
fn tasks_by_id_internal_name_prefix() {
    let services = [service("s1", "web")];
    let names = ServiceNames::new(&services);
    let tasks: Vec<Task> = serde_json::from_value(serde_json::json!([
        {"ID": "t1aaa", "ServiceID": "s1", "Slot": 1, "NodeID": "n1"},
        {"ID": "t2bbb", "ServiceID": "s1", "NodeID": "n1"},
        {"ID": "t3ccc", "ServiceID": "gone", "Slot": 2, "Name": "own.name"}
    ]))
    .unwrap();
    let kind = ObjectKind::Task;
    let table: [(&str, Result<&str, LookupError>); 7] = [
        ("t1aaa", Ok("t1aaa")),
        ("web.1.t1aaa", Ok("t1aaa")),
        ("web.n1.t2bbb", Ok("t2bbb")),
        ("own.name", Ok("t3ccc")),
        ("t2", Ok("t2bbb")),
        ("web.1", Err(not_found(kind, "web.1"))),
        ("t", Err(ambiguous(kind, "t", &["t1aaa", "t2bbb", "t3ccc"]))),
    ];
    for (reference, want) in table {
        let got = find_task(&tasks, reference, &names).map(|task| task.id.as_str());
        assert_eq!(got, want, "{reference:?}");
    }
}

#[test]
fn errors_use_the_daemons_words() {
    assert_eq!(
        not_found(ObjectKind::Service, "web").to_string(),
        "service web not found"
    );
    let err = ambiguous(ObjectKind::Node, "dup", &["a", "b"]);
    assert_eq!(err.to_string(), "node dup is ambiguous (2 matches found)");
    assert_eq!((err.kind(), err.reference()), (ObjectKind::Node, "dup"));
}
