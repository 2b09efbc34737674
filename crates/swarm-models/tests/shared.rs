//! Shared subtrees: `decode_list` parses each distinct `Spec` / `Network` text once and shares
//! it between the tasks that repeat it; a change to one task's copy never shows in another,
//! and the values are those a plain parse gives.

#![allow(clippy::unwrap_used)] // tests: a panic is a failure

use swarm_models::{Shared, Task, decode_list};
use swarm_testkit::history::{HistoryParams, history_body};

const NETWORK: &str =
    r#"{"ID":"n1","Spec":{"Name":"front","Labels":{"a":"b"}},"Version":{"Index":9}}"#;

fn two_tasks() -> String {
    let spec = r#"{"ContainerSpec":{"Image":"app:1","Args":["a","b"]},"ForceUpdate":1}"#;
    format!(
        r#"[{{"ID":"a","Spec":{spec},"NetworksAttachments":[{{"Network":{NETWORK},"Addresses":["10.0.0.2/24"]}}]}},
           {{"ID":"b","Spec":{spec},"NetworksAttachments":[{{"Network":{NETWORK},"Addresses":["10.0.0.3/24"]}}]}}]"#
    )
}

fn network_of(task: &Task) -> &Shared<swarm_models::Network> {
    task.networks_attachments[0].network.as_ref().unwrap()
}

#[test]
fn equal_texts_are_parsed_once_and_shared() {
    let tasks = decode_list::<Task>(two_tasks().as_bytes()).unwrap();
    assert!(tasks.is_complete());
    assert!(Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    assert!(Shared::ptr_eq(network_of(&tasks[0]), network_of(&tasks[1])));
    assert_eq!(tasks[0].image(), Some("app:1"));
}

#[test]
fn a_change_to_one_task_does_not_leak_into_another() {
    let mut tasks = decode_list::<Task>(two_tasks().as_bytes()).unwrap();
    let before = tasks[0].clone();

    // Through DerefMut: the shared value is copied first.
    tasks[1].spec.force_update = Some(2);
    if let Some(container) = tasks[1].spec.container_spec.as_mut() {
        container.image = Some("app:2".into());
        container.args.push("c".into());
    }
    let network = tasks[1].networks_attachments[0].network.as_mut().unwrap();
    network.id = Some("n2".into());
    if let Some(spec) = network.spec.as_mut() {
        spec.labels.insert("x".into(), "y".into());
    }

    assert_eq!(tasks[0], before, "task a is as it was");
    assert_eq!(tasks[0].image(), Some("app:1"));
    assert_eq!(tasks[0].spec.force_update, Some(1));
    assert_eq!(network_of(&tasks[0]).id.as_deref(), Some("n1"));
    assert_eq!(tasks[1].image(), Some("app:2"));
    assert_eq!(tasks[1].spec.force_update, Some(2));
    assert_eq!(network_of(&tasks[1]).id.as_deref(), Some("n2"));
    assert!(!Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    assert!(!Shared::ptr_eq(
        network_of(&tasks[0]),
        network_of(&tasks[1])
    ));

    // A clone shares until it is changed, then it is on its own too.
    let mut copy = tasks[0].clone();
    assert!(Shared::ptr_eq(&copy.spec, &tasks[0].spec));
    copy.spec.container_spec = None;
    assert_eq!(tasks[0].image(), Some("app:1"));
    assert_eq!(copy.image(), None);
}

#[test]
fn a_different_text_is_a_different_value() {
    // Same values, other whitespace: not the same text, so not shared, but equal.
    let body = r#"[{"ID":"a","Spec":{"ForceUpdate":1}},{"ID":"b","Spec":{ "ForceUpdate": 1 }},
                   {"ID":"c","Spec":{"ForceUpdate":2}}]"#;
    let tasks = decode_list::<Task>(body.as_bytes()).unwrap();
    assert!(!Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    assert_eq!(tasks[0].spec, tasks[1].spec);
    assert_ne!(tasks[0].spec, tasks[2].spec);
    assert_eq!(tasks[2].spec.force_update, Some(2));
}

#[test]
fn shared_values_equal_a_plain_parse_and_keep_unknown_keys() {
    let body = r#"[{"ID":"a","Spec":{"ContainerSpec":{"Image":"x","New":{"k":1.50}},"Extra":[1]}},
                   {"ID":"b","Spec":{"ContainerSpec":{"Image":"x","New":{"k":1.50}},"Extra":[1]}}]"#;
    let tasks = decode_list::<Task>(body.as_bytes()).unwrap();
    let plain: Vec<Task> = serde_json::from_str(body).unwrap();
    assert_eq!(tasks.items, plain);
    assert!(Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    assert_eq!(
        tasks[1].unknown_key_paths_sorted(),
        ["/Spec/ContainerSpec/New", "/Spec/Extra"]
    );
    assert_eq!(
        serde_json::to_string(&tasks[1].spec).unwrap(),
        r#"{"ContainerSpec":{"Image":"x","New":{"k":1.50}},"Extra":[1]}"#
    );
}

#[test]
fn a_history_body_decodes_to_what_a_plain_parse_gives() {
    let body = history_body(HistoryParams::tasks(300)).unwrap();
    let tasks = decode_list::<Task>(&body).unwrap();
    let plain: Vec<Task> = serde_json::from_slice(&body).unwrap();
    assert!(tasks.is_complete());
    assert_eq!(tasks.items, plain);
    // 10 services of 3 versions: far fewer distinct specs than tasks.
    let mut distinct: Vec<&Shared<swarm_models::TaskSpec>> = Vec::new();
    for task in tasks.iter() {
        if !distinct.iter().any(|seen| Shared::ptr_eq(seen, &task.spec)) {
            distinct.push(&task.spec);
        }
    }
    assert!(distinct.len() <= 30, "{} distinct specs", distinct.len());
}

#[test]
fn outside_decode_list_nothing_is_shared() {
    let tasks: Vec<Task> = serde_json::from_str(&two_tasks()).unwrap();
    assert!(!Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    assert_eq!(tasks[0].spec, tasks[1].spec);
}

trait SortedPaths {
    fn unknown_key_paths_sorted(&self) -> Vec<String>;
}

impl SortedPaths for Task {
    fn unknown_key_paths_sorted(&self) -> Vec<String> {
        let mut paths = swarm_models::Model::unknown_key_paths(self);
        paths.sort();
        paths
    }
}
