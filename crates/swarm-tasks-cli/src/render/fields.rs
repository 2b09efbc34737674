//! The values docker's task formatter shows for a row, shared by the table, the `json` row
//! objects and the template placeholders, so the three cannot disagree.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};
use swarm_tasks::TaskRow;
use swarm_tasks::rows::display_image;

use super::human::{ellipsis, human_duration, ports, title_case};
use crate::sanitize::for_terminal;
use crate::template::Data;

/// docker cuts errors to 30 columns.
const MAX_ERROR_WIDTH: usize = 30;
/// docker's short IDs.
pub const SHORT_ID_LEN: usize = 12;

/// The eight values docker's task formatter shows for a row (`ID`, `Name`, `Image`, `Node`,
/// `DesiredState`, `CurrentState`, `Error`, `Ports`), as text for the terminal: the table's
/// cells, the `json` row objects and the template placeholders are all these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFields {
    /// 12 characters unless `--no-trunc`.
    pub id: String,
    /// `service.slot`; ` \_ service.slot` for older tasks of a slot when `indent` is set.
    pub name: String,
    /// Without its digest unless `--no-trunc`.
    pub image: String,
    /// The node's hostname (or ID with `--no-resolve`).
    pub node: String,
    /// `Running`.
    pub desired_state: String,
    /// `Running 5 minutes ago`.
    pub current_state: String,
    /// Quoted, cut to 30 columns unless `--no-trunc`; empty without an error.
    pub error: String,
    /// `*:8080->80/tcp`.
    pub ports: String,
}

impl RowFields {
    /// docker's values for `row`. `indent` marks older tasks of a slot (tables only).
    pub fn new(row: &TaskRow, no_trunc: bool, indent: bool, now: DateTime<Utc>) -> Self {
        let id = if no_trunc {
            row.task.id.clone()
        } else {
            row.task.id.chars().take(SHORT_ID_LEN).collect()
        };
        let name = if indent && row.is_history {
            format!(" \\_ {}", row.name)
        } else {
            row.name.clone()
        };
        let image = row.image.as_deref().map_or(Cow::Borrowed(""), |image| {
            if no_trunc {
                Cow::Borrowed(image)
            } else {
                display_image(image)
            }
        });
        let error = row
            .error
            .as_deref()
            .filter(|error| !error.is_empty())
            .map_or(String::new(), |error| {
                let error = for_terminal(error);
                if no_trunc {
                    format!("\"{error}\"")
                } else {
                    format!("\"{}\"", ellipsis(&error, MAX_ERROR_WIDTH))
                }
            });
        Self {
            id: for_terminal(&id).into_owned(),
            name: for_terminal(&name).into_owned(),
            image: for_terminal(&image).into_owned(),
            node: for_terminal(row.node_name.as_deref().unwrap_or("")).into_owned(),
            desired_state: row
                .desired_state
                .as_ref()
                .map(|state| for_terminal(&title_case(state.as_str())).into_owned())
                .unwrap_or_default(),
            current_state: for_terminal(&current_state(row, now)).into_owned(),
            error,
            ports: ports(&row.ports),
        }
    }

    /// The values under docker's placeholder names, keys sorted as docker's `{{json .}}`
    /// writes them.
    pub fn to_data(&self) -> Data {
        let pairs = [
            ("CurrentState", &self.current_state),
            ("DesiredState", &self.desired_state),
            ("Error", &self.error),
            ("ID", &self.id),
            ("Image", &self.image),
            ("Name", &self.name),
            ("Node", &self.node),
            ("Ports", &self.ports),
        ];
        Data::Object(
            pairs
                .into_iter()
                .map(|(key, value)| (key.to_owned(), Data::String(value.clone())))
                .collect(),
        )
    }

    /// docker's header for each placeholder, for `table` templates.
    pub fn header_data() -> Data {
        let pairs = [
            ("CurrentState", "CURRENT STATE"),
            ("DesiredState", "DESIRED STATE"),
            ("Error", "ERROR"),
            ("ID", "ID"),
            ("Image", "IMAGE"),
            ("Name", "NAME"),
            ("Node", "NODE"),
            ("Ports", "PORTS"),
        ];
        Data::Object(
            pairs
                .into_iter()
                .map(|(key, value)| (key.to_owned(), Data::String(value.to_owned())))
                .collect(),
        )
    }
}

/// `Running 5 minutes ago`: the Title-case state and its age in docker's lowercase words.
fn current_state(row: &TaskRow, now: DateTime<Utc>) -> String {
    let state = row
        .current_state
        .as_ref()
        .map(|state| title_case(state.as_str()))
        .unwrap_or_default();
    match row.since {
        // docker reads an unset time as any other (1970-01-01 is 56 years ago), and Go's
        // time arithmetic saturates at about 292 years, for Go's zero time 0001-01-01.
        Some(since) => {
            let age = now
                .signed_duration_since(since.as_datetime())
                .min(TimeDelta::nanoseconds(i64::MAX));
            format!("{state} {} ago", human_duration(age).to_lowercase())
        }
        None => state,
    }
}
