//! Reading a list with `decode_list` keeps each object's text, and writing it back with
//! `write_pretty_array` / `write_compact` gives the same tokens as were read, for every
//! recorded fixture and for spellings a canonical serialization changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::fs;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use swarm_models::{
    AsSent, Model, Node, Service, Task, decode_list, write_compact, write_pretty_array,
};

fn compact(text: &str) -> String {
    let mut out = Vec::new();
    AsSent::new(text).write_compact(&mut out);
    String::from_utf8(out).unwrap()
}

/// Every fixture file of `kind` (`tasks`, `services`, `nodes`), as written on disk.
fn fixture_texts(kind: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut texts = Vec::new();
    for source in ["engine", "python-on-whales"] {
        let dir = root.join(source).join(kind);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|entry| entry.unwrap().path()).collect();
        paths.sort();
        texts.extend(paths.iter().map(|path| fs::read_to_string(path).unwrap()));
    }
    texts
}

fn round_trip<T: DeserializeOwned + Serialize + Model>(kind: &str) -> usize {
    let texts = fixture_texts(kind);
    let body = format!("[{}]", texts.join(",\n"));
    let listing = decode_list::<T>(body.as_bytes()).unwrap();
    assert!(listing.is_complete(), "{:?}", listing.failures);
    let items = listing.into_items();
    assert_eq!(items.len(), texts.len());
    let mut pretty = Vec::new();
    write_pretty_array(&items, b"    ", &mut pretty).unwrap();
    let pretty = String::from_utf8(pretty).unwrap();
    assert_eq!(
        compact(&pretty),
        compact(&body),
        "{kind}: as sent, up to whitespace"
    );
    for (item, text) in items.iter().zip(&texts) {
        let mut line = Vec::new();
        write_compact(item, &mut line).unwrap();
        assert_eq!(String::from_utf8(line).unwrap(), compact(text));
    }
    texts.len()
}

#[test]
fn every_fixture_is_written_as_it_was_read() {
    assert!(round_trip::<Task>("tasks") >= 20);
    assert!(round_trip::<Service>("services") >= 5);
    assert!(round_trip::<Node>("nodes") >= 2);
}

#[test]
fn spellings_a_serialization_changes_are_kept() {
    let sent = r#"{"ID":"t1","CreatedAt":"2026-11-28T03:47:45.327569800+02:00","Labels":{},
        "Name":null,"AssignedGenericResources":[{"DiscreteResourceSpec":{"Kind":"gpu","Value":2}}],
        "Spec":{"ContainerSpec":{"Image":"x","Args":null},"Resources":{"Limits":{"NanoCPUs":1500000000}}},
        "Status":{"State":"running","Err":null,"Timestamp":"2026-11-28T01:47:45.100Z"},
        "Future":{"A":[1e3,null]}}"#;
    let tasks = decode_list::<Task>(format!("[{sent}]").as_bytes()).unwrap();
    let mut line = Vec::new();
    write_compact(&tasks[0], &mut line).unwrap();
    assert_eq!(String::from_utf8(line).unwrap(), compact(sent));
    // The typed value is canonical, so its serialization differs in exactly those places.
    let canonical = serde_json::to_string(&tasks[0]).unwrap();
    assert!(
        canonical.contains(r#""CreatedAt":"2026-11-28T01:47:45.3275698Z""#),
        "{canonical}"
    );
    assert!(canonical.contains(r#""GenericResources""#), "{canonical}");
    assert!(
        !canonical.contains("\"Name\"") && !canonical.contains("\"Err\""),
        "{canonical}"
    );
}
