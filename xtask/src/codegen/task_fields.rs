//! Builds `docs/reference/task-fields.md`: every JSON path of a `Task`, its Rust path and
//! type, and the Engine API version that introduced it, by walking the generated JSON Schema.
//!
//! The schema gives the JSON structure (properties, `$ref`s into `$defs`, arrays, maps) and
//! each field's doc comment; `rust_fields` gives the Rust name and type of each property.
//! Every property must have exactly one Rust field and the other way round, so neither side
//! can drift without codegen failing.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use super::rust_fields::{RustField, StructIndex};

/// The Engine API version that introduced a field, for the fields where the Engine API
/// version history says so; every other field is older than anything we support or unknown,
/// and shows a blank. Keyed by the generated JSON path, and checked against it: a key that
/// names no field fails codegen.
///
/// Sources: the "API version history" of the Docker Engine API documentation, the
/// per-version swagger files, and the version gates docker's clients apply. Where those
/// disagree (for example `ContainerSpec.Init`: 1.37 in the CLI docs, 1.38 in the swagger) the
/// field is left out rather than guessed.
pub const INTRODUCED_IN: &[(&str, &str)] = &[
    ("JobIteration", "1.41"),
    ("Spec.ContainerSpec.CapabilityAdd", "1.41"),
    ("Spec.ContainerSpec.CapabilityDrop", "1.41"),
    ("Spec.ContainerSpec.Healthcheck.StartInterval", "1.44"),
    ("Spec.ContainerSpec.Healthcheck.StartPeriod", "1.29"),
    ("Spec.ContainerSpec.Isolation", "1.35"),
    (
        "Spec.ContainerSpec.Mounts[].BindOptions.CreateMountpoint",
        "1.42",
    ),
    ("Spec.ContainerSpec.Mounts[].VolumeOptions.Subpath", "1.45"),
    ("Spec.ContainerSpec.OomScoreAdj", "1.46"),
    ("Spec.ContainerSpec.Sysctls", "1.40"),
    ("Spec.ContainerSpec.Ulimits", "1.41"),
    ("Spec.Placement.MaxReplicas", "1.40"),
    ("Spec.Resources.Limits.Pids", "1.41"),
    ("Spec.Resources.Reservations.GenericResources", "1.32"),
    ("Volumes", "1.42"),
];

/// One line of the field table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `Spec.ContainerSpec.Healthcheck.Interval`; `[]` marks array items, `<key>` map values.
    pub json_path: String,
    /// `Task.spec.container_spec.healthcheck.interval`.
    pub rust_path: String,
    /// `Option<NanoDuration>`, as written in the model source.
    pub rust_type: String,
    /// `integer (NanoDuration)`, from the schema.
    pub json_type: String,
    /// The Engine API version that introduced the field, when known.
    pub introduced_in: Option<&'static str>,
    /// The first paragraph of the field's doc comment.
    pub description: String,
}

/// Walks the root schema of `Task` and returns one row per field, depth first, each struct's
/// fields in declaration order.
pub fn rows(schema: &Value, index: &StructIndex) -> anyhow::Result<Vec<Row>> {
    let root_name = schema
        .get("title")
        .and_then(Value::as_str)
        .context("the root schema has no title")?;
    let empty = Map::new();
    let walker = Walker {
        defs: schema
            .get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
        index,
    };
    let mut rows = Vec::new();
    let mut stack = vec![root_name.to_owned()];
    walker.walk_struct(root_name, schema, "", root_name, &mut stack, &mut rows)?;
    let known: BTreeSet<&str> = rows.iter().map(|row| row.json_path.as_str()).collect();
    for (path, _) in INTRODUCED_IN {
        if !known.contains(path) {
            bail!("INTRODUCED_IN names `{path}`, which is not a field of {root_name}");
        }
    }
    Ok(rows)
}

/// The whole markdown page, header included.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(super::MARKDOWN_HEADER);
    out.push_str(
        "\n# Task fields\n\n\
         Every field of a task, as `--format json` and `--format ndjson` print it: \
         the Engine API's own JSON names (`json` prints an array of these objects, `ndjson` one per line).\n\
         The machine-readable form is [task.schema.json](task.schema.json).\n\n\
         - **JSON path**: `[]` is an array item, `<key>` a map value.\n\
         - **Rust path** and **Rust type**: the same field in `swarm_models::Task` (an `Option` is `None`, and a collection empty, when the daemon did not send the field).\n\
         - **API**: the Engine API version that introduced the field, where the API version history says so (blank: older, or not recorded).\n\n\
         This page is generated from the models: the JSON structure and descriptions come from their JSON Schema (schemars), \
         the Rust names and types from the `model!` declarations in `crates/swarm-models/src` (read with `syn`), \
         and the API column from a small table in `xtask/src/codegen/task_fields.rs`.\n\n\
         | JSON path | Rust path | Rust type | JSON type | API | Description |\n\
         |---|---|---|---|---|---|\n",
    );
    for row in rows {
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} | {} | {} |\n",
            row.json_path,
            row.rust_path,
            row.rust_type,
            escape(&row.json_type),
            row.introduced_in.unwrap_or(""),
            escape(&row.description),
        ));
    }
    out
}

struct Walker<'a> {
    defs: &'a Map<String, Value>,
    index: &'a StructIndex,
}

/// What a property holds, once `Option` (`anyOf [X, null]`) is peeled off.
enum Shape {
    /// A struct with named fields, by `$defs` name.
    Struct(String),
    Array(Box<Shape>),
    Map(Box<Shape>),
    Leaf,
}

impl Walker<'_> {
    fn walk_struct(
        &self,
        name: &str,
        schema: &Value,
        json_prefix: &str,
        rust_prefix: &str,
        stack: &mut Vec<String>,
        rows: &mut Vec<Row>,
    ) -> anyhow::Result<()> {
        let fields = self.fields(name)?;
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for property in properties.keys() {
            if !fields.iter().any(|field| &field.json_name == property) {
                bail!(
                    "schema property `{property}` of `{name}` has no field in crates/swarm-models/src"
                );
            }
        }
        for field in fields {
            let Some(property) = properties.get(&field.json_name) else {
                bail!(
                    "field `{name}.{}` (JSON `{}`) is missing from the schema",
                    field.rust_name,
                    field.json_name
                );
            };
            let json_path = if json_prefix.is_empty() {
                field.json_name.clone()
            } else {
                format!("{json_prefix}.{}", field.json_name)
            };
            let rust_path = format!("{rust_prefix}.{}", field.rust_name);
            rows.push(Row {
                introduced_in: INTRODUCED_IN
                    .iter()
                    .find(|(path, _)| *path == json_path)
                    .map(|(_, version)| *version),
                json_type: self.json_type(property),
                rust_type: field.rust_type.clone(),
                description: first_paragraph(property),
                json_path: json_path.clone(),
                rust_path: rust_path.clone(),
            });
            self.descend(&self.shape(property), json_path, rust_path, stack, rows)?;
        }
        Ok(())
    }

    fn descend(
        &self,
        shape: &Shape,
        json_path: String,
        rust_path: String,
        stack: &mut Vec<String>,
        rows: &mut Vec<Row>,
    ) -> anyhow::Result<()> {
        match shape {
            Shape::Struct(name) if !stack.contains(name) => {
                let schema = self
                    .defs
                    .get(name)
                    .with_context(|| format!("$defs has no `{name}`"))?;
                stack.push(name.clone());
                self.walk_struct(name, schema, &json_path, &rust_path, stack, rows)?;
                stack.pop();
            }
            Shape::Array(item) => {
                self.descend(
                    item,
                    format!("{json_path}[]"),
                    format!("{rust_path}[]"),
                    stack,
                    rows,
                )?;
            }
            Shape::Map(value) => self.descend(
                value,
                format!("{json_path}.<key>"),
                format!("{rust_path}[<key>]"),
                stack,
                rows,
            )?,
            // A recursive type or a leaf: nothing below it to list.
            Shape::Struct(_) | Shape::Leaf => {}
        }
        Ok(())
    }

    fn fields(&self, name: &str) -> anyhow::Result<&[RustField]> {
        match self.index.get(name).map(Vec::as_slice) {
            Some([fields]) => Ok(fields),
            Some(_) => {
                bail!("struct `{name}` is defined more than once in crates/swarm-models/src")
            }
            None => bail!("struct `{name}` of the schema is not in crates/swarm-models/src"),
        }
    }

    fn shape(&self, schema: &Value) -> Shape {
        let schema = non_null(schema);
        if let Some(name) = ref_name(schema) {
            return match self.defs.get(name) {
                Some(def) if is_struct(def) => Shape::Struct(name.to_owned()),
                Some(def) => self.shape(def),
                None => Shape::Leaf,
            };
        }
        match main_type(schema) {
            Some("array") => match schema.get("items") {
                Some(items) => Shape::Array(Box::new(self.shape(items))),
                None => Shape::Leaf,
            },
            Some("object") => match schema.get("additionalProperties") {
                Some(values) if values.is_object() => Shape::Map(Box::new(self.shape(values))),
                _ => Shape::Leaf,
            },
            _ => Shape::Leaf,
        }
    }

    fn json_type(&self, schema: &Value) -> String {
        let schema = non_null(schema);
        if let Some(name) = ref_name(schema) {
            let inner = self
                .defs
                .get(name)
                .map(|def| main_type(def).unwrap_or("any"));
            return format!("{} ({name})", inner.unwrap_or("any"));
        }
        match main_type(schema) {
            Some("array") => match schema.get("items") {
                Some(items) => format!("array of {}", self.json_type(items)),
                None => "array".to_owned(),
            },
            Some("object") => match schema.get("additionalProperties") {
                Some(values) if values.is_object() => format!("map of {}", self.json_type(values)),
                _ => "object".to_owned(),
            },
            Some(other) => match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other} ({format})"),
                None => other.to_owned(),
            },
            None => "any".to_owned(),
        }
    }
}

/// `anyOf: [X, {"type": "null"}]` is how schemars writes `Option<X>` for a `$ref`.
fn non_null(schema: &Value) -> &Value {
    if let Some([first, second]) = schema
        .get("anyOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        if main_type(second) == Some("null") {
            return first;
        }
        if main_type(first) == Some("null") {
            return second;
        }
    }
    schema
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// The schema's `type`, ignoring `"null"` in a type list.
fn main_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(kind) => Some(kind),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null"),
        _ => None,
    }
}

fn is_struct(def: &Value) -> bool {
    def.get("properties").is_some()
        || (main_type(def) == Some("object") && def.get("additionalProperties").is_none())
}

fn first_paragraph(schema: &Value) -> String {
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let paragraph = description.split("\n\n").next().unwrap_or("");
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
