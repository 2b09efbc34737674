//! What `--format` asks for: one type for every command, parsed once.
//!
//! | value | prints |
//! |---|---|
//! | `table` | docker's aligned table (the default of `ls`, `service ps`, `node ps`) |
//! | `json` | one compact JSON object per line of what the command shows: docker's row objects for `ls`/`ps`, full task objects for `inspect` |
//! | `ndjson` | `json`, under its old name (a note on stderr says so; removed in the next release) |
//! | `inspect` | the full task objects as the daemon sent them, one JSON array indented like `docker inspect` (the default of `inspect`) |
//! | anything else | a Go template with docker's placeholders and functions, see [`crate::template`]; `table TEMPLATE` adds docker's headers and aligns the `\t` columns |
//!
//! Commands added later (`watch`, `logs`, ...) take the same [`Format`]: `json` always means
//! one object per line of what the command prints.

pub use crate::template::{Template, TemplateError};

/// The `--format` values that are names, not templates (for help and completions).
pub const NAMES: [&str; 4] = ["table", "json", "ndjson", "inspect"];

/// The note printed on stderr when `--format ndjson` is used.
pub const NDJSON_NOTE: &str = "note: --format ndjson is now called --format json (one object per line); ndjson will be removed in the next release";

/// A parsed `--format` value.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    /// docker's aligned table.
    Table,
    /// One compact JSON object per line of what the command shows.
    Json,
    /// The full objects as the daemon sent them: one JSON array indented by 4, like
    /// `docker inspect`.
    Inspect,
    /// A Go template, run once per object (or per row).
    Template(Template),
}

/// A parsed `--format` value, and whether it was the `ndjson` alias (to print
/// [`NDJSON_NOTE`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFormat {
    /// The format.
    pub format: Format,
    /// `ndjson` was given.
    pub used_alias: bool,
}

impl Format {
    /// Parses a `--format` value: a name from [`NAMES`], else a Go template.
    pub fn parse(text: &str) -> Result<ParsedFormat, TemplateError> {
        let (format, used_alias) = match text.trim() {
            "table" => (Self::Table, false),
            "json" => (Self::Json, false),
            "ndjson" => (Self::Json, true),
            "inspect" => (Self::Inspect, false),
            _ => (Self::Template(Template::parse(text)?), false),
        };
        Ok(ParsedFormat { format, used_alias })
    }

    /// True for the formats people read (table and templates), which may be colored.
    pub fn is_table(&self) -> bool {
        matches!(self, Self::Table)
    }
}

/// clap's view of `--format`: any text, with the names offered by help and completions.
#[derive(Debug, Clone, Copy, Default)]
pub struct FormatValueParser;

impl clap::builder::TypedValueParser for FormatValueParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            ["table", "json", "inspect"]
                .into_iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_templates() {
        assert_eq!(Format::parse("table").unwrap().format, Format::Table);
        assert_eq!(Format::parse(" json ").unwrap().format, Format::Json);
        let alias = Format::parse("ndjson").unwrap();
        assert_eq!(alias.format, Format::Json);
        assert!(alias.used_alias);
        assert_eq!(Format::parse("inspect").unwrap().format, Format::Inspect);
        let Format::Template(template) = Format::parse("{{.ID}}").unwrap().format else {
            panic!("not a template")
        };
        assert!(!template.is_table());
        assert!(Format::parse("{{.ID").is_err());
    }
}
