//! Turns facade results into bytes on stdout, in one of three formats.
//!
//! # Formats
//!
//! - `table` (the default of `ls`, `service ps`, `node ps`): docker's columns
//!   `ID NAME IMAGE NODE DESIRED STATE CURRENT STATE ERROR PORTS`, see [`table`].
//! - `json` (the default of `inspect`): exactly one JSON document, an array of task objects,
//!   indented with 4 spaces like `docker inspect`, followed by a newline. Each element is the
//!   full task as the daemon sent it (`ID`, `Version`, `CreatedAt`, `Spec`, `Status`, ...; the
//!   field reference is docs/reference/task-fields.md). Nothing is added or renamed, so the
//!   output can be fed to any tool that reads `docker inspect --type task`. No tasks: `[]`.
//! - `ndjson`: the same task objects, one compact JSON object per line, nothing else; no
//!   tasks prints nothing.
//!
//! For example, `swarm-tasks service ps web --format ndjson` prints lines like
//! `{"ID":"k3x2b9n8m7v6c5x4z3a2s1d0f","Version":{"Index":42},...,"DesiredState":"running"}`.
//!
//! Rows keep the order the facade gives them (docker's: by name, natural order, then newest
//! first), in every format. `--quiet` prints full task IDs, one per line, in any format.
//! Machine formats are never colored and never truncated.

pub mod human;
pub mod table;

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;
use swarm_tasks::TaskRow;
use swarm_tasks::models::Task;

use crate::cli::Format;
use table::{RowView, TableOptions};

/// How to print task rows.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// The format.
    pub format: Format,
    /// Keep full IDs, digests and errors in the table.
    pub no_trunc: bool,
    /// Print only task IDs.
    pub quiet: bool,
    /// Color the table.
    pub color: bool,
    /// The instant ages are measured from.
    pub now: DateTime<Utc>,
}

/// Writes rows (from `ls`, `service ps`, `node ps`) in the chosen format.
pub fn write_rows(
    out: &mut dyn Write,
    rows: &[TaskRow],
    options: &RenderOptions,
) -> io::Result<()> {
    if options.quiet {
        return write_ids(out, rows.iter().map(|row| row.task.id.as_str()));
    }
    match options.format {
        Format::Table => {
            let views: Vec<RowView<'_>> = rows.iter().map(row_view).collect();
            let table_options = TableOptions {
                no_trunc: options.no_trunc,
                color: options.color,
                now: options.now,
            };
            table::write_table(out, &views, &table_options)
        }
        Format::Json | Format::Ndjson => {
            let tasks: Vec<&Task> = rows.iter().map(|row| &row.task).collect();
            write_tasks(out, &tasks, options.format)
        }
    }
}

/// Writes tasks in a machine format (`json` or `ndjson`; `table` is not a task-only format
/// and falls back to `json`).
pub fn write_tasks<T: Serialize>(
    out: &mut dyn Write,
    tasks: &[T],
    format: Format,
) -> io::Result<()> {
    match format {
        Format::Ndjson => {
            for task in tasks {
                serde_json::to_writer(&mut *out, task).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Json | Format::Table => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
            tasks.serialize(&mut serializer).map_err(io::Error::from)?;
            out.write_all(b"\n")
        }
    }
}

/// One ID per line.
pub fn write_ids<'a>(out: &mut dyn Write, ids: impl Iterator<Item = &'a str>) -> io::Result<()> {
    for id in ids {
        writeln!(out, "{}", crate::sanitize::for_terminal(id))?;
    }
    Ok(())
}

/// The table's view of a facade row.
fn row_view(row: &TaskRow) -> RowView<'_> {
    RowView {
        id: &row.task.id,
        name: &row.name,
        is_history: row.is_history,
        image: row.image.as_deref(),
        node: row.node_name.as_deref(),
        desired_state: row.desired_state.as_ref(),
        current_state: row.current_state.as_ref(),
        since: row.since,
        error: row.error.as_deref(),
        ports: &row.ports,
    }
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
        write_tasks(&mut out, &[task("a"), task("b")], Format::Json).unwrap();
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
        write_tasks::<Task>(&mut out, &[], Format::Json).unwrap();
        assert_eq!(out, b"[]\n");
    }

    #[test]
    fn ndjson_is_one_compact_object_per_line() {
        let mut out = Vec::new();
        write_tasks(&mut out, &[task("a"), task("b")], Format::Ndjson).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for line in lines {
            assert!(line.starts_with("{\"ID\":"), "{line}");
            serde_json::from_str::<Task>(line).unwrap();
        }
    }
}
