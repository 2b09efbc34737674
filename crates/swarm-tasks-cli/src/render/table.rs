//! The `table` format: docker's task columns, aligned the way docker's tabwriter aligns them.
//!
//! docker prints tables through a tabwriter with a minimum cell width of 10 and a padding of 3:
//! every column but the last is as wide as its widest cell plus 3 (at least 10), and the last
//! column is written as is. We compute the same widths from the content, so our tables line up
//! with docker's character for character. Colors are added after the widths are known, so an
//! escape sequence never shifts a column.

use std::io::{self, Write};

use swarm_tasks::TaskRow;
use swarm_tasks::models::TaskState;

use super::RenderOptions;
pub use super::fields::RowFields;
use super::human::display_width;

/// The column headers of `docker service ps`.
pub const HEADERS: [&str; 8] = [
    "ID",
    "NAME",
    "IMAGE",
    "NODE",
    "DESIRED STATE",
    "CURRENT STATE",
    "ERROR",
    "PORTS",
];

/// docker's tabwriter settings.
const MIN_WIDTH: usize = 10;
const PADDING: usize = 3;

/// A color for a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Bold,
    Green,
    Yellow,
    Red,
    Dim,
}

impl Style {
    fn ansi(self) -> anstyle::Style {
        use anstyle::AnsiColor;
        match self {
            Self::Bold => anstyle::Style::new().bold(),
            Self::Green => AnsiColor::Green.on_default(),
            Self::Yellow => AnsiColor::Yellow.on_default(),
            Self::Red => AnsiColor::Red.on_default(),
            Self::Dim => anstyle::Style::new().dimmed(),
        }
    }
}

/// One cell: sanitized text and an optional color.
#[derive(Debug, Clone)]
struct Cell {
    text: String,
    style: Option<Style>,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: None,
        }
    }

    fn styled(text: impl Into<String>, style: Option<Style>) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

/// Writes the header and one line per row.
pub fn write_table(
    out: &mut dyn Write,
    rows: &[TaskRow],
    options: &RenderOptions,
) -> io::Result<()> {
    let header_style = options.color.then_some(Style::Bold);
    let mut lines: Vec<Vec<Cell>> = Vec::with_capacity(rows.len() + 1);
    lines.push(
        HEADERS
            .iter()
            .map(|header| Cell::styled(*header, header_style))
            .collect(),
    );
    lines.extend(rows.iter().map(|row| cells(row, options)));
    write_aligned(out, &lines, options.color)
}

/// The eight cells of a row, as docker fills them.
fn cells(row: &TaskRow, options: &RenderOptions) -> Vec<Cell> {
    let fields = RowFields::new(row, options.no_trunc, true, options.now);
    let color = options.color;
    vec![
        Cell::plain(fields.id),
        Cell::styled(fields.name, (color && row.is_history).then_some(Style::Dim)),
        Cell::plain(fields.image),
        Cell::plain(fields.node),
        Cell::plain(fields.desired_state),
        Cell::styled(
            fields.current_state,
            color
                .then(|| state_style(row.current_state.as_ref()))
                .flatten(),
        ),
        Cell::styled(fields.error, color.then_some(Style::Red)),
        Cell::plain(fields.ports),
    ]
}

fn state_style(state: Option<&TaskState>) -> Option<Style> {
    let state = state?;
    Some(match state {
        TaskState::Running | TaskState::Complete => Style::Green,
        TaskState::Failed | TaskState::Rejected | TaskState::Orphaned => Style::Red,
        TaskState::Shutdown | TaskState::Remove => Style::Dim,
        other if other.is_starting_up() => Style::Yellow,
        _ => return None,
    })
}

/// Writes lines of tab-separated cells aligned as docker's tabwriter does (for `table`
/// templates: their output is split at tabs).
pub fn write_tab_separated(out: &mut dyn Write, lines: &[String]) -> io::Result<()> {
    let lines: Vec<Vec<Cell>> = lines
        .iter()
        .map(|line| line.split('\t').map(Cell::plain).collect())
        .collect();
    write_aligned(out, &lines, false)
}

/// Pads every cell but the last of each line to its column's width, as docker's tabwriter.
fn write_aligned(out: &mut dyn Write, lines: &[Vec<Cell>], color: bool) -> io::Result<()> {
    let n_columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![MIN_WIDTH; n_columns.saturating_sub(1)];
    for line in lines {
        for (column_idx, cell) in line.iter().enumerate().take(widths.len()) {
            let width = display_width(&cell.text) + PADDING;
            if width > widths[column_idx] {
                widths[column_idx] = width;
            }
        }
    }
    let mut text = String::new();
    for line in lines {
        text.clear();
        for (column_idx, cell) in line.iter().enumerate() {
            match cell.style {
                Some(style) if color && !cell.text.is_empty() => {
                    let style = style.ansi();
                    text.push_str(&format!("{style}{}{style:#}", cell.text));
                }
                _ => text.push_str(&cell.text),
            }
            if let Some(width) = widths.get(column_idx) {
                let pad = width.saturating_sub(display_width(&cell.text));
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.push('\n');
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use chrono::{DateTime, Utc};
    use swarm_tasks::models::{PortConfig, Task, Timestamp};
    use swarm_tasks::rows::NameIndex;

    fn now() -> DateTime<Utc> {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    fn render(rows: &[TaskRow], no_trunc: bool, color: bool) -> String {
        let mut out = Vec::new();
        let options = RenderOptions {
            format: Format::Table,
            no_trunc,
            quiet: false,
            quiet_short_ids: false,
            color,
            now: now(),
        };
        write_table(&mut out, rows, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn running() -> TaskRow {
        let task = Task {
            id: "k3x2b9n8m7v6c5x4z3a2s1d0f".into(),
            ..Task::default()
        };
        let mut row = TaskRow::new(task, &NameIndex::ids_only());
        row.name = "web.1".into();
        row.image = Some("nginx:1.25@sha256:0123456789abcdef".into());
        row.node_name = Some("node-1".into());
        row.desired_state = Some(TaskState::Running);
        row.current_state = Some(TaskState::Running);
        row.since = Some("2024-05-01T11:55:00Z".parse().unwrap());
        row.error = None;
        row.ports = Vec::new();
        row.is_history = false;
        row
    }

    #[test]
    fn empty_table_is_a_padded_header() {
        assert_eq!(
            render(&[], false, false),
            "ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE   ERROR     PORTS\n"
        );
    }

    #[test]
    fn columns_like_docker() {
        let mut failed = running();
        failed.task.id = "p9o8i7u6y5t4r3e2w1q0a9s8d".into();
        failed.is_history = true;
        failed.desired_state = Some(TaskState::Shutdown);
        failed.current_state = Some(TaskState::Failed);
        failed.since = Some("2024-05-01T10:00:00Z".parse().unwrap());
        failed.error = Some("task: non-zero exit (1): the process crashed badly".into());
        let table = render(&[running(), failed], false, false);
        let expected = concat!(
            "ID             NAME        IMAGE        NODE      DESIRED STATE   CURRENT STATE           ERROR                              PORTS\n",
            "k3x2b9n8m7v6   web.1       nginx:1.25   node-1    Running         Running 5 minutes ago                                      \n",
            "p9o8i7u6y5t4    \\_ web.1   nginx:1.25   node-1    Shutdown        Failed 2 hours ago      \"task: non-zero exit (1): the …\"   \n",
        );
        assert_eq!(table, expected);
    }

    #[test]
    fn no_trunc_keeps_everything() {
        let mut row = running();
        row.error = Some("a very long error message that docker would cut".into());
        let table = render(&[row], true, false);
        assert!(table.contains("k3x2b9n8m7v6c5x4z3a2s1d0f"), "{table}");
        assert!(
            table.contains("nginx:1.25@sha256:0123456789abcdef"),
            "{table}"
        );
        assert!(
            table.contains("\"a very long error message that docker would cut\""),
            "{table}"
        );
    }

    #[test]
    fn ports_in_last_column() {
        let mut row = running();
        row.ports = vec![PortConfig {
            protocol: Some("tcp".into()),
            target_port: Some(80),
            published_port: Some(8080),
            ..PortConfig::default()
        }];
        let table = render(&[row], false, false);
        assert!(
            table.lines().nth(1).unwrap().ends_with("   *:8080->80/tcp"),
            "{table}"
        );
    }

    #[test]
    fn hostile_text_is_sanitized() {
        let mut row = running();
        row.node_name = Some("evil\x1b]0;pwned\x07".into());
        row.error = Some("line\nbreak\u{202E}".into());
        let table = render(&[row], false, false);
        assert!(
            !table.contains('\x1b') && !table.contains('\u{202E}'),
            "{table:?}"
        );
        assert_eq!(table.lines().count(), 2, "{table:?}");
    }

    /// The escape codes anstyle writes are the ones the table always had.
    #[test]
    fn color_does_not_shift_columns() {
        let plain = render(&[running()], false, false);
        let colored = render(&[running()], false, true);
        assert!(
            colored.contains("\x1b[32mRunning 5 minutes ago\x1b[0m"),
            "{colored:?}"
        );
        assert!(colored.starts_with("\x1b[1mID\x1b[0m"), "{colored:?}");
        let mut history = running();
        history.is_history = true;
        let dim = render(&[history], false, true);
        assert!(dim.contains("\x1b[2m \\_ web.1\x1b[0m"), "{dim:?}");
        let stripped = colored
            .replace("\x1b[32m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[0m", "");
        assert_eq!(stripped, plain);
    }

    /// docker computes the age of the epoch like any other time, and caps Go's zero time.
    #[test]
    fn unset_timestamps_read_as_docker_reads_them() {
        let mut row = running();
        row.since = Some(Timestamp::unix_epoch());
        assert!(
            render(&[row.clone()], false, false).contains("   Running 54 years ago   "),
            "{}",
            render(&[row.clone()], false, false)
        );
        row.since = Some(Timestamp::go_zero());
        assert!(render(&[row], false, false).contains("   Running 292 years ago   "));
    }

    #[test]
    fn json_row_keys_are_dockers_sorted() {
        let fields = RowFields::new(&running(), false, true, now());
        assert_eq!(
            fields.to_data().to_json(),
            r#"{"CurrentState":"Running 5 minutes ago","DesiredState":"Running","Error":"","ID":"k3x2b9n8m7v6","Image":"nginx:1.25","Name":"web.1","Node":"node-1","Ports":""}"#
        );
    }
}
