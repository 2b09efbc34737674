//! Time values as the daemon sends them: RFC 3339 timestamps with nanoseconds, and durations
//! as int64 nanoseconds.
//!
//! Go trims trailing zeros from the fraction (`RFC3339Nano`), writes no fraction at all for a
//! whole second, and uses two different "never set" values: the Unix epoch for task
//! timestamps and `0001-01-01T00:00:00Z` (Go's zero time) elsewhere. [`Timestamp`] keeps all
//! of that: it parses any RFC 3339 value (with `Z` or an offset) to the same instant, to the
//! nanosecond, and writes it back the way Go does.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant with nanosecond precision, as the daemon writes it.
///
/// ```
/// use swarm_models::Timestamp;
///
/// let ts: Timestamp = "2021-01-09T08:52:31.0673735Z".parse().unwrap();
/// assert_eq!(ts.to_string(), "2021-01-09T08:52:31.0673735Z");
/// assert_eq!(ts.as_datetime().timestamp_subsec_nanos(), 67_373_500);
///
/// // An offset is kept as the same instant, written back in UTC.
/// let shifted: Timestamp = "2021-01-09T10:52:31.0673735+02:00".parse().unwrap();
/// assert_eq!(shifted, ts);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Go's zero time, `0001-01-01T00:00:00Z`, which the daemon sends for unset times.
    pub fn go_zero() -> Self {
        Self(
            DateTime::parse_from_rfc3339("0001-01-01T00:00:00Z")
                .map(|dt| dt.with_timezone(&Utc))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        )
    }

    /// The Unix epoch, `1970-01-01T00:00:00Z`, which task timestamps carry when never set.
    pub fn unix_epoch() -> Self {
        Self(DateTime::<Utc>::UNIX_EPOCH)
    }

    /// Wraps a chrono value.
    pub fn from_datetime(datetime: DateTime<Utc>) -> Self {
        Self(datetime)
    }

    /// The instant as a chrono value.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// True for the two values the daemon uses to mean "never set": the Unix epoch and Go's
    /// zero time.
    pub fn is_unset(&self) -> bool {
        *self == Self::unix_epoch() || *self == Self::go_zero()
    }
}

impl crate::model::Field for Timestamp {}

impl crate::model::Field for NanoDuration {}

impl From<DateTime<Utc>> for Timestamp {
    fn from(datetime: DateTime<Utc>) -> Self {
        Self(datetime)
    }
}

/// The error for a string that is not an RFC 3339 timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RFC 3339 timestamp {input:?}")]
pub struct ParseTimestampError {
    /// The text that failed to parse.
    pub input: String,
    #[source]
    source: chrono::ParseError,
}

impl FromStr for Timestamp {
    type Err = ParseTimestampError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if let Some(datetime) = parse_utc_fast(input) {
            return Ok(Self(datetime));
        }
        DateTime::parse_from_rfc3339(input)
            .map(|dt| Self(dt.with_timezone(&Utc)))
            .map_err(|source| ParseTimestampError {
                input: input.to_owned(),
                source,
            })
    }
}

/// The shape the daemon always writes, `YYYY-MM-DDTHH:MM:SS[.f]Z` with 1 to 9 fraction
/// digits, read directly (a quarter fewer instructions than chrono's general RFC 3339 parser);
/// `None` for anything else (offsets, leap seconds, other separators, invalid dates), which
/// chrono then reads or rejects.
fn parse_utc_fast(input: &str) -> Option<DateTime<Utc>> {
    let bytes = input.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || bytes[bytes.len() - 1] != b'Z'
    {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |acc, byte| {
            byte.is_ascii_digit()
                .then(|| acc * 10 + u32::from(byte - b'0'))
        })
    };
    let year = number(&bytes[0..4])?;
    let (month, day) = (number(&bytes[5..7])?, number(&bytes[8..10])?);
    let (hour, minute) = (number(&bytes[11..13])?, number(&bytes[14..16])?);
    let second = number(&bytes[17..19])?;
    let fraction = &bytes[19..bytes.len() - 1];
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            number(digits)? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    if year == 0 || second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time).and_utc())
}

impl fmt::Display for Timestamp {
    /// Writes Go's `RFC3339Nano`: UTC, `Z`, fraction with trailing zeros trimmed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.0;
        // chrono's RFC 3339 writer handles years 0..=9999; outside that (never sent by a
        // daemon, but reachable from `from_datetime`) fall back to its own format.
        if !(0..=9999).contains(&dt.year()) {
            return write!(f, "{}", dt.to_rfc3339_opts(SecondsFormat::Nanos, true));
        }
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )?;
        let nanos = dt.nanosecond();
        if nanos != 0 {
            let mut digits = format!("{nanos:09}");
            while digits.ends_with('0') {
                digits.pop();
            }
            write!(f, ".{digits}")?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(crate::model::StrVisitor(|text: &str| {
            text.parse::<Timestamp>()
        }))
    }
}

/// A duration as the daemon sends it: a signed count of nanoseconds.
///
/// ```
/// use swarm_models::NanoDuration;
/// use std::time::Duration;
///
/// let delay = NanoDuration(5_000_000_000);
/// assert_eq!(delay.to_std(), Some(Duration::from_secs(5)));
/// assert_eq!(NanoDuration(-1).to_std(), None);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct NanoDuration(pub i64);

impl NanoDuration {
    /// The duration as `std::time::Duration`, or `None` when it is negative.
    pub fn to_std(self) -> Option<Duration> {
        u64::try_from(self.0).ok().map(Duration::from_nanos)
    }

    /// The raw nanosecond count.
    pub fn as_nanos(self) -> i64 {
        self.0
    }
}

impl From<NanoDuration> for i64 {
    fn from(value: NanoDuration) -> Self {
        value.0
    }
}

impl TryFrom<Duration> for NanoDuration {
    type Error = std::num::TryFromIntError;

    fn try_from(value: Duration) -> Result<Self, Self::Error> {
        i64::try_from(value.as_nanos()).map(NanoDuration)
    }
}

#[cfg(feature = "schema")]
mod schema {
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use std::borrow::Cow;

    impl JsonSchema for super::Timestamp {
        fn schema_name() -> Cow<'static, str> {
            "Timestamp".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "format": "date-time",
                "description": "RFC 3339 timestamp with up to nine fractional digits"
            })
        }
    }

    impl JsonSchema for super::NanoDuration {
        fn schema_name() -> Cow<'static, str> {
            "NanoDuration".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "integer",
                "format": "int64",
                "description": "A duration in nanoseconds"
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_nine_digits() {
        let ts: Timestamp = "2016-06-07T21:07:31.171892745Z".parse().unwrap();
        assert_eq!(ts.to_string(), "2016-06-07T21:07:31.171892745Z");
    }

    #[test]
    fn whole_second_has_no_fraction() {
        let ts: Timestamp = "2016-06-07T21:07:31.000Z".parse().unwrap();
        assert_eq!(ts.to_string(), "2016-06-07T21:07:31Z");
    }

    #[test]
    fn unset_values_parse_and_roundtrip() {
        for text in ["1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z"] {
            let ts: Timestamp = text.parse().unwrap();
            assert!(ts.is_unset(), "{text}");
            assert_eq!(ts.to_string(), text);
        }
    }

    #[test]
    fn offset_is_same_instant() {
        let a: Timestamp = "2021-01-09T08:52:31.5Z".parse().unwrap();
        let b: Timestamp = "2021-01-09T07:52:31.5-01:00".parse().unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn the_fast_reader_agrees_with_chrono() {
        let inputs = [
            "2026-11-28T01:47:36.441559917Z",
            "2026-11-28T01:47:36Z",
            "2024-02-29T23:59:59.1Z",
            "0001-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            // Shapes the fast path leaves to chrono, and values both must refuse.
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:60:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:60.5Z",
            "0000-01-01T00:00:00Z",
            "2024-01-01t00:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00.1234567891Z",
            "2024-01-01T00:00:00+00:00",
            "2024-01-01T00:00:00.5-01:30",
            "2024-01-01T0a:00:00Z",
            "+2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00",
        ];
        for input in inputs {
            let chrono = DateTime::parse_from_rfc3339(input)
                .map(|dt| dt.with_timezone(&Utc))
                .ok();
            if let Some(fast) = parse_utc_fast(input) {
                assert_eq!(Some(fast), chrono, "{input}");
            }
            assert_eq!(
                input.parse::<Timestamp>().ok().map(|ts| ts.as_datetime()),
                chrono,
                "{input}"
            );
        }
        assert!(parse_utc_fast(inputs[0]).is_some());
        assert!(parse_utc_fast(inputs[1]).is_some());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let err = "yesterday".parse::<Timestamp>().unwrap_err();
        assert!(err.to_string().contains("yesterday"));
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }
}
