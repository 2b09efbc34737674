//! Reads the Rust name and type of every serialized struct field from the swarm-models
//! sources, so the generated field table can show `Task.spec.container_spec` beside
//! `Spec.ContainerSpec` without a hand-kept mapping.
//!
//! The JSON Schema knows JSON names and type names but not Rust field names, so this is a
//! small line scanner for rustfmt-formatted `pub struct` items: it applies `rename_all` and
//! `rename` the way serde does. It does not need to understand all of Rust: `task_fields`
//! cross-checks every schema property against what is found here and fails on any mismatch,
//! so a scanner that misreads a struct makes codegen fail instead of writing a wrong table.

use std::collections::BTreeMap;

use anyhow::{Context, bail};

/// One named field of a struct, as serde writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustField {
    /// The Rust field name (`container_spec`, `r#type`).
    pub rust_name: String,
    /// The JSON key serde uses (`ContainerSpec`).
    pub json_name: String,
    /// The field type as written in the source (`Option<ContainerSpec>`).
    pub rust_type: String,
}

/// The fields of every `struct` found, by struct name, in declaration order. A name found in
/// more than one place maps to every candidate; users must reject ambiguity.
pub type StructIndex = BTreeMap<String, Vec<Vec<RustField>>>;

/// Scans each `(file name, source text)` pair and indexes the structs with named fields.
pub fn scan<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> anyhow::Result<StructIndex> {
    let mut index = StructIndex::new();
    for (file, text) in sources {
        for (name, fields) in scan_file(text).with_context(|| format!("scanning {file}"))? {
            index.entry(name).or_default().push(fields);
        }
    }
    Ok(index)
}

fn scan_file(text: &str) -> anyhow::Result<Vec<(String, Vec<RustField>)>> {
    let mut structs = Vec::new();
    let mut attributes = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((line_idx, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("#[") {
            attributes.push_str(&read_attribute(trimmed, &mut lines));
            continue;
        }
        if trimmed.starts_with("//") || trimmed.is_empty() {
            continue;
        }
        // Only items at the top level of a file: structs in test modules are indented.
        let struct_name = struct_header(line.trim_end());
        let struct_attributes = std::mem::take(&mut attributes);
        let Some(struct_name) = struct_name else {
            continue;
        };
        if line.trim_end().ends_with("{}") {
            structs.push((struct_name, Vec::new()));
            continue;
        }
        let rename_all = serde_value(&struct_attributes, "rename_all");
        let fields = read_fields(&mut lines, rename_all.as_deref())
            .with_context(|| format!("struct {struct_name} at line {}", line_idx + 1))?;
        structs.push((struct_name, fields));
    }
    Ok(structs)
}

/// `pub struct Name {` -> `Name`; tuple and unit structs are not indexed.
fn struct_header(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("pub struct ")
        .or_else(|| line.strip_prefix("pub(crate) struct "))
        .or_else(|| line.strip_prefix("struct "))?;
    if !line.ends_with('{') && !line.ends_with("{}") {
        return None;
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Reads one attribute that may span several lines, returning its text on one line.
fn read_attribute<'a>(first: &str, lines: &mut impl Iterator<Item = (usize, &'a str)>) -> String {
    let mut text = first.to_owned();
    while bracket_depth(&text) > 0 {
        match lines.next() {
            Some((_, line)) => {
                text.push(' ');
                text.push_str(line.trim());
            }
            None => break,
        }
    }
    text.push('\n');
    text
}

fn bracket_depth(text: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    let mut previous = ' ';
    for c in text.chars() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '[' | '(' if !in_string => depth += 1,
            ']' | ')' if !in_string => depth -= 1,
            _ => {}
        }
        previous = c;
    }
    depth
}

fn read_fields<'a>(
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    rename_all: Option<&str>,
) -> anyhow::Result<Vec<RustField>> {
    let mut fields = Vec::new();
    let mut attributes = String::new();
    while let Some((_, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "}" {
            return Ok(fields);
        }
        if trimmed.starts_with("#[") {
            attributes.push_str(&read_attribute(trimmed, lines));
            continue;
        }
        if trimmed.starts_with("//") || trimmed.is_empty() {
            continue;
        }
        let mut declaration = trimmed.to_owned();
        while !declaration.ends_with(',') {
            match lines.next() {
                Some((_, next)) if next.trim() != "}" => declaration.push_str(next.trim()),
                _ => bail!("field declaration `{declaration}` does not end with a comma"),
            }
        }
        let field_attributes = std::mem::take(&mut attributes);
        let declaration = declaration.trim_end_matches(',');
        let declaration = declaration
            .strip_prefix("pub ")
            .or_else(|| declaration.strip_prefix("pub(crate) "))
            .unwrap_or(declaration);
        let Some((rust_name, rust_type)) = declaration.split_once(':') else {
            bail!("cannot read field declaration `{declaration}`");
        };
        let rust_name = rust_name.trim().to_owned();
        if is_skipped(&field_attributes) {
            continue;
        }
        let json_name = match serde_value(&field_attributes, "rename") {
            Some(renamed) => renamed,
            None => apply_rename_all(rust_name.trim_start_matches("r#"), rename_all)?,
        };
        fields.push(RustField {
            rust_name,
            json_name,
            rust_type: rust_type.trim().to_owned(),
        });
    }
    bail!("struct body does not end")
}

/// The string value of `key = "..."` inside the `#[serde(...)]` attributes, matching the key
/// exactly (`rename` does not match `rename_all`).
fn serde_value(attributes: &str, key: &str) -> Option<String> {
    for attribute in attributes.lines().filter(|a| a.starts_with("#[serde(")) {
        let mut rest = attribute;
        while let Some(found) = rest.find(key) {
            let before = rest[..found].chars().next_back();
            let after = rest[found + key.len()..].trim_start();
            rest = &rest[found + key.len()..];
            let starts_token = matches!(before, Some('(' | ',' | ' '));
            if let (true, Some(value)) = (starts_token, after.strip_prefix('=')) {
                let value = value.trim_start().strip_prefix('"')?;
                return value.split_once('"').map(|(value, _)| value.to_owned());
            }
        }
    }
    None
}

fn is_skipped(attributes: &str) -> bool {
    attributes
        .lines()
        .filter(|a| a.starts_with("#[serde("))
        .flat_map(|a| a.trim_start_matches("#[serde(").split([',', ')']))
        // A flattened field has no key of its own: its contents appear in the parent (a
        // flattened map as `additionalProperties`, which the table does not list).
        .any(|token| matches!(token.trim(), "skip" | "skip_serializing" | "flatten"))
}

fn apply_rename_all(field: &str, rule: Option<&str>) -> anyhow::Result<String> {
    Ok(match rule {
        None | Some("snake_case" | "lowercase") => field.to_owned(),
        Some("PascalCase") => field.split('_').map(capitalize).collect(),
        Some("camelCase") => {
            let pascal: String = field.split('_').map(capitalize).collect();
            let mut chars = pascal.chars();
            chars
                .next()
                .map(|first| first.to_lowercase().chain(chars).collect())
                .unwrap_or_default()
        }
        Some(other) => bail!("rename_all = {other:?} is not supported by the field scanner"),
    })
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
/// Doc.
#[derive(Debug, Serialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Outer {
    /// The ID.
    #[serde(rename = "ID", default)]
    pub id: String,
    /// Renamed over several lines.
    #[serde(
        rename = "NetworksAttachments",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub networks: Vec<String>,
    /// From rename_all.
    pub container_spec: Option<Inner>,
    /// A raw identifier.
    pub r#type: Option<String>,
    #[serde(skip)]
    pub cache: u8,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub struct NanoDuration(pub i64);

pub struct Empty {}

#[serde(rename_all = "lowercase")]
pub struct Lower {
    pub max_replicas: u64,
}
"#;

    fn fields(index: &StructIndex, name: &str) -> Vec<(String, String, String)> {
        index[name][0]
            .iter()
            .map(|f| {
                (
                    f.rust_name.clone(),
                    f.json_name.clone(),
                    f.rust_type.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn applies_serde_renames_in_declaration_order() {
        let index = scan([("a.rs", SOURCE)]).unwrap();
        let outer = fields(&index, "Outer");
        let expected = [
            ("id", "ID", "String"),
            ("networks", "NetworksAttachments", "Vec<String>"),
            ("container_spec", "ContainerSpec", "Option<Inner>"),
            ("r#type", "Type", "Option<String>"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(outer, expected);
        assert_eq!(fields(&index, "Lower")[0].1, "max_replicas");
        assert!(!index.contains_key("NanoDuration"));
        assert_eq!(index["Empty"], [Vec::new()]);
    }

    #[test]
    fn rename_does_not_match_rename_all() {
        let attributes = "#[serde(default, rename_all = \"PascalCase\")]\n";
        assert_eq!(serde_value(attributes, "rename"), None);
        assert_eq!(
            serde_value(attributes, "rename_all").as_deref(),
            Some("PascalCase")
        );
    }

    #[test]
    fn unsupported_rename_rule_is_an_error() {
        let source = "#[serde(rename_all = \"kebab-case\")]\npub struct A {\n    pub a_b: u8,\n}\n";
        let error = scan([("a.rs", source)]).unwrap_err();
        assert!(format!("{error:#}").contains("kebab-case"), "{error:#}");
    }

    #[test]
    fn unterminated_struct_is_an_error() {
        let error = scan([("a.rs", "pub struct A {\n    pub a: u8,\n")]).unwrap_err();
        assert!(format!("{error:#}").contains("does not end"), "{error:#}");
    }
}
