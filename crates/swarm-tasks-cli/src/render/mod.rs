//! Turns facade results into bytes on stdout, in the [`Format`] the user chose.
//!
//! # Formats
//!
//! - `table` (the default of `ls`, `service ps`, `node ps`): docker's columns
//!   `ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS`, see [`table`].
//! - `json`: one compact JSON object per line of what the command shows. For `ls`, `service
//!   ps` and `node ps` that is docker's row object, the same as `docker service ps --format
//!   json`: `{"CurrentState":"Running 5 minutes ago","DesiredState":"Running","Error":"",
//!   "ID":"k3x2b9n8m7v6","Image":"nginx:1.25","Name":"web.1","Node":"node-1","Ports":""}`.
//!   For `inspect` it is the full task object. No rows print nothing.
//! - `inspect` (the default of `inspect`): the full tasks as the daemon sent them, exactly
//!   one JSON array indented with 4 spaces like `docker inspect`, then a newline. Nothing is
//!   added or renamed (the field reference is docs/reference/task-fields.md). No tasks: `[]`.
//! - a Go template: run per row over the row object's fields (`{{.Name}} {{.Node}}`), or per
//!   task over the full task for `inspect` (`{{.Status.State}}`), each followed by a
//!   newline; `table ...` templates get docker's headers and aligned columns.
//!
//! Rows keep the order the facade gives them (docker's: by name, natural order, then newest
//! first), in every format. `--quiet` prints task IDs, one per line, in any format: full for
//! `ls` and `service ps`, 12 characters (unless `--no-trunc`) for `node ps`, as docker does. Machine formats are never colored.

pub mod fields;
pub mod human;
pub mod table;
pub mod version;

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;
use swarm_tasks::TaskRow;
use swarm_tasks::models::{Model, Task};

use crate::format::Format;
use crate::template::{Data, Fields, Template, TemplateError};
pub use fields::RowFields;

/// The type name row templates report for a field they lack (docker's own is
/// `*formatter.taskContext`).
pub const ROW_TYPE: &str = "task row";

/// How to print task rows.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The format.
    pub format: Format,
    /// Keep full IDs, digests and errors.
    pub no_trunc: bool,
    /// Print only task IDs.
    pub quiet: bool,
    /// With `quiet`, cut IDs to 12 characters unless `no_trunc` (`docker node ps -q` does;
    /// `docker service ps -q` prints full IDs).
    pub quiet_short_ids: bool,
    /// Color the table.
    pub color: bool,
    /// The instant ages are measured from.
    pub now: DateTime<Utc>,
}

/// Printing failed: the output is gone, or a template failed on a value.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing to stdout failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A template failed on a value.
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// Writes rows (from `ls`, `service ps`, `node ps`) in the chosen format.
pub fn write_rows(
    out: &mut dyn Write,
    rows: &[TaskRow],
    options: &RenderOptions,
) -> Result<(), RenderError> {
    if options.quiet {
        for row in rows {
            let no_trunc = options.no_trunc || !options.quiet_short_ids;
            let fields = RowFields::new(row, no_trunc, false, options.now);
            writeln!(out, "{}", fields.id)?;
        }
        return Ok(());
    }
    match &options.format {
        Format::Table => table::write_table(out, rows, options)?,
        Format::Json => {
            for row in rows {
                let fields = RowFields::new(row, options.no_trunc, false, options.now);
                writeln!(out, "{}", fields.to_data().to_json())?;
            }
        }
        Format::Inspect => {
            let tasks: Vec<&Task> = rows.iter().map(|row| &row.task).collect();
            write_tasks_array(out, &tasks)?;
        }
        Format::Template(template) => {
            let data = rows.iter().map(|row| {
                RowFields::new(row, options.no_trunc, template.is_table(), options.now).to_data()
            });
            write_template(out, template, data, Fields::Fixed(ROW_TYPE))?;
        }
    }
    Ok(())
}

/// Runs `template` over each value; a `table` template gets docker's header line and its
/// tab-separated cells aligned.
pub fn write_template(
    out: &mut dyn Write,
    template: &Template,
    values: impl Iterator<Item = Data>,
    fields: Fields,
) -> Result<(), RenderError> {
    if template.is_table() {
        let mut lines = vec![template.render(&RowFields::header_data(), fields)?];
        for value in values {
            lines.push(template.render(&value, fields)?);
        }
        table::write_tab_separated(out, &lines)?;
        return Ok(());
    }
    for value in values {
        let text = template.render(&value, fields)?;
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// Checks a row template against a row with every field, so that an unknown placeholder is
/// a usage error before any request, as the whole template is docker's.
pub fn check_row_template(template: &Template) -> Result<(), TemplateError> {
    let sample = RowFields {
        id: "k3x2b9n8m7v6".into(),
        name: "web.1".into(),
        image: "nginx:1.25".into(),
        node: "node-1".into(),
        desired_state: "Running".into(),
        current_state: "Running 5 minutes ago".into(),
        error: String::new(),
        ports: String::new(),
    };
    template.render(&sample.to_data(), Fields::Fixed(ROW_TYPE))?;
    if template.is_table() {
        template.render(&RowFields::header_data(), Fields::Fixed(ROW_TYPE))?;
    }
    Ok(())
}

/// Writes inspected tasks: `inspect` as one indented array, `json` one compact object per
/// line, a template once per task, `table` as rows (the caller passes those).
pub fn write_tasks(
    out: &mut dyn Write,
    tasks: &[Task],
    format: &Format,
) -> Result<(), RenderError> {
    match format {
        Format::Json => {
            let mut line = Vec::new();
            for task in tasks {
                line.clear();
                swarm_tasks::models::write_compact(task, &mut line).map_err(io::Error::from)?;
                line.push(b'\n');
                out.write_all(&line)?;
            }
        }
        Format::Template(template) => {
            let mut values = Vec::with_capacity(tasks.len());
            for task in tasks {
                values.push(Data::from_serialize(task).map_err(io::Error::from)?);
            }
            write_template(out, template, values.into_iter(), Fields::Open)?;
        }
        Format::Inspect | Format::Table => write_tasks_array(out, tasks)?,
    }
    Ok(())
}

/// The tasks as one JSON array indented by 4 spaces, then a newline, as `docker inspect`
/// prints: each task as the daemon sent it (re-indented) when its text was kept.
pub fn write_tasks_array<T: Model + Serialize>(out: &mut dyn Write, tasks: &[T]) -> io::Result<()> {
    let mut bytes = Vec::new();
    swarm_tasks::models::write_pretty_array(tasks, b"    ", &mut bytes).map_err(io::Error::from)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}

/// One JSON array indented by 4 spaces, then a newline, as `docker inspect` prints.
pub fn write_array<T: Serialize>(out: &mut dyn Write, values: &[T]) -> io::Result<()> {
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    values.serialize(&mut serializer).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str) -> Task {
        Task {
            id: id.to_owned(),
            ..Task::default()
        }
    }

    #[test]
    fn json_is_one_array_indented_by_four() {
        let mut out = Vec::new();
        write_array(&mut out, &[task("a"), task("b")]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("[\n    {\n        \"ID\": \"a\""),
            "{text}"
        );
        assert!(text.ends_with("]\n"), "{text}");
        let parsed: Vec<Task> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed.len(), 2);
    }

    #[test]
    fn empty_json_is_an_empty_array() {
        let mut out = Vec::new();
        write_array::<Task>(&mut out, &[]).unwrap();
        assert_eq!(out, b"[]\n");
    }

    #[test]
    fn inspect_json_is_one_compact_task_per_line() {
        let mut out = Vec::new();
        write_tasks(&mut out, &[task("a"), task("b")], &Format::Json).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for line in lines {
            assert!(line.starts_with("{\"ID\":"), "{line}");
            serde_json::from_str::<Task>(line).unwrap();
        }
    }
}
