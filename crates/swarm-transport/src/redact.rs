//! [`Snapshot::redact`]: a snapshot that can be shared in a bug report.
//!
//! A snapshot records what the daemon sent, and that includes every `Env` value of every
//! task and service spec (passwords and tokens, often). Redacting replaces each value with
//! [`REDACTED`] and keeps each name (`DB_PASSWORD=<redacted>`), in container and plugin specs
//! alike, and replaces any `Data` of a secret or config object the same way. Names, IDs,
//! states and errors stay, so the snapshot still replays to the same tables.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::snapshot::Snapshot;

/// What a redacted value reads.
pub const REDACTED: &str = "<redacted>";

impl Snapshot {
    /// Replaces every environment value (and any secret or config `Data`) with
    /// [`REDACTED`], keeping the names, and drops the recorded log lines (they can hold
    /// anything); returns how many values were replaced.
    pub fn redact(&mut self) -> Result<usize> {
        self.logs.clear();
        let mut count = 0;
        redact_all(&mut self.tasks, &mut count)?;
        redact_all(&mut self.services, &mut count)?;
        redact_all(&mut self.nodes, &mut count)?;
        Ok(count)
    }
}

fn redact_all<T: Serialize + DeserializeOwned>(items: &mut [T], count: &mut usize) -> Result<()> {
    for item in items.iter_mut() {
        let mut value = serde_json::to_value(&*item).map_err(|error| decode("encode", &error))?;
        let before = *count;
        redact_value(&mut value, count);
        if *count != before {
            *item = serde_json::from_value(value).map_err(|error| decode("decode", &error))?;
        }
    }
    Ok(())
}

fn decode(what: &str, error: &serde_json::Error) -> Error {
    Error::Config {
        message: format!("cannot {what} an object while redacting the snapshot: {error}"),
    }
}

/// Walks `value`: `Env`/`env` arrays of `NAME=VALUE` keep the name, `Data` strings go.
fn redact_value(value: &mut Value, count: &mut usize) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("Env" | "env", Value::Array(items)) => {
                        for item in items.iter_mut() {
                            if let Value::String(entry) = item {
                                let name = entry.split('=').next().unwrap_or_default();
                                *entry = format!("{name}={REDACTED}");
                                *count += 1;
                            }
                        }
                    }
                    ("Data", Value::String(data)) => {
                        *data = REDACTED.to_owned();
                        *count += 1;
                    }
                    (_, child) => redact_value(child, count),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_value(item, count);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_values_go_and_names_stay() {
        let mut value = json!({
            "Spec": {"ContainerSpec": {"Image": "db", "Env": ["DB_PASSWORD=hunter2", "EMPTY=", "FLAG"]},
                     "PluginSpec": {"env": ["TOKEN=abc"]}},
            "Secret": {"Data": "c2VjcmV0"},
            "Status": {"Err": "kept"}
        });
        let mut count = 0;
        redact_value(&mut value, &mut count);
        assert_eq!(count, 5);
        assert_eq!(
            value["Spec"]["ContainerSpec"]["Env"],
            json!([
                "DB_PASSWORD=<redacted>",
                "EMPTY=<redacted>",
                "FLAG=<redacted>"
            ])
        );
        assert_eq!(
            value["Spec"]["PluginSpec"]["env"],
            json!(["TOKEN=<redacted>"])
        );
        assert_eq!(value["Secret"]["Data"], "<redacted>");
        assert_eq!(value["Status"]["Err"], "kept");
        assert_eq!(value["Spec"]["ContainerSpec"]["Image"], "db");
    }
}
