//! The small text conversions docker applies to task fields in its tables: ages in words,
//! Title-case states, errors cut with an ellipsis, images without digests, ports.
//!
//! Each function follows what `docker service ps` does (docker/cli's task formatter and
//! go-units' `HumanDuration`), so a user comparing the two outputs sees the same words.

use std::borrow::Cow;

use chrono::TimeDelta;
use swarm_tasks::models::PortConfig;

/// A duration in docker's words: `Less than a second`, `5 seconds`, `About a minute`,
/// `12 minutes`, `About an hour`, `3 hours`, `4 days`, `2 weeks`, `3 months`, `2 years`.
///
/// Same thresholds as go-units: minutes are truncated, hours rounded to the nearest, days
/// from 48 hours, weeks from 14 days, months (30 days) from 60 days, years from 2 years.
/// A negative duration (a clock ahead of ours) reads as less than a second.
pub fn human_duration(delta: TimeDelta) -> String {
    // Milliseconds keep this exact enough and cannot overflow for any date a daemon sends.
    let seconds_f = delta.num_milliseconds() as f64 / 1000.0;
    let seconds = seconds_f.trunc() as i64;
    if seconds < 1 {
        return "Less than a second".to_owned();
    }
    if seconds == 1 {
        return "1 second".to_owned();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = (seconds_f / 60.0).trunc() as i64;
    if minutes == 1 {
        return "About a minute".to_owned();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours_f = seconds_f / 3600.0;
    let hours = (hours_f + 0.5).trunc() as i64;
    if hours == 1 {
        "About an hour".to_owned()
    } else if hours < 48 {
        format!("{hours} hours")
    } else if hours < 24 * 7 * 2 {
        format!("{} days", hours / 24)
    } else if hours < 24 * 30 * 2 {
        format!("{} weeks", hours / 24 / 7)
    } else if hours < 24 * 365 * 2 {
        format!("{} months", hours / 24 / 30)
    } else {
        format!("{} years", hours_f.trunc() as i64 / 24 / 365)
    }
}

/// Upper-cases the first character, as docker's `PrettyPrint` does for states
/// (`running` -> `Running`).
pub fn title_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Cuts `text` to at most `max_width` terminal columns, ending in `…` when it was cut,
/// like docker's `formatter.Ellipsis` (wide East Asian characters count as two columns).
pub fn ellipsis(text: &str, max_width: usize) -> Cow<'_, str> {
    if display_width(text) <= max_width {
        return Cow::Borrowed(text);
    }
    if max_width == 0 {
        return Cow::Borrowed("");
    }
    let mut kept = String::new();
    let mut width = 0;
    for character in text.chars() {
        let char_width = char_width(character);
        if width + char_width > max_width - 1 {
            break;
        }
        kept.push(character);
        width += char_width;
    }
    kept.push('…');
    Cow::Owned(kept)
}

/// The number of terminal columns `text` takes.
pub fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Two columns for East Asian wide and full-width characters, one for the rest.
fn char_width(character: char) -> usize {
    let code = u32::from(character);
    let wide = matches!(code,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

/// `*:8080->80/tcp` for each published port, comma-separated.
pub fn ports(ports: &[PortConfig]) -> String {
    ports
        .iter()
        .map(|port| {
            format!(
                "*:{}->{}/{}",
                port.published_port.unwrap_or(0),
                port.target_port.unwrap_or(0),
                port.protocol
                    .as_ref()
                    .map_or("", |protocol| protocol.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use swarm_tasks::models::PortProtocol;

    #[test]
    fn durations_in_docker_words() {
        let cases = [
            (TimeDelta::milliseconds(-5000), "Less than a second"),
            (TimeDelta::milliseconds(999), "Less than a second"),
            (TimeDelta::seconds(1), "1 second"),
            (TimeDelta::seconds(59), "59 seconds"),
            (TimeDelta::seconds(60), "About a minute"),
            (TimeDelta::seconds(119), "About a minute"),
            (TimeDelta::seconds(120), "2 minutes"),
            (TimeDelta::minutes(59), "59 minutes"),
            (TimeDelta::minutes(60), "About an hour"),
            (TimeDelta::minutes(89), "About an hour"),
            (TimeDelta::minutes(90), "2 hours"),
            (TimeDelta::hours(47), "47 hours"),
            (TimeDelta::hours(48), "2 days"),
            (TimeDelta::days(13), "13 days"),
            (TimeDelta::days(14), "2 weeks"),
            (TimeDelta::days(59), "8 weeks"),
            (TimeDelta::days(60), "2 months"),
            (TimeDelta::days(729), "24 months"),
            (TimeDelta::days(730), "2 years"),
            (TimeDelta::days(3650), "10 years"),
        ];
        for (delta, words) in cases {
            assert_eq!(human_duration(delta), words, "{delta:?}");
        }
    }

    #[test]
    fn title_case_of_states() {
        assert_eq!(title_case("running"), "Running");
        assert_eq!(title_case(""), "");
        assert_eq!(title_case("éteint"), "Éteint");
    }

    #[test]
    fn ellipsis_like_docker() {
        assert_eq!(ellipsis("short", 30), "short");
        let long = "No such image: registry.example/team/app:v1";
        let cut = ellipsis(long, 30);
        assert_eq!(cut, "No such image: registry.examp…");
        assert_eq!(display_width(&cut), 30);
        assert_eq!(ellipsis("日本語の長いエラー", 6), "日本…");
        assert_eq!(ellipsis("abc", 0), "");
    }

    #[test]
    fn ports_like_docker() {
        let port = PortConfig {
            protocol: Some(PortProtocol::Tcp),
            target_port: Some(80),
            published_port: Some(8080),
            ..PortConfig::default()
        };
        let udp = PortConfig {
            protocol: Some(PortProtocol::Udp),
            target_port: Some(53),
            published_port: Some(53),
            ..PortConfig::default()
        };
        assert_eq!(ports(&[port, udp]), "*:8080->80/tcp,*:53->53/udp");
        assert_eq!(ports(&[]), "");
    }
}
