//! Go templates as docker's `--format` takes them: `{{.ID}}`, `{{json .}}`,
//! `table {{.Name}}\t{{.Node}}`, `{{range .Spec.ContainerSpec.Args}}...{{end}}`.
//!
//! No crate fit: gtmpl (the Rust port of Go's text/template) keeps objects in hash maps, so
//! `{{json .Status}}` would lose the daemon's key order that docker prints. This evaluator
//! covers what docker users write: fields and chains, `.`, `$` and `$var`, literals,
//! pipelines, parentheses, `if`/`else if`/`else`/`range`/`with`/`end`, `{{-`/`-}}`, and the
//! functions `json`, `split`, `join`, `title`, `lower`, `upper`, `pad`, `truncate`, `print`,
//! `println`, `len`, `index`, `eq`, `ne`, `not`, `and`, `or`.
//!
//! Errors read like docker's: `template parsing error: template: :1: ...` for a template
//! that does not parse, `template parsing error: template: :1:2: executing "" at <.Foo>:
//! can't evaluate field Foo ...` for a field a row does not have.
//!
//! Daemon objects are read as docker reads them when its typed structs do not have a field:
//! as JSON maps. Times (`CreatedAt`, `UpdatedAt`, `Timestamp`) print as Go prints a
//! `time.Time`. Known differences from docker, which tries its Go structs first: a field the
//! daemon left out is an error here where docker prints its zero value (`[]`, `0`), and
//! objects print as `map[...]` where docker prints a struct (`{{.Version}}` is `16` there).

pub mod data;
mod eval;
mod parse;
#[cfg(test)]
mod tests;

pub use data::Data;
use parse::{Arg, Node, Pipe};

/// The functions a template may call.
const FUNCTIONS: [&str; 17] = [
    "json", "split", "join", "title", "lower", "upper", "pad", "truncate", "print", "println",
    "len", "index", "eq", "ne", "not", "and", "or",
];

/// A template that does not parse, or fails on a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The text is not a template.
    #[error("template parsing error: {message}")]
    Parse {
        /// Go's wording, `template: :LINE: ...`.
        message: String,
    },
    /// A field or function failed on a value (docker words it as a parsing error too).
    #[error("template parsing error: {message}")]
    Exec {
        /// Go's wording, `template: :LINE:COL: executing ...`.
        message: String,
    },
}

impl TemplateError {
    fn parse(line: usize, message: impl std::fmt::Display) -> Self {
        Self::Parse {
            message: format!("template: :{line}: {message}"),
        }
    }
}

/// What fields a template's data has, which decides what a missing one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fields {
    /// Fixed fields (docker's row structs): a missing one is an error naming the type.
    Fixed(&'static str),
    /// Daemon objects (docker reads them as maps, with `missingkey=error`): a missing key is
    /// an error naming the key.
    Open,
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    table: bool,
    nodes: Vec<Node>,
}

impl Template {
    /// Parses a `--format` of a listing command the way docker's formatter does: a `table`
    /// prefix asks for headers and aligned columns, and `\t` and `\n` written as two
    /// characters become a tab and a newline.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let table = text.starts_with("table");
        let body = if table { &text["table".len()..] } else { text };
        let body = body
            .trim_matches(' ')
            .replace("\\t", "\t")
            .replace("\\n", "\n");
        Self::build(text, table, &body)
    }

    /// Parses a template as `docker inspect --format` does: the text as it is.
    pub fn parse_raw(text: &str) -> Result<Self, TemplateError> {
        Self::build(text, false, text)
    }

    fn build(source: &str, table: bool, body: &str) -> Result<Self, TemplateError> {
        let nodes = parse::parse(body)?;
        check_functions(&nodes)?;
        Ok(Self {
            source: source.to_owned(),
            table,
            nodes,
        })
    }

    /// The text as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the template started with `table`.
    pub fn is_table(&self) -> bool {
        self.table
    }

    /// Runs the template over one value.
    pub fn render(&self, data: &Data, fields: Fields) -> Result<String, TemplateError> {
        let mut out = String::new();
        let mut run = eval::Run {
            root: data,
            fields,
            vars: Vec::new(),
        };
        run.nodes(&self.nodes, data, &mut out)?;
        Ok(out)
    }
}

fn check_functions(nodes: &[Node]) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Action(pipe) => check_pipe(pipe)?,
            Node::If(pipe, a, b) | Node::Range(pipe, a, b) | Node::With(pipe, a, b) => {
                check_pipe(pipe)?;
                check_functions(a)?;
                check_functions(b)?;
            }
        }
    }
    Ok(())
}

fn check_pipe(pipe: &Pipe) -> Result<(), TemplateError> {
    for arg in pipe.cmds.iter().flatten() {
        match arg {
            Arg::Func(name) if !FUNCTIONS.contains(&name.as_str()) => {
                return Err(TemplateError::parse(
                    pipe.pos.0,
                    format!("function {name:?} not defined"),
                ));
            }
            Arg::Sub(inner, _) => check_pipe(inner)?,
            _ => {}
        }
    }
    Ok(())
}
