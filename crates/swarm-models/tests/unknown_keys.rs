//! Keys this version does not know survive a parse and a write at every depth, with their
//! values exactly as sent (numbers digit for digit), and the models say where they were.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use serde_json::Value;
use swarm_models::fidelity;
use swarm_models::{Model, Node, Service, Task};

/// A task with an unknown key at each depth the issue names, and values a `Value` round
/// would change (`1.50`, `1e3`, an integer beyond 64 bits, escapes, key order).
const TASK: &str = r#"{"ID":"t1","TopLevel":{"z":1,"a":[1.50,1e3]},
"Spec":{"SpecNew":123456789012345678901234567890,
 "ContainerSpec":{"Image":"busybox","CsNew":"\u00e9\n",
   "Privileges":{"NoNewPrivileges":true,"PrivNew":{"b":null,"a":-0.0}}},
 "Resources":{"Limits":{"MemoryBytes":5,"LimitNew":7.000}}},
"Status":{"State":"running","StatusNew":[],
 "ContainerStatus":{"ExitCode":0,"CsNew":{}}},
"NetworksAttachments":[{"Addresses":["10.0.0.2/24"],"AttNew":"x",
 "Network":{"ID":"n1","NetNew":false}}]}"#;

const PATHS: [&str; 9] = [
    "/Spec/ContainerSpec/Privileges/PrivNew",
    "/Spec/ContainerSpec/CsNew",
    "/Spec/Resources/Limits/LimitNew",
    "/Spec/SpecNew",
    "/Status/ContainerStatus/CsNew",
    "/Status/StatusNew",
    "/NetworksAttachments/0/Network/NetNew",
    "/NetworksAttachments/0/AttNew",
    "/TopLevel",
];

#[test]
fn unknown_keys_at_every_depth_are_listed() {
    let task: Task = serde_json::from_str(TASK).unwrap();
    assert_eq!(task.unknown_key_paths(), PATHS);
    assert_eq!(
        task.unknown.get("TopLevel").unwrap().get(),
        r#"{"z":1,"a":[1.50,1e3]}"#
    );
    let limits = task.spec.resources.as_ref().unwrap().limits.as_ref();
    assert_eq!(limits.unwrap().memory_bytes, Some(5));
}

#[test]
fn unknown_keys_are_written_back_exactly_as_sent() {
    let task: Task = serde_json::from_str(TASK).unwrap();
    let text = serde_json::to_string(&task).unwrap();
    for raw in [
        r#""TopLevel":{"z":1,"a":[1.50,1e3]}"#,
        r#""SpecNew":123456789012345678901234567890"#,
        r#""CsNew":"\u00e9\n""#,
        r#""PrivNew":{"b":null,"a":-0.0}"#,
        r#""LimitNew":7.000"#,
        r#""StatusNew":[]"#,
        r#""CsNew":{}"#,
        r#""AttNew":"x""#,
        r#""NetNew":false"#,
    ] {
        assert!(text.contains(raw), "{raw} missing from {text}");
    }
    // And a second round changes nothing.
    let again: Task = serde_json::from_str(&text).unwrap();
    assert_eq!(again, task);
    assert_eq!(serde_json::to_string(&again).unwrap(), text);
}

#[test]
fn fidelity_counts_unknown_keys_and_loses_none() {
    let input: Value = serde_json::from_str(TASK).unwrap();
    let report = fidelity::check::<Task>(&input).unwrap();
    assert_eq!(report.unknown_keys.len(), PATHS.len());
    assert!(report.lost.is_empty(), "{:?}", report.lost);
}

#[test]
fn services_and_nodes_keep_unknown_keys_too() {
    let service: Service = serde_json::from_str(
        r#"{"ID":"s","Spec":{"Name":"web","TaskTemplate":{"ContainerSpec":{"New":1}}},"Other":2}"#,
    )
    .unwrap();
    assert_eq!(
        service.unknown_key_paths(),
        ["/Spec/TaskTemplate/ContainerSpec/New", "/Other"]
    );
    let node: Node =
        serde_json::from_str(r#"{"ID":"n","Description":{"Hostname":"h","Gpu":[1]}}"#).unwrap();
    assert_eq!(node.unknown_key_paths(), ["/Description/Gpu"]);
    let text = serde_json::to_string(&node).unwrap();
    assert!(text.contains(r#""Gpu":[1]"#), "{text}");
}

#[test]
fn an_unknown_key_repeated_keeps_the_last_value() {
    // Go's decoder keeps the last of duplicate keys; so do known fields here.
    let task: Task = serde_json::from_str(r#"{"ID":"a","X":1,"ID":"b","X":2}"#).unwrap();
    assert_eq!(task.id, "b");
    assert_eq!(task.unknown.len(), 1);
    assert_eq!(task.unknown.get("X").unwrap().get(), "2");
}

#[test]
fn unknown_values_compare_up_to_whitespace_between_tokens() {
    // Found by the snapshot fuzz target: a task whose unknown object was written
    // pretty-printed to a snapshot file and read back compared unequal to itself.
    let compact: Task = serde_json::from_str(r#"{"ID":"t","X":{"A":[1, "a b"]}}"#).unwrap();
    let pretty: Task =
        serde_json::from_str("{\"ID\":\"t\",\"X\":{\n  \"A\": [\n    1,\n    \"a b\"\n  ]\n}}")
            .unwrap();
    assert_eq!(compact, pretty);
    let state = std::hash::RandomState::new();
    let hash = |task: &Task| std::hash::BuildHasher::hash_one(&state, &task.unknown);
    assert_eq!(hash(&compact), hash(&pretty));
    // Whitespace inside strings and the digits of numbers still count.
    let other_string: Task = serde_json::from_str(r#"{"ID":"t","X":{"A":[1,"ab"]}}"#).unwrap();
    let other_number: Task = serde_json::from_str(r#"{"ID":"t","X":{"A":[1.0,"a b"]}}"#).unwrap();
    assert_ne!(compact, other_string);
    assert_ne!(compact, other_number);
}
