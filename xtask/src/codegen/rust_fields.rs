//! Reads the Rust name and type of every field of the swarm-models types from their sources,
//! so the generated field table can show `Task.spec.container_spec` beside
//! `Spec.ContainerSpec` without a hand-kept mapping.
//!
//! The JSON Schema knows JSON names and type names but not Rust field names, so the sources
//! are parsed with `syn`: every `model! { pub struct Name { "JsonKey" => pub field: Type, ... } }`
//! invocation at the top level of a file is one struct. `task_fields` cross-checks every
//! schema property against what is found here and fails on any mismatch, so a model written
//! some other way makes codegen fail instead of writing a wrong table.

use std::collections::BTreeMap;

use anyhow::Context;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Type, Visibility, braced};

/// One named field of a struct, as the models write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustField {
    /// The Rust field name (`container_spec`, `r#type`).
    pub rust_name: String,
    /// The JSON key the models write (`ContainerSpec`).
    pub json_name: String,
    /// The field type as written in the source, without spaces (`Option<ContainerSpec>`).
    pub rust_type: String,
}

/// The fields of every model struct found, by struct name, in declaration order. A name found
/// in more than one place maps to every candidate; users must reject ambiguity.
pub type StructIndex = BTreeMap<String, Vec<Vec<RustField>>>;

/// Parses each `(file name, source text)` pair and indexes the `model!` structs.
pub fn scan<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> anyhow::Result<StructIndex> {
    let mut index = StructIndex::new();
    for (file, text) in sources {
        let parsed = syn::parse_file(text).with_context(|| format!("parsing {file}"))?;
        for item in parsed.items {
            let syn::Item::Macro(item) = item else {
                continue;
            };
            if !item.mac.path.is_ident("model") {
                continue;
            }
            let model: ModelStruct = item
                .mac
                .parse_body()
                .with_context(|| format!("reading a model! invocation in {file}"))?;
            index.entry(model.name).or_default().push(model.fields);
        }
    }
    Ok(index)
}

/// The body of one `model!` invocation.
struct ModelStruct {
    name: String,
    fields: Vec<RustField>,
}

impl Parse for ModelStruct {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Attribute::parse_outer(input)?;
        input.parse::<Visibility>()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let mut fields = Vec::new();
        while !body.is_empty() {
            Attribute::parse_outer(&body)?;
            let json_name: LitStr = body.parse()?;
            // Further names are only read, never written: the table shows the written one.
            while body.peek(Token![|]) {
                body.parse::<Token![|]>()?;
                body.parse::<LitStr>()?;
            }
            body.parse::<Token![=>]>()?;
            body.parse::<Visibility>()?;
            let rust_name: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            let rust_type: Type = body.parse()?;
            body.parse::<Token![,]>()?;
            fields.push(RustField {
                rust_name: rust_name.to_string(),
                json_name: json_name.value(),
                rust_type: compact(&rust_type.to_token_stream().to_string()),
            });
        }
        Ok(Self {
            name: name.to_string(),
            fields,
        })
    }
}

/// `Option < Vec < String > >` (how tokens print) -> `Option<Vec<String>>`, with `, ` kept
/// between generic arguments as rustfmt writes them.
fn compact(tokens: &str) -> String {
    tokens.replace(' ', "").replace(',', ", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
use crate::model::model;

model! {
    /// Doc.
    #[derive(Eq, Hash)]
    pub struct Outer {
        /// The ID.
        "ID" => pub id: String,
        /// Read under two names, written under the first.
        "NetworksAttachments" | "Networks" => pub networks: Vec<String>,
        "ContainerSpec" => pub container_spec: Option<Inner>,
        /// A raw identifier.
        "Type" => pub r#type: Option<String>,
        "Labels" => pub labels: BTreeMap<String, String>,
    }
}

model! {
    pub struct Empty {}
}

pub struct NotAModel {
    pub field: u8,
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
    fn reads_model_fields_in_declaration_order() {
        let index = scan([("a.rs", SOURCE)]).unwrap();
        let expected = [
            ("id", "ID", "String"),
            ("networks", "NetworksAttachments", "Vec<String>"),
            ("container_spec", "ContainerSpec", "Option<Inner>"),
            ("r#type", "Type", "Option<String>"),
            ("labels", "Labels", "BTreeMap<String, String>"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(fields(&index, "Outer"), expected);
        assert_eq!(index["Empty"], [Vec::new()]);
        assert!(!index.contains_key("NotAModel"));
    }

    #[test]
    fn a_malformed_model_is_an_error_naming_the_file() {
        let source = "model! {\n    pub struct A {\n        pub a: u8,\n    }\n}\n";
        let error = scan([("a.rs", source)]).unwrap_err();
        assert!(format!("{error:#}").contains("a.rs"), "{error:#}");
    }

    #[test]
    fn a_file_that_does_not_parse_is_an_error() {
        let error = scan([("b.rs", "pub struct A {\n")]).unwrap_err();
        assert!(format!("{error:#}").contains("parsing b.rs"), "{error:#}");
    }
}
