//! Tests over the recorded fixtures: real engine output (`fixtures/engine`, recorded by
//! `cargo xtask fixtures`), python-on-whales' test data (`fixtures/python-on-whales`) and the
//! demo snapshot (`demo/swarm`).
//!
//! Every fixture must parse, keep every value through a parse-and-serialize round (the
//! fidelity check), and serialize to the JSON its snapshot records.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use swarm_models::fidelity::{self, Fidelity};
use swarm_models::{Node, Service, Task};

/// The kinds of object a fixture can hold, from the folder it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Task,
    Service,
    Node,
}

impl Kind {
    fn of(path: &Path) -> Kind {
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        match folder {
            Some("tasks") => Kind::Task,
            Some("services") => Kind::Service,
            Some("nodes") => Kind::Node,
            other => panic!(
                "fixture {} is in an unknown folder {other:?}",
                path.display()
            ),
        }
    }

    /// The fidelity check of `input` as this kind.
    fn check(self, input: &Value) -> Result<Fidelity, serde_json::Error> {
        match self {
            Kind::Task => fidelity::check::<Task>(input),
            Kind::Service => fidelity::check::<Service>(input),
            Kind::Node => fidelity::check::<Node>(input),
        }
    }

    /// Parses `input` as this kind and serializes it back.
    fn round_trip(self, input: &Value) -> Result<Value, serde_json::Error> {
        match self {
            Kind::Task => serde_json::to_value(serde_json::from_value::<Task>(input.clone())?),
            Kind::Service => {
                serde_json::to_value(serde_json::from_value::<Service>(input.clone())?)
            }
            Kind::Node => serde_json::to_value(serde_json::from_value::<Node>(input.clone())?),
        }
    }
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every `*.json` fixture under `tests/fixtures`, sorted.
fn fixture_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&fixtures_root(), &mut files);
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    let bytes = fs::read(path).unwrap();
    serde_json::from_slice(&bytes).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The one snapshot helper: parse the fixture as its folder says, snapshot what the models
/// write back.
fn check_snapshot(path: &Path) {
    let input = read_json(path);
    let output = Kind::of(path)
        .round_trip(&input)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    insta::assert_json_snapshot!(output);
}

#[test]
fn snapshots() {
    insta::glob!("fixtures/**/*.json", check_snapshot);
}

#[test]
fn every_fixture_keeps_every_value() {
    let mut inputs: Vec<(String, Kind, Value)> = fixture_files()
        .iter()
        .map(|path| (path.display().to_string(), Kind::of(path), read_json(path)))
        .collect();
    // The demo snapshot holds arrays of each kind, as `docker inspect` prints them.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/swarm");
    for (file, kind) in [
        ("tasks.json", Kind::Task),
        ("services.json", Kind::Service),
        ("nodes.json", Kind::Node),
    ] {
        let path = demo.join(file);
        let Value::Array(items) = read_json(&path) else {
            panic!("{} is not a JSON array", path.display());
        };
        for (idx, item) in items.into_iter().enumerate() {
            inputs.push((format!("{}[{idx}]", path.display()), kind, item));
        }
    }

    let mut n_leaves = 0;
    let mut unknown = Vec::new();
    let mut lost = Vec::new();
    for (name, kind, input) in &inputs {
        let report = kind
            .check(input)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        n_leaves += report.leaves;
        unknown.extend(
            report
                .unknown_keys
                .iter()
                .map(|key| format!("{name}: {key}")),
        );
        lost.extend(report.lost.iter().map(|leaf| format!("{name}: {leaf}")));
    }
    println!(
        "fidelity: checked {n_leaves} leaves in {} objects, {} unknown keys kept:\n{}",
        inputs.len(),
        unknown.len(),
        unknown.join("\n")
    );
    assert!(n_leaves > 1000, "suspiciously few leaves: {n_leaves}");
    assert!(
        lost.is_empty(),
        "{} leaves lost:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

#[test]
fn fidelity_check_counts_an_unknown_key_and_sees_a_dropped_value() {
    // Guards the guard: a key the models do not know is counted, with its path, and kept.
    let path = fixtures_root().join("engine/tasks/replicated-running-1.json");
    let mut input = read_json(&path);
    input["Spec"]["ContainerSpec"]["NotAField"] = Value::from("kept");
    let report = Kind::Task.check(&input).unwrap();
    assert_eq!(report.unknown_keys, ["/Spec/ContainerSpec/NotAField"]);
    assert!(report.lost.is_empty(), "{:?}", report.lost);
    // A value that does not come back is reported.
    let mut output = Kind::Task.round_trip(&input).unwrap();
    output["Spec"]["ContainerSpec"]["NotAField"] = Value::from("changed");
    assert_eq!(
        fidelity::lost_leaves(&input, &output),
        vec!["/Spec/ContainerSpec/NotAField".to_owned()]
    );
}

#[test]
fn every_engine_fixture_parses() {
    let engine = fixtures_root().join("engine");
    let mut counts = [0usize; 3];
    for path in fixture_files()
        .iter()
        .filter(|path| path.starts_with(&engine))
    {
        let bytes = fs::read(path).unwrap();
        let parsed = match Kind::of(path) {
            Kind::Task => serde_json::from_slice::<Task>(&bytes).map(|task| {
                assert!(!task.id.is_empty(), "{}", path.display());
                assert!(task.state().is_some(), "{}", path.display());
                counts[0] += 1;
            }),
            Kind::Service => serde_json::from_slice::<Service>(&bytes).map(|service| {
                assert!(service.name().is_some(), "{}", path.display());
                counts[1] += 1;
            }),
            Kind::Node => serde_json::from_slice::<Node>(&bytes).map(|node| {
                assert!(node.hostname().is_some(), "{}", path.display());
                counts[2] += 1;
            }),
        };
        parsed.unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    }
    assert!(
        counts.iter().all(|n| *n > 0),
        "tasks, services, nodes recorded: {counts:?}"
    );
}

#[test]
fn engine_fixtures_show_the_recorded_states() {
    let tasks: Vec<Task> = fixture_files()
        .iter()
        .filter(|path| path.starts_with(fixtures_root().join("engine/tasks")))
        .map(|path| serde_json::from_slice(&fs::read(path).unwrap()).unwrap())
        .collect();
    let mut states: Vec<&str> = tasks
        .iter()
        .filter_map(|task| task.state())
        .map(|s| s.as_str())
        .collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(
        states,
        [
            "complete", "failed", "pending", "rejected", "running", "shutdown"
        ]
    );
    let attachment = tasks
        .iter()
        .find(|task| task.spec.network_attachment_spec.is_some());
    assert!(attachment.is_some(), "no network-attachment task recorded");
}
