//! Durations as people type and read them: `500ms`, `30s`, `2m`, `1h30m`.
//!
//! `--timeout` takes this form, and messages print it back the same way. A few lines of our
//! own instead of a crate: the grammar is one or more number-and-unit pairs.

use std::time::Duration;

/// Parses one or more number-unit pairs (`ms`, `s`, `m`, `h`, `d`; fractions allowed, as in
/// `1.5s`). `None` for anything else, including a bare number.
pub fn parse(input: &str) -> Option<Duration> {
    let text = input.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len =
            rest.find(|character: char| !(character.is_ascii_digit() || character == '.'))?;
        let (number, after) = rest.split_at(number_len);
        let unit_len = after
            .find(|character: char| character.is_ascii_digit() || character == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let value: f64 = number.parse().ok()?;
        let unit_seconds = match unit {
            "ms" => 0.001,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => return None,
        };
        let part = Duration::try_from_secs_f64(value * unit_seconds).ok()?;
        total = total.checked_add(part)?;
        rest = next;
    }
    Some(total)
}

/// Writes a duration the way [`parse`] reads it: `30s`, `2m`, `1m30s`, `2h`, `1500ms`.
pub fn format(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis % 1000 != 0 {
        return format!("{millis}ms");
    }
    let seconds = duration.as_secs();
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_number_unit_pairs() {
        assert_eq!(parse("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse(" 2d "), Some(Duration::from_secs(172_800)));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in ["", "30", "s", "10x", "-5s", "1..2s", "ms30", "1e400s"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_for_messages() {
        assert_eq!(format(Duration::from_secs(30)), "30s");
        assert_eq!(format(Duration::from_secs(120)), "2m");
        assert_eq!(format(Duration::from_secs(90)), "1m30s");
        assert_eq!(format(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format(Duration::from_secs(7200)), "2h");
        assert_eq!(format(Duration::from_secs(3725)), "1h2m5s");
        for text in ["30s", "2m", "1m30s", "1500ms", "2h", "1h2m5s"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }
}
