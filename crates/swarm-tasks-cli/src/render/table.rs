//! The `table` format: docker's task columns, aligned the way docker's tabwriter aligns them.
//!
//! docker prints tables through a tabwriter with a minimum cell width of 10 and a padding of 3:
//! every column but the last is as wide as its widest cell plus 3 (at least 10), and the last
//! column is written as is. We compute the same widths from the content, so our tables line up
//! with docker's character for character. Colors are added after the widths are known, so an
//! escape sequence never shifts a column.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{DateTime, Utc};
use swarm_tasks::models::{PortConfig, TaskState, Timestamp};

use swarm_tasks::rows::display_image;

use super::human::{display_width, ellipsis, human_duration, ports, title_case};
use crate::sanitize::for_terminal;

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
/// docker cuts errors to 30 columns.
const MAX_ERROR_WIDTH: usize = 30;
/// docker's short IDs.
const SHORT_ID_LEN: usize = 12;

/// What one table line shows, borrowed from a facade row. A separate view keeps the table
/// code independent of how the facade builds its rows, and easy to test.
#[derive(Debug, Clone, Default)]
pub struct RowView<'a> {
    /// The task ID.
    pub id: &'a str,
    /// `service.slot` or `service.nodeID`.
    pub name: &'a str,
    /// An older task of the same slot, shown as ` \_ name`.
    pub is_history: bool,
    /// The image from the task's spec.
    pub image: Option<&'a str>,
    /// The node's hostname (or ID with `--no-resolve`).
    pub node: Option<&'a str>,
    /// The desired state.
    pub desired_state: Option<&'a TaskState>,
    /// The current state.
    pub current_state: Option<&'a TaskState>,
    /// When the current state began.
    pub since: Option<Timestamp>,
    /// The task's error.
    pub error: Option<&'a str>,
    /// Ports published in host mode.
    pub ports: &'a [PortConfig],
}

/// How to print the table.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Keep full IDs, image digests and errors.
    pub no_trunc: bool,
    /// Add ANSI colors.
    pub color: bool,
    /// The instant ages are measured from.
    pub now: DateTime<Utc>,
}

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
    fn start(self) -> &'static str {
        match self {
            Self::Bold => "\x1b[1m",
            Self::Green => "\x1b[32m",
            Self::Yellow => "\x1b[33m",
            Self::Red => "\x1b[31m",
            Self::Dim => "\x1b[2m",
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
    rows: &[RowView<'_>],
    options: &TableOptions,
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
fn cells(row: &RowView<'_>, options: &TableOptions) -> Vec<Cell> {
    let id = if options.no_trunc {
        row.id.to_owned()
    } else {
        row.id.chars().take(SHORT_ID_LEN).collect()
    };
    let name = if row.is_history {
        format!(" \\_ {}", row.name)
    } else {
        row.name.to_owned()
    };
    let image = row.image.map_or(Cow::Borrowed(""), |image| {
        if options.no_trunc {
            Cow::Borrowed(image)
        } else {
            display_image(image)
        }
    });
    let desired = row
        .desired_state
        .map(|state| title_case(state.as_str()))
        .unwrap_or_default();
    let current = current_state(row, options.now);
    let error = row
        .error
        .filter(|error| !error.is_empty())
        .map_or(String::new(), |error| {
            let error = for_terminal(error);
            if options.no_trunc {
                format!("\"{error}\"")
            } else {
                format!("\"{}\"", ellipsis(&error, MAX_ERROR_WIDTH))
            }
        });
    let color = options.color;
    vec![
        Cell::plain(for_terminal(&id)),
        Cell::styled(
            for_terminal(&name),
            (color && row.is_history).then_some(Style::Dim),
        ),
        Cell::plain(for_terminal(&image)),
        Cell::plain(for_terminal(row.node.unwrap_or(""))),
        Cell::plain(desired),
        Cell::styled(
            for_terminal(&current),
            color.then(|| state_style(row.current_state)).flatten(),
        ),
        Cell::styled(error, color.then_some(Style::Red)),
        Cell::plain(ports(row.ports)),
    ]
}

/// `Running 5 minutes ago`: the Title-case state and its age in docker's lowercase words.
fn current_state(row: &RowView<'_>, now: DateTime<Utc>) -> String {
    let state = row
        .current_state
        .map(|state| title_case(state.as_str()))
        .unwrap_or_default();
    match row.since.filter(|since| !since.is_unset()) {
        Some(since) => {
            let age = human_duration(now.signed_duration_since(since.as_datetime()));
            format!("{state} {} ago", age.to_lowercase())
        }
        None => state,
    }
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
                    text.push_str(style.start());
                    text.push_str(&cell.text);
                    text.push_str("\x1b[0m");
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

    fn now() -> DateTime<Utc> {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    fn render(rows: &[RowView<'_>], no_trunc: bool, color: bool) -> String {
        let mut out = Vec::new();
        let options = TableOptions {
            no_trunc,
            color,
            now: now(),
        };
        write_table(&mut out, rows, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn running() -> RowView<'static> {
        RowView {
            id: "k3x2b9n8m7v6c5x4z3a2s1d0f",
            name: "web.1",
            image: Some("nginx:1.25@sha256:0123456789abcdef"),
            node: Some("node-1"),
            desired_state: Some(&TaskState::Running),
            current_state: Some(&TaskState::Running),
            since: Some("2024-05-01T11:55:00Z".parse().unwrap()),
            ..RowView::default()
        }
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
        let failed = RowView {
            id: "p9o8i7u6y5t4r3e2w1q0a9s8d",
            is_history: true,
            desired_state: Some(&TaskState::Shutdown),
            current_state: Some(&TaskState::Failed),
            since: Some("2024-05-01T10:00:00Z".parse().unwrap()),
            error: Some("task: non-zero exit (1): the process crashed badly"),
            ..running()
        };
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
        let table = render(
            &[RowView {
                error: Some("a very long error message that docker would cut"),
                ..running()
            }],
            true,
            false,
        );
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
        let published = [PortConfig {
            protocol: Some("tcp".into()),
            target_port: Some(80),
            published_port: Some(8080),
            ..PortConfig::default()
        }];
        let table = render(
            &[RowView {
                ports: &published,
                ..running()
            }],
            false,
            false,
        );
        assert!(
            table.lines().nth(1).unwrap().ends_with("   *:8080->80/tcp"),
            "{table}"
        );
    }

    #[test]
    fn hostile_text_is_sanitized() {
        let table = render(
            &[RowView {
                node: Some("evil\x1b]0;pwned\x07"),
                error: Some("line\nbreak\u{202E}"),
                ..running()
            }],
            false,
            false,
        );
        assert!(
            !table.contains('\x1b') && !table.contains('\u{202E}'),
            "{table:?}"
        );
        assert_eq!(table.lines().count(), 2, "{table:?}");
    }

    #[test]
    fn color_does_not_shift_columns() {
        let plain = render(&[running()], false, false);
        let colored = render(&[running()], false, true);
        assert!(
            colored.contains("\x1b[32mRunning 5 minutes ago\x1b[0m"),
            "{colored:?}"
        );
        let stripped = colored
            .replace("\x1b[32m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[0m", "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn unset_timestamp_shows_state_only() {
        let row = RowView {
            since: Some(Timestamp::unix_epoch()),
            ..running()
        };
        assert!(render(&[row], false, false).contains("   Running   "));
    }
}
