//! The fidelity check: which values of a daemon's JSON did a parse-and-serialize round lose,
//! and which keys did the models not know (feature `fidelity`; test support, pure functions
//! over JSON values).
//!
//! swarm-models promises that parsing what the daemon sends and serializing it back keeps
//! every non-null value, including keys this version does not know. [`check`] parses one
//! object as a model, writes it back and reports both; [`lost_leaves`] compares any pair of
//! JSON documents. The fixture tests here, the fake engine's users and the end-to-end suite
//! (on live engine output) share this one definition of "lossless":
//!
//! - every leaf of the input (a string, number or boolean; `null`, `{}` and `[]` carry no
//!   value) must appear at the same path in the output;
//! - numbers compare by value (`0` equals `0.0`);
//! - strings that are both RFC 3339 timestamps compare as instants, to the nanosecond
//!   (`...31.100Z` equals `...31.1Z`, an offset equals the same instant in UTC);
//! - the swagger's key `AssignedGenericResources` is looked up as `GenericResources`, the name
//!   the models write.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Model, Timestamp};

/// Input keys that the models write under another name: `(input key, output key)`.
pub const RENAMED_KEYS: &[(&str, &str)] = &[("AssignedGenericResources", "GenericResources")];

/// The paths (like `/Spec/ContainerSpec/Env/0`) of every input leaf missing or changed in
/// `output`. Empty means nothing was lost.
///
/// ```
/// use serde_json::json;
/// use swarm_models::fidelity::lost_leaves;
///
/// let input = json!({"ID": "t1", "Status": {"Timestamp": "2024-01-01T00:00:00.500Z", "Extra": 1}});
/// let output = json!({"ID": "t1", "Status": {"Timestamp": "2024-01-01T00:00:00.5Z"}});
/// assert_eq!(lost_leaves(&input, &output), vec!["/Status/Extra".to_owned()]);
/// ```
pub fn lost_leaves(input: &Value, output: &Value) -> Vec<String> {
    let mut lost = Vec::new();
    walk(input, Some(output), &mut String::new(), &mut lost);
    lost
}

/// What one parse-and-serialize round of an object did with its JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fidelity {
    /// How many leaves (strings, numbers, booleans) the input had.
    pub leaves: usize,
    /// The paths of the keys the model did not know (kept as sent, not lost).
    pub unknown_keys: Vec<String>,
    /// The paths of the input leaves missing or changed in the output: empty when lossless.
    pub lost: Vec<String>,
}

/// Parses `input` as a `T`, serializes it back and compares.
///
/// ```
/// use serde_json::json;
/// use swarm_models::{Task, fidelity};
///
/// let input = json!({"ID": "t1", "Spec": {"ContainerSpec": {"Image": "x", "Future": 1}}});
/// let report = fidelity::check::<Task>(&input).unwrap();
/// assert_eq!(report.unknown_keys, ["/Spec/ContainerSpec/Future"]);
/// assert!(report.lost.is_empty());
/// assert_eq!(report.leaves, 3);
/// ```
pub fn check<T: Model + Serialize + DeserializeOwned>(
    input: &Value,
) -> Result<Fidelity, serde_json::Error> {
    let parsed: T = serde_json::from_value(input.clone())?;
    let output = serde_json::to_value(&parsed)?;
    Ok(Fidelity {
        leaves: count_leaves(input),
        unknown_keys: parsed.unknown_key_paths(),
        lost: lost_leaves(input, &output),
    })
}

/// The number of leaves [`lost_leaves`] checks in `input`.
pub fn count_leaves(input: &Value) -> usize {
    match input {
        Value::Null => 0,
        Value::Bool(_) | Value::Number(_) | Value::String(_) => 1,
        Value::Array(items) => items.iter().map(count_leaves).sum(),
        Value::Object(map) => map.values().map(count_leaves).sum(),
    }
}

fn walk(input: &Value, output: Option<&Value>, path: &mut String, lost: &mut Vec<String>) {
    match input {
        Value::Null => {}
        Value::Array(items) => {
            let out_items = output.and_then(Value::as_array);
            for (idx, item) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&idx.to_string());
                walk(item, out_items.and_then(|out| out.get(idx)), path, lost);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            let out_map = output.and_then(Value::as_object);
            for (key, value) in map {
                let out_key = RENAMED_KEYS
                    .iter()
                    .find(|(from, _)| from == key)
                    .map_or(key.as_str(), |(_, to)| to);
                let len = path.len();
                path.push('/');
                path.push_str(key);
                // A model that does not know the key keeps it under its own name.
                let out = out_map.and_then(|out| out.get(out_key).or_else(|| out.get(key)));
                walk(value, out, path, lost);
                path.truncate(len);
            }
        }
        leaf => {
            if !output.is_some_and(|out| same_leaf(leaf, out)) {
                lost.push(path.clone());
            }
        }
    }
}

fn same_leaf(input: &Value, output: &Value) -> bool {
    match (input, output) {
        (Value::Number(a), Value::Number(b)) => {
            a == b || (a.as_f64().is_some() && a.as_f64() == b.as_f64())
        }
        (Value::String(a), Value::String(b)) => a == b || same_instant(a, b),
        (a, b) => a == b,
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (a.parse::<Timestamp>(), b.parse::<Timestamp>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identical_documents_lose_nothing() {
        let doc = json!({"a": [1, "x", true, {"b": null}], "c": {}});
        assert!(lost_leaves(&doc, &doc).is_empty());
        assert_eq!(count_leaves(&doc), 3);
    }

    #[test]
    fn missing_and_changed_leaves_are_reported() {
        let input = json!({"a": {"b": 1, "c": "x"}, "d": [true, false]});
        let output = json!({"a": {"b": 2}, "d": [true]});
        assert_eq!(lost_leaves(&input, &output), vec!["/a/b", "/a/c", "/d/1"]);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(lost_leaves(&json!({"r": 0}), &json!({"r": 0.0})).is_empty());
        assert_eq!(
            lost_leaves(&json!({"r": 1}), &json!({"r": 0.5})),
            vec!["/r"]
        );
    }

    #[test]
    fn timestamps_compare_as_instants_to_the_nanosecond() {
        let input = json!({"t": "2024-01-01T02:00:00.123456789+02:00"});
        assert!(lost_leaves(&input, &json!({"t": "2024-01-01T00:00:00.123456789Z"})).is_empty());
        assert_eq!(
            lost_leaves(&input, &json!({"t": "2024-01-01T00:00:00.123456Z"})),
            vec!["/t"]
        );
    }

    #[test]
    fn assigned_generic_resources_maps_to_generic_resources() {
        let input = json!({"AssignedGenericResources": [{"DiscreteResourceSpec": {"Value": 2}}]});
        let output = json!({"GenericResources": [{"DiscreteResourceSpec": {"Value": 2}}]});
        assert!(lost_leaves(&input, &output).is_empty());
    }

    #[test]
    fn a_renamed_key_kept_under_its_own_name_is_not_lost() {
        // Found by the task_list fuzz target: a node (whose model does not know the key)
        // keeps `AssignedGenericResources` as an unknown key, under that name.
        let input = json!({"AssignedGenericResources": [{"NamedResourceSpec": {"Kind": "gpu"}}]});
        assert!(lost_leaves(&input, &input).is_empty());
        assert_eq!(
            lost_leaves(&input, &json!({})),
            vec!["/AssignedGenericResources/0/NamedResourceSpec/Kind"]
        );
    }

    #[test]
    fn type_changes_are_losses() {
        assert_eq!(
            lost_leaves(&json!({"p": "1"}), &json!({"p": 1})),
            vec!["/p"]
        );
        assert_eq!(lost_leaves(&json!({"p": false}), &json!({})), vec!["/p"]);
    }
}
