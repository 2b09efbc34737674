//! `swarm-tasks logs TASK|SERVICE...`: the facade's named lines in `docker service logs`'
//! layout (`[TIMESTAMP ]service.slot.taskid@node    | [details ]line`, task stderr lines on
//! stderr), with `--raw`, or as one JSON object per line.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::StreamExt;
use swarm_tasks::models::Timestamp;
use swarm_tasks::{Client, LogOptions, LogOrder, LogSource, NamedLine};

use crate::cli::LogsArgs;
use crate::config::UsageError;
use crate::exit::ExitCode;
use crate::sanitize::for_terminal;

/// How long a followed line waits for earlier ones when several targets are merged in
/// timestamp order.
pub const REORDER_WINDOW: Duration = Duration::from_millis(100);

/// A validated `logs`.
#[derive(Debug, Clone)]
pub struct LogsAction {
    /// The services or tasks as given.
    pub targets: Vec<String>,
    /// What to ask the daemon for.
    pub options: LogOptions,
    /// How each line is printed.
    pub layout: LogLayout,
    /// One JSON object per line instead of docker's layout.
    pub json: bool,
    /// Whether stdout is a terminal (then daemon text is made safe to show).
    pub terminal: bool,
}

/// docker service logs' printing flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogLayout {
    /// `-t`.
    pub timestamps: bool,
    /// `--details`.
    pub details: bool,
    /// `--no-resolve`.
    pub no_resolve: bool,
    /// `--no-task-ids`.
    pub no_task_ids: bool,
    /// `--no-trunc`.
    pub no_trunc: bool,
    /// `--raw`.
    pub raw: bool,
}

/// Validates `logs` (`now` for a relative `--since`).
pub fn action(
    args: LogsArgs,
    now: DateTime<Utc>,
    terminal: bool,
) -> Result<LogsAction, UsageError> {
    let mut options = LogOptions::new()
        .follow(args.follow)
        .timestamps(args.timestamps)
        .details(args.details);
    match args.tail.trim() {
        "all" => {}
        text => match text.parse::<u64>() {
            Ok(lines) => options = options.tail(lines),
            Err(_) => {
                return Err(UsageError::LogsTail {
                    input: args.tail.clone(),
                });
            }
        },
    }
    if let Some(text) = &args.since {
        options = options.since(since(text, now).ok_or_else(|| UsageError::LogsSince {
            input: text.clone(),
        })?);
    }
    Ok(LogsAction {
        targets: args.targets,
        options,
        layout: LogLayout {
            timestamps: args.timestamps,
            details: args.details,
            no_resolve: args.no_resolve,
            no_task_ids: args.no_task_ids,
            no_trunc: args.no_trunc,
            raw: args.raw,
        },
        json: args.format.is_some(),
        terminal,
    })
}

/// `--since` as docker reads it: an RFC 3339 time, Unix seconds (with a fraction), or a
/// duration back from `now`.
fn since(text: &str, now: DateTime<Utc>) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Some(timestamp);
    }
    if let Some((seconds, fraction)) = text.split_once('.').or(Some((text, ""))) {
        if !seconds.is_empty()
            && seconds.bytes().all(|byte| byte.is_ascii_digit())
            && fraction.len() <= 9
            && fraction.bytes().all(|byte| byte.is_ascii_digit())
        {
            let seconds: i64 = seconds.parse().ok()?;
            let nanos: u32 = format!("{fraction:0<9}").parse().ok()?;
            return DateTime::from_timestamp(seconds, nanos).map(Timestamp::from_datetime);
        }
    }
    let back = humantime::parse_duration(text).ok()?;
    let back = chrono::Duration::from_std(back).ok()?;
    now.checked_sub_signed(back).map(Timestamp::from_datetime)
}

/// Streams the logs and prints each line as it comes.
pub async fn run(
    client: &Client,
    action: LogsAction,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let order = if action.layout.timestamps {
        LogOrder::Timestamps {
            window: REORDER_WINDOW,
        }
    } else {
        LogOrder::Arrival
    };
    let mut lines = client
        .named_logs(&action.targets, &action.options, order)
        .await?;
    while let Some(item) = lines.next().await {
        let line = item?;
        if action.json {
            serde_json::to_writer(&mut *out, &json_line(&line))?;
            out.write_all(b"\n")?;
        } else {
            let bytes = format_line(&line, &action.layout);
            let target: &mut dyn Write = match line.line.source {
                LogSource::Stderr => &mut *err,
                LogSource::Stdout => &mut *out,
            };
            if action.terminal {
                target.write_all(for_terminal(&String::from_utf8_lossy(&bytes)).as_bytes())?;
            } else {
                target.write_all(&bytes)?;
            }
        }
        if action.options.follow {
            out.flush()?;
        }
    }
    Ok(ExitCode::Ok)
}

/// One line in docker's layout, newline included.
pub fn format_line(named: &NamedLine, layout: &LogLayout) -> Vec<u8> {
    let line = &named.line;
    let mut text = String::new();
    if layout.timestamps {
        if let Some(timestamp) = &line.timestamp {
            text.push_str(
                &timestamp
                    .as_datetime()
                    .to_rfc3339_opts(SecondsFormat::Nanos, true),
            );
            text.push(' ');
        }
    }
    if layout.raw {
        if layout.details {
            let mut pairs: Vec<(String, String)> = line.details.clone();
            for (key, value) in [
                ("com.docker.swarm.node.id", &line.node_id),
                ("com.docker.swarm.service.id", &line.service_id),
                ("com.docker.swarm.task.id", &line.task_id),
            ] {
                if let Some(value) = value {
                    pairs.push((key.to_owned(), value.clone()));
                }
            }
            let mut escaped: Vec<String> = pairs
                .iter()
                .map(|(key, value)| format!("{}={}", query_escape(key), query_escape(value)))
                .collect();
            escaped.sort();
            text.push_str(&escaped.join(","));
            text.push(' ');
        }
    } else {
        text.push_str(&context(named, layout));
        text.push_str("    | ");
        if layout.details {
            let mut pairs: Vec<String> = line
                .details
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            pairs.sort();
            text.push_str(&pairs.join(","));
            text.push(' ');
        }
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&line.line);
    bytes.push(b'\n');
    bytes
}

/// `service.slot[.taskid]@node` and the padding docker puts after it.
fn context(named: &NamedLine, layout: &LogLayout) -> String {
    let line = &named.line;
    let origin = named.origin.as_deref();
    let pick = |name: Option<&String>, id: Option<&String>| -> String {
        let id = id.map(String::as_str).unwrap_or("-");
        if layout.no_resolve {
            id.to_owned()
        } else {
            name.map_or(id, String::as_str).to_owned()
        }
    };
    let service = pick(
        origin.and_then(|origin| origin.service_name.as_ref()),
        origin
            .and_then(|origin| origin.service_id.as_ref())
            .or(line.service_id.as_ref()),
    );
    let node = pick(
        origin.and_then(|origin| origin.node_name.as_ref()),
        origin
            .and_then(|origin| origin.node_id.as_ref())
            .or(line.node_id.as_ref()),
    );
    let slot = origin.and_then(|origin| origin.slot).unwrap_or(0);
    let mut name = format!("{service}.{slot}");
    if !layout.no_task_ids {
        let task_id = line.task_id.as_deref().unwrap_or("-");
        let shown = if layout.no_trunc {
            task_id
        } else {
            task_id.get(..12).unwrap_or(task_id)
        };
        name.push('.');
        name.push_str(shown);
    }
    let width = origin.map_or(1, |origin| origin.slot_width);
    let padding = width.saturating_sub(slot.to_string().len());
    format!("{name}@{node}{}", " ".repeat(padding))
}

/// Go's `url.QueryEscape`.
fn query_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                escaped.push(char::from(byte));
            }
            b' ' => escaped.push('+'),
            other => escaped.push_str(&format!("%{other:02X}")),
        }
    }
    escaped
}

/// The JSON object of one line.
fn json_line(named: &NamedLine) -> serde_json::Value {
    let line = &named.line;
    let origin = named.origin.as_deref();
    let details: serde_json::Map<String, serde_json::Value> = line
        .details
        .iter()
        .map(|(key, value)| (key.clone(), serde_json::Value::from(value.clone())))
        .collect();
    serde_json::json!({
        "timestamp": line.timestamp.as_ref().map(|timestamp| timestamp
            .as_datetime()
            .to_rfc3339_opts(SecondsFormat::Nanos, true)),
        "stream": line.source.as_str(),
        "task_id": line.task_id,
        "service_id": line.service_id,
        "service": origin.and_then(|origin| origin.service_name.clone()),
        "slot": origin.and_then(|origin| origin.slot),
        "node_id": line.node_id,
        "node": origin.and_then(|origin| origin.node_name.clone()),
        "details": details,
        "line": line.text(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use swarm_tasks::{LogLine, LogOrigin};

    use super::*;

    fn named(slot: Option<u64>, width: usize) -> NamedLine {
        let mut line = LogLine::new(LogSource::Stdout, b"hello".to_vec());
        line.task_id = Some("vvagsz4dv14tetb8god5l1ohk".to_owned());
        line.service_id = Some("sh6olau7y0er".to_owned());
        line.node_id = Some("1u6djtzbnj33".to_owned());
        line.timestamp = "2026-12-02T13:08:35.4411Z".parse().ok();
        line.details = vec![
            ("b".to_owned(), "2 x".to_owned()),
            ("a".to_owned(), "1".to_owned()),
        ];
        let origin = LogOrigin {
            task_id: "vvagsz4dv14tetb8god5l1ohk".to_owned(),
            service_id: line.service_id.clone(),
            service_name: Some("web".to_owned()),
            slot,
            node_id: line.node_id.clone(),
            node_name: Some("vm".to_owned()),
            slot_width: width,
        };
        NamedLine {
            line,
            origin: Some(Arc::new(origin)),
        }
    }

    fn text(named: &NamedLine, layout: LogLayout) -> String {
        String::from_utf8(format_line(named, &layout)).unwrap_or_default()
    }

    #[test]
    fn docker_layout_and_its_flags() {
        let line = named(Some(3), 2);
        assert_eq!(
            text(&line, LogLayout::default()),
            "web.3.vvagsz4dv14t@vm     | hello\n"
        );
        let all = LogLayout {
            timestamps: true,
            details: true,
            no_resolve: true,
            no_trunc: true,
            ..LogLayout::default()
        };
        assert_eq!(
            text(&line, all),
            "2026-12-02T13:08:35.441100000Z sh6olau7y0er.3.vvagsz4dv14tetb8god5l1ohk@1u6djtzbnj33     | a=1,b=2 x hello\n"
        );
        let bare = LogLayout {
            no_task_ids: true,
            ..LogLayout::default()
        };
        assert_eq!(text(&named(None, 1), bare), "web.0@vm    | hello\n");
        let raw = LogLayout {
            raw: true,
            details: true,
            ..LogLayout::default()
        };
        assert_eq!(
            text(&line, raw),
            "a=1,b=2+x,com.docker.swarm.node.id=1u6djtzbnj33,com.docker.swarm.service.id=sh6olau7y0er,com.docker.swarm.task.id=vvagsz4dv14tetb8god5l1ohk hello\n"
        );
    }

    #[test]
    fn since_reads_docker_forms() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let at = |text| since(text, now).map(|timestamp| timestamp.to_string());
        assert_eq!(
            at("2013-01-02T13:23:37Z").as_deref(),
            Some("2013-01-02T13:23:37Z")
        );
        assert_eq!(
            at("1357133017.5").as_deref(),
            Some("2013-01-02T13:23:37.5Z")
        );
        assert_eq!(at("1357133017").as_deref(), Some("2013-01-02T13:23:37Z"));
        assert_eq!(at("10m").as_deref(), Some("2027-01-15T07:50:00Z"));
        assert_eq!(at("yesterday"), None);
    }

    #[test]
    fn query_escape_is_go_s() {
        assert_eq!(query_escape("a b/c=d"), "a+b%2Fc%3Dd");
    }
}
