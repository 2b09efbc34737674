//! Unit tests of the log decoder, from streams recorded from Docker Engine 20.10.24
//! (`fixtures/logs/`, see docs/fixtures.md) and from hand-made frames for what a healthy
//! daemon does not send on demand (errors, cuts).
//!
//! The recorded service ran two replicas of: `out one` (stdout), `err one` (stderr),
//! `bad \377\376 utf8` (stdout; the json-file driver stored it as U+FFFD twice), a line of
//! 40,000 bytes (the daemon sent it as 16384 + 16384 + 7233 bytes), `out last`, and `err
//! last no newline` (stderr, no newline). The TTY service printed `tty one`, `tty err` (on
//! stderr, merged by the TTY) and `tty last` without a newline.

use super::*;
use crate::logs::line::Prefix;

const SERVICE_PLAIN: &[u8] = include_bytes!("../../fixtures/logs/svc_mux_plain.bin");
const SERVICE_DETAILED: &[u8] = include_bytes!("../../fixtures/logs/svc_mux_details_ts.bin");
const TASK_TIMESTAMPS: &[u8] = include_bytes!("../../fixtures/logs/task_mux_ts.bin");
const TTY_DETAILED: &[u8] = include_bytes!("../../fixtures/logs/svc_tty_details_ts.bin");
const TTY_PLAIN: &[u8] = include_bytes!("../../fixtures/logs/svc_tty_plain.bin");

const TASK_ONE: &str = "3im7vdkhylu1n2bgp3r65k50z";

fn detailed() -> Prefix {
    Prefix {
        timestamps: true,
        details: true,
        keep_timestamp: true,
        keep_details: true,
        ..Prefix::bare()
    }
}

/// Decodes `input` fed in pieces of `piece` bytes; the lines and the outcome of `finish`.
fn decode(
    framing: Framing,
    prefix: Prefix,
    input: &[u8],
    piece: usize,
) -> (Vec<LogLine>, Result<(), DecodeError>) {
    let mut decoder = LogDecoder::with_prefix(framing, prefix);
    let mut lines = Vec::new();
    for chunk in input.chunks(piece.max(1)) {
        if let Err(err) = decoder.push(chunk) {
            lines.extend(std::iter::from_fn(|| decoder.next_line()));
            return (lines, Err(err));
        }
        lines.extend(std::iter::from_fn(|| decoder.next_line()));
    }
    let outcome = decoder.finish();
    lines.extend(std::iter::from_fn(|| decoder.next_line()));
    (lines, outcome)
}

fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![kind, 0, 0, 0];
    bytes.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

fn texts(lines: &[LogLine]) -> Vec<(LogSource, String)> {
    lines
        .iter()
        .map(|line| {
            let text = line.text();
            let shown = if text.len() > 40 {
                format!("{}..{} bytes", &text[..4], line.line.len())
            } else {
                text.into_owned()
            };
            (line.source, shown)
        })
        .collect()
}

#[test]
fn recorded_service_stream_gives_every_line_of_both_tasks() {
    let (lines, outcome) = decode(Framing::Detect, Prefix::bare(), SERVICE_PLAIN, usize::MAX);
    assert_eq!(outcome, Ok(()));
    let one_task = [
        (LogSource::Stdout, "out one".to_owned()),
        (LogSource::Stdout, "bad \u{fffd}\u{fffd} utf8".to_owned()),
        (LogSource::Stderr, "err one".to_owned()),
        (LogSource::Stdout, "0000..40000 bytes".to_owned()),
        (LogSource::Stdout, "out last".to_owned()),
        (LogSource::Stderr, "err last no newline".to_owned()),
    ];
    let got = texts(&lines);
    assert_eq!(got.len(), 12, "{got:?}");
    assert_eq!(got[..6], one_task[..]);
    let long = &lines[3].line;
    assert!(long.ends_with(b"07") && long[..39_999].iter().all(|byte| *byte == b'0'));
}

#[test]
fn recorded_details_name_the_task_service_and_node_of_each_line() {
    let (lines, outcome) = decode(Framing::Detect, detailed(), SERVICE_DETAILED, usize::MAX);
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines.len(), 12);
    for line in &lines {
        assert_eq!(line.node_id.as_deref(), Some("sz3cs52ypzsspet0a0z13m6du"));
        assert_eq!(
            line.service_id.as_deref(),
            Some("oma547g6f2ot1eelgtjy6ueup")
        );
        assert!(line.timestamp.is_some() && line.details.is_empty());
    }
    let first_task: Vec<&LogLine> = lines
        .iter()
        .filter(|line| line.task_id.as_deref() == Some(TASK_ONE))
        .collect();
    assert_eq!(first_task.len(), 6);
    assert_eq!(first_task[0].line, b"out one");
    assert_eq!(
        first_task[0].timestamp.as_ref().map(ToString::to_string),
        Some("2026-12-02T03:20:29.978126457Z".to_owned())
    );
    let long = first_task[3];
    assert_eq!(long.line.len(), 40_000, "the three pieces are joined");
    assert_eq!(
        long.timestamp.as_ref().map(ToString::to_string),
        Some("2026-12-02T03:20:29.978634961Z".to_owned())
    );
    assert_eq!(first_task[5].line, b"err last no newline");
}

#[test]
fn any_split_of_the_recorded_bytes_decodes_the_same() {
    let (whole, _) = decode(Framing::Detect, detailed(), SERVICE_DETAILED, usize::MAX);
    for piece in [1, 3, 7, 8, 9, 100, 4096, 16_389] {
        let (split, outcome) = decode(Framing::Detect, detailed(), SERVICE_DETAILED, piece);
        assert_eq!(outcome, Ok(()));
        assert_eq!(split, whole, "pieces of {piece} bytes");
    }
}

#[test]
fn recorded_task_stream_with_timestamps() {
    let prefix = Prefix {
        timestamps: true,
        keep_timestamp: true,
        ..Prefix::bare()
    };
    let (lines, outcome) = decode(Framing::Multiplexed, prefix, TASK_TIMESTAMPS, 5);
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[2].source, LogSource::Stderr);
    assert_eq!(lines[2].line, b"err one");
    assert!(lines.iter().all(|line| line.timestamp.is_some()));
}

#[test]
fn recorded_tty_streams_are_raw_lines() {
    let (lines, outcome) = decode(Framing::Detect, detailed(), TTY_DETAILED, 10);
    assert_eq!(outcome, Ok(()));
    assert_eq!(
        texts(&lines),
        vec![
            (LogSource::Stdout, "tty one".to_owned()),
            (LogSource::Stdout, "tty err".to_owned()),
            (LogSource::Stdout, "tty last".to_owned()),
        ]
    );
    assert!(
        lines
            .iter()
            .all(|line| line.task_id.as_deref() == Some("va5ersvgikkz1b8c39zwu6bqk"))
    );
    let (plain, _) = decode(Framing::Detect, Prefix::bare(), TTY_PLAIN, usize::MAX);
    assert_eq!(plain.len(), 3);
    assert_eq!(plain[2].line, b"tty last", "a last line without newline");
}

#[test]
fn a_stream_cut_mid_frame_delivers_the_lines_before_it_then_fails() {
    // Cut inside the payload of the fourth frame (the first piece of the long line).
    let cut = 8 + 8 + 8 + 16 + 8 + 8 + 8 + 100;
    let (lines, outcome) = decode(Framing::Detect, Prefix::bare(), &SERVICE_PLAIN[..cut], 64);
    assert_eq!(texts(&lines).len(), 3);
    assert_eq!(outcome, Err(DecodeError::Cut { missing: 16_284 }));
    // Cut inside a header.
    let (lines, outcome) = decode(
        Framing::Multiplexed,
        Prefix::bare(),
        &SERVICE_PLAIN[..19],
        4,
    );
    assert_eq!(lines.len(), 1);
    assert_eq!(outcome, Err(DecodeError::Cut { missing: 5 }));
}

#[test]
fn a_daemon_error_frame_ends_the_stream_with_its_message() {
    let mut input = frame(1, b"before\n");
    input.extend(frame(3, b"log driver failed\n"));
    input.extend(frame(1, b"never\n"));
    let (lines, outcome) = decode(Framing::Detect, Prefix::bare(), &input, 3);
    assert_eq!(
        texts(&lines),
        vec![(LogSource::Stdout, "before".to_owned())]
    );
    assert_eq!(
        outcome,
        Err(DecodeError::Daemon {
            message: "log driver failed".into()
        })
    );
}

#[test]
fn bad_headers_fail_instead_of_allocating() {
    let mut input = frame(1, b"ok\n");
    input.extend([9, 0, 0, 0, 0, 0, 0, 1, b'x']);
    let (lines, outcome) = decode(Framing::Multiplexed, Prefix::bare(), &input, 100);
    assert_eq!(lines.len(), 1);
    assert_eq!(outcome, Err(DecodeError::UnknownKind { kind: 9 }));

    let mut decoder = LogDecoder::with_prefix(Framing::Multiplexed, Prefix::bare()).max_line(1024);
    let outcome = decoder.push(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    assert!(matches!(
        outcome,
        Err(DecodeError::FrameTooLarge { limit: 1024, .. })
    ));
}

#[test]
fn invalid_utf8_and_a_megabyte_line_are_kept_as_sent() {
    let mut long = vec![b'x'; 1 << 20];
    long.push(b'\n');
    let mut input = frame(2, b"caf\xe9 \xff\n");
    input.extend(frame(1, &long));
    let (lines, outcome) = decode(Framing::Detect, Prefix::bare(), &input, 65_536);
    assert_eq!(outcome, Ok(()));
    assert_eq!(lines[0].line, b"caf\xe9 \xff");
    assert_eq!(lines[0].text(), "caf\u{fffd} \u{fffd}");
    assert_eq!(lines[1].line.len(), 1 << 20);
}

#[test]
fn only_daemon_sized_pieces_wait_for_their_continuation() {
    // A prompt without a newline is delivered at once, before the next frame arrives.
    let mut decoder = LogDecoder::with_prefix(Framing::Multiplexed, Prefix::bare());
    decoder.push(&frame(1, b"password: ")).unwrap();
    assert_eq!(
        decoder.next_line().map(|line| line.line),
        Some(b"password: ".to_vec())
    );
    // A 16 KiB piece waits; a piece of another task's output does not join it.
    decoder.push(&frame(1, &[b'a'; 16 * 1024])).unwrap();
    assert_eq!(decoder.next_line(), None);
    decoder.push(&frame(2, b"other\n")).unwrap();
    assert_eq!(
        decoder.next_line().map(|line| line.line.len()),
        Some(16 * 1024)
    );
    assert_eq!(
        decoder.next_line().map(|line| line.line),
        Some(b"other".to_vec())
    );
}

#[test]
fn raw_lines_longer_than_the_limit_come_in_pieces() {
    let mut input = vec![b'y'; 2500];
    input.extend(b"\nend");
    let mut decoder = LogDecoder::with_prefix(Framing::Raw, Prefix::bare())
        .max_line(1000)
        .raw_source(LogSource::Stderr);
    decoder.push(&input).unwrap();
    decoder.finish().unwrap();
    let lengths: Vec<(LogSource, usize)> = std::iter::from_fn(|| decoder.next_line())
        .map(|line| (line.source, line.line.len()))
        .collect();
    assert_eq!(
        lengths,
        vec![
            (LogSource::Stderr, 1000),
            (LogSource::Stderr, 1000),
            (LogSource::Stderr, 500),
            (LogSource::Stderr, 3)
        ]
    );
}

#[test]
fn streams_and_until_filter_lines() {
    let until: swarm_models::Timestamp = "2026-12-02T03:20:29.9782Z".parse().unwrap();
    let prefix = Prefix {
        stderr: false,
        until: Some(until),
        ..detailed()
    };
    let (lines, _) = decode(Framing::Detect, prefix, SERVICE_DETAILED, usize::MAX);
    // Task one's lines before 03:20:29.9782 on stdout are `out one` only; task two wrote
    // all its lines before that time.
    let shown: Vec<String> = lines.iter().map(|line| line.text().into_owned()).collect();
    assert!(lines.iter().all(|line| line.source == LogSource::Stdout));
    assert!(shown.contains(&"out one".to_owned()));
    assert_eq!(
        lines
            .iter()
            .filter(|line| line.task_id.as_deref() == Some(TASK_ONE))
            .count(),
        1
    );
}

#[test]
fn the_buffer_does_not_grow_with_the_stream() {
    let mut decoder = LogDecoder::with_prefix(Framing::Multiplexed, Prefix::bare());
    let frames: Vec<u8> = (0..100)
        .flat_map(|idx| frame(1, format!("line {idx}\n").as_bytes()))
        .collect();
    let mut peak = 0;
    for _ in 0..1000 {
        for piece in frames.chunks(333) {
            decoder.push(piece).unwrap();
            while decoder.next_line().is_some() {}
            peak = peak.max(decoder.buffered());
        }
    }
    assert!(peak < 8 * 1024, "peak buffer {peak} bytes");
}
