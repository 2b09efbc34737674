//! [`ListDecoder`]: a list body decoded while it arrives, so that parsing overlaps the
//! transfer instead of waiting for its last byte.

use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::shared::{SharingScope, SharingTable};
use crate::{AsSent, Listing, Model, decode_list_owned};

/// Where the reading of `[a, b, ...]` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the `[`.
    Open,
    /// After the `[`: an element or `]`.
    First,
    /// After a `,`: an element.
    Element,
    /// After an element: `,` or `]`.
    Next,
    /// After the `]`: only whitespace may follow.
    Closed,
    /// Something is off (an element that does not decode, a body that is not an array): the
    /// whole body is decoded by [`decode_list_owned`] at the end, which says what.
    Whole,
}

/// Decodes a JSON array of models chunk by chunk, as the bytes come in, with the same result
/// as [`decode_list_owned`] on the whole body: each object keeps its text as sent, equal
/// `Shared` subtrees are parsed once, and a list with an element that does not decode (or a
/// body that is not an array) is decoded again whole at the end, element by element, so
/// failures and errors read exactly as [`decode_list_owned`]'s.
///
/// Each [`push`](Self::push) decodes the elements that are complete so far; an element cut
/// by the end of a chunk is tried again once the bytes waiting for it have doubled, so a
/// huge element in small chunks costs a bounded number of attempts.
///
/// The bytes are kept in segments of up to 2 MiB, not in one buffer that
/// grows: a growing buffer is copied each time it moves (about once more the body, and its
/// pages touched anew), a segment never is. A full segment becomes the text its objects
/// keep (see [`AsSent`]), and only the element cut by its end moves to the next one.
///
/// ```
/// use swarm_models::{ListDecoder, Task};
///
/// let body = br#"[{"ID":"a","Slot":1},{"ID":"b","Slot":2}]"#;
/// let mut decoder = ListDecoder::<Task>::new();
/// for chunk in body.chunks(7) {
///     decoder.push(chunk);
/// }
/// let tasks = decoder.finish().unwrap();
/// assert_eq!(tasks.len(), 2);
/// assert_eq!(tasks[1].as_sent(), Some(r#"{"ID":"b","Slot":2}"#));
/// ```
pub struct ListDecoder<T> {
    /// The segments already full, in order (their objects keep them too).
    full: Vec<Arc<String>>,
    /// The text received since the last full segment.
    segment: String,
    /// The first byte of `segment` not read yet.
    pos: usize,
    /// The bytes of a character cut by the end of the last chunk.
    cut_char: Vec<u8>,
    /// Everything from the first byte that is not UTF-8 on (the body is then decoded whole
    /// at the end, by [`decode_list_owned`], which says where).
    not_text: Vec<u8>,
    /// The bytes of text added to the segments so far.
    received: usize,
    state: State,
    /// The elements decoded so far; those from `in_segment` on lie in `segment`, at
    /// `ranges`, and get their text when it is full.
    items: Vec<T>,
    in_segment: usize,
    ranges: Vec<Range<usize>>,
    /// The sharing table between two pushes.
    table: Option<SharingTable>,
    /// The count `received` must reach before an element cut by a chunk's end is tried again.
    retry_at: usize,
}

/// The size of the first segment of a body; each next one is twice the one before, up to
/// [`SEGMENT_MAX`].
const SEGMENT_FIRST: usize = 16 * 1024;

/// The largest segment (unless one element is larger).
const SEGMENT_MAX: usize = 2 * 1024 * 1024;

impl<T: DeserializeOwned + Model> Default for ListDecoder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: DeserializeOwned + Model> ListDecoder<T> {
    /// A decoder that has read nothing.
    pub fn new() -> Self {
        Self {
            full: Vec::new(),
            segment: String::new(),
            pos: 0,
            cut_char: Vec::new(),
            not_text: Vec::new(),
            received: 0,
            state: State::Open,
            items: Vec::new(),
            in_segment: 0,
            ranges: Vec::new(),
            table: Some(SharingTable::new()),
            retry_at: 0,
        }
    }

    /// Adds the next bytes of the body and decodes the elements they complete.
    pub fn push(&mut self, chunk: &[u8]) {
        if !self.not_text.is_empty() {
            return self.not_text.extend_from_slice(chunk);
        }
        // Each byte is checked once, here: the segments are text from then on.
        let joined;
        let bytes = if self.cut_char.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.cut_char).as_slice(), chunk].concat();
            &joined[..]
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => self.push_text(text),
            Err(err) => {
                let (text, rest) = bytes.split_at(err.valid_up_to());
                // Checked just above.
                self.push_text(std::str::from_utf8(text).unwrap_or_default());
                if err.error_len().is_none() {
                    // A chunk may end inside a character: the next one completes it.
                    self.cut_char = rest.to_vec();
                } else {
                    self.not_text = rest.to_vec();
                    self.state = State::Whole;
                }
            }
        }
    }

    /// Adds text to the segments and decodes the elements it completes.
    fn push_text(&mut self, mut text: &str) {
        while !text.is_empty() {
            let room = self.segment.capacity() - self.segment.len();
            let mut fits = room.min(text.len());
            while !text.is_char_boundary(fits) {
                fits -= 1;
            }
            if fits == 0 {
                self.make_room(text.len());
                continue;
            }
            let (now, later) = text.split_at(fits);
            self.segment.push_str(now);
            self.received += now.len();
            text = later;
            if !self.reading() || self.received < self.retry_at {
                continue;
            }
            let table = self.table.take().unwrap_or_else(SharingTable::new);
            let scope = SharingScope::resume(table);
            self.advance();
            self.table = Some(scope.suspend());
        }
    }

    /// Makes room in `segment` for the next `wanted` bytes: a new segment when this one holds
    /// decoded elements, more room in this one when not (a huge element, or text that is
    /// kept only for the decoding of the whole body at the end).
    fn make_room(&mut self, wanted: usize) {
        if !self.reading() || self.pos == 0 {
            let grow = self.segment.capacity().clamp(SEGMENT_FIRST, SEGMENT_MAX);
            self.segment.reserve(grow.max(wanted.min(SEGMENT_MAX)));
            return;
        }
        // The text of the element cut by this segment's end starts the next one.
        let next_size = (self.segment.capacity() * 2).clamp(SEGMENT_FIRST, SEGMENT_MAX);
        let mut next = String::with_capacity(next_size.max(self.segment.len() - self.pos + 4));
        next.push_str(&self.segment[self.pos..]);
        let mut done = std::mem::replace(&mut self.segment, next);
        done.truncate(self.pos);
        self.pos = 0;
        self.keep_segment(done);
    }

    /// Whether elements are still read as they come (not past the `]`, nothing off).
    fn reading(&self) -> bool {
        !matches!(self.state, State::Closed | State::Whole)
    }

    /// Gives the objects decoded from the current segment their text, `text`.
    fn keep_segment(&mut self, text: String) {
        let text = Arc::new(text);
        for (item, range) in self.items[self.in_segment..]
            .iter_mut()
            .zip(self.ranges.drain(..))
        {
            item.keep_sent(AsSent::within(&text, range));
        }
        self.in_segment = self.items.len();
        self.full.push(text);
    }

    /// Reads what can be read from `pos`.
    fn advance(&mut self) {
        let text = &self.segment[self.pos..];
        let bytes = text.as_bytes();
        let skip_ws = |mut idx: usize| {
            while bytes.get(idx).is_some_and(u8::is_ascii_whitespace) {
                idx += 1;
            }
            idx
        };
        // Where the last element in these bytes most likely starts (after the last `,{`): it
        // is still being received unless the array ends here, so it is not tried yet (a
        // parse cut by the chunk's end is wasted work). Only a hint: a `,{` inside a string
        // moves it, and then an element is tried early, as without the hint.
        let last_start = bytes.windows(2).rposition(|pair| pair == b",{");
        let ends_here = bytes.trim_ascii_end().last() == Some(&b']');
        let mut idx = 0;
        loop {
            idx = skip_ws(idx);
            let Some(&byte) = bytes.get(idx) else { break };
            match self.state {
                State::Open if byte == b'[' => {
                    idx += 1;
                    self.state = State::First;
                }
                State::First | State::Next if byte == b']' => {
                    idx += 1;
                    self.state = State::Closed;
                }
                State::First | State::Element => {
                    if !ends_here && last_start.is_some_and(|start| idx > start) {
                        break;
                    }
                    let mut stream =
                        serde_json::Deserializer::from_str(&text[idx..]).into_iter::<T>();
                    match stream.next() {
                        // An element is whole only when something follows it (`,` or `]`
                        // must): a number at the very end could go on in the next chunk.
                        Some(Ok(item)) if idx + stream.byte_offset() < bytes.len() => {
                            let end = idx + stream.byte_offset();
                            self.items.push(item);
                            self.ranges.push(self.pos + idx..self.pos + end);
                            idx = end;
                            self.state = State::Next;
                        }
                        Some(Ok(_)) | None => break,
                        Some(Err(err)) if err.is_eof() => {
                            // Cut by the chunk's end: wait until the bytes waiting have doubled.
                            let waiting = bytes.len() - idx;
                            self.retry_at = self.received + waiting;
                            break;
                        }
                        Some(Err(_)) => {
                            self.state = State::Whole;
                            break;
                        }
                    }
                }
                State::Next if byte == b',' => {
                    idx += 1;
                    self.state = State::Element;
                }
                State::Closed => break,
                _ => {
                    self.state = State::Whole;
                    break;
                }
            }
        }
        self.pos += idx;
    }

    /// The listing, once the whole body was pushed: what [`decode_list_owned`] gives for it
    /// (including its error, with the body given back, when the body is not a JSON array).
    pub fn finish(mut self) -> Result<Listing<T>, (serde_json::Error, Vec<u8>)> {
        let whole = self.state == State::Closed
            && self.cut_char.is_empty()
            && self.segment[self.pos..].trim_ascii().is_empty();
        if whole {
            let last = std::mem::take(&mut self.segment);
            self.keep_segment(last);
            return Ok(Listing::new(self.items));
        }
        // Not a plain array of models: the whole body, decoded again as one.
        let mut body = Vec::with_capacity(self.received());
        let Self {
            full,
            segment,
            cut_char,
            not_text,
            items,
            ..
        } = self;
        drop(items);
        for text in &full {
            body.extend_from_slice(text.as_bytes());
        }
        body.extend_from_slice(segment.as_bytes());
        body.extend_from_slice(&cut_char);
        body.extend_from_slice(&not_text);
        decode_list_owned(body)
    }
}

impl<T> ListDecoder<T> {
    /// How many bytes were pushed so far.
    pub fn received(&self) -> usize {
        self.received + self.cut_char.len() + self.not_text.len()
    }
}

impl<T> std::fmt::Debug for ListDecoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListDecoder")
            .field("received", &self.received())
            .field("segments", &(self.full.len() + 1))
            .field("state", &self.state)
            .field("decoded", &self.items.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;
    use crate::{Shared, Task, decode_list};

    /// The body pushed in chunks of every size from 1 to its length gives what
    /// `decode_list` gives, texts as sent included.
    fn same_as_decode_list(body: &[u8]) {
        let expected = decode_list::<Task>(body);
        for size in 1..=body.len().max(1) {
            let mut decoder = ListDecoder::<Task>::new();
            for chunk in body.chunks(size) {
                decoder.push(chunk);
            }
            let got = decoder.finish();
            match (&expected, &got) {
                (Ok(expected), Ok(got)) => {
                    assert_eq!(got.items, expected.items, "chunks of {size}");
                    assert_eq!(got.failures, expected.failures, "chunks of {size}");
                    let sent = |list: &Listing<Task>| {
                        list.iter()
                            .map(|task| task.as_sent().map(str::to_owned))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(sent(got), sent(expected), "chunks of {size}");
                }
                (Err(expected), Err((got, back))) => {
                    assert_eq!(got.to_string(), expected.to_string(), "chunks of {size}");
                    assert_eq!(back, body, "the body comes back");
                }
                _ => panic!("chunks of {size}: {expected:?} vs {got:?}"),
            }
        }
    }

    #[test]
    fn any_chunking_decodes_like_the_whole_body() {
        for body in [
            &b" [ {\"ID\":\"a\",\"Spec\":{\"ForceUpdate\":1}} ,\n{\"ID\":\"b\",\"Spec\":{\"ForceUpdate\":1}}]\n"[..],
            b"[]",
            b"  [ ]  ",
            b"[{\"ID\":\"\xc3\xa9t\xc3\xa9\"}]",
            // `,{` inside a string: the hint of where the last element starts is wrong.
            b"[{\"ID\":\"a\"},{\"ID\":\"b,{c\"},{\"ID\":\"d,{\"}]",
            // An element that does not decode: the whole body is decoded element by element.
            b"[{\"ID\":\"a\"},{\"ID\":\"bad\",\"Slot\":\"one\"},7,{\"ID\":\"c\"}]",
            // Not an array, malformed, trailing data, not UTF-8.
            b"{\"ID\":\"a\"}",
            b"[{\"ID\":\"a\"},]",
            b"[{\"ID\":\"a\"}] x",
            b"[{\"ID\":\"a\"}",
            b"[\"\xff\"]",
            b"",
        ] {
            same_as_decode_list(body);
        }
    }

    /// A body of `count` small tasks with two-byte characters in them, `big` bytes of label
    /// in the one at `big_at`.
    fn long_body(count: usize, big_at: usize, big: usize) -> Vec<u8> {
        let mut body = String::from("[\n");
        for idx in 0..count {
            if idx > 0 {
                body.push_str(",\n");
            }
            let label = if idx == big_at {
                "é".repeat(big / 2)
            } else {
                "ü".into()
            };
            body.push_str(&format!(
                r#"{{"ID":"tâche-{idx}","Slot":{idx},"Labels":{{"é":"{label}"}},"Spec":{{"ForceUpdate":{}}}}}"#,
                idx % 3
            ));
        }
        body.push_str("\n]\n");
        body.into_bytes()
    }

    /// Checks that the decoder fed `body` in chunks of `size` gives what `decode_list` gives,
    /// and says how many segments it kept.
    fn compare_in_chunks(body: &[u8], size: usize) -> usize {
        let expected = decode_list::<Task>(body).unwrap();
        let mut decoder = ListDecoder::<Task>::new();
        for chunk in body.chunks(size) {
            decoder.push(chunk);
        }
        let segments = decoder.full.len() + 1;
        let got = decoder.finish().unwrap();
        assert_eq!(got.items, expected.items, "chunks of {size}");
        assert!(got.is_complete(), "chunks of {size}");
        for (got, expected) in got.iter().zip(expected.iter()) {
            assert_eq!(got.as_sent(), expected.as_sent(), "chunks of {size}");
        }
        // Task 0 and the last task with the same spec (`ForceUpdate` is the index mod 3).
        let last_alike = (got.len() - 1) / 3 * 3;
        assert!(
            Shared::ptr_eq(&got[0].spec, &got[last_alike].spec),
            "chunks of {size}: equal specs are shared across segments"
        );
        segments
    }

    #[test]
    fn a_body_over_many_segments_decodes_like_the_whole_body() {
        let body = long_body(4_000, usize::MAX, 0);
        assert!(body.len() > 8 * SEGMENT_FIRST, "{} bytes", body.len());
        for size in [1, 7, 1_000, SEGMENT_FIRST - 1, SEGMENT_FIRST + 1, 70_000] {
            let segments = compare_in_chunks(&body, size);
            assert!(segments >= 3, "chunks of {size}: {segments} segments");
        }
        assert_eq!(
            compare_in_chunks(&body, body.len()),
            1,
            "one push, one segment"
        );
    }

    #[test]
    fn an_element_larger_than_a_segment_stays_whole() {
        let body = long_body(300, 150, 3 * SEGMENT_MAX);
        for size in [4_096, 65_536, SEGMENT_MAX + 3] {
            compare_in_chunks(&body, size);
        }
    }

    #[test]
    fn a_bad_element_in_a_later_segment_gives_decode_lists_answer() {
        let mut body = long_body(4_000, usize::MAX, 0);
        // Task 3,500's Slot becomes a string: that element fails, the others decode.
        let text = String::from_utf8(body.clone()).unwrap();
        let bad = text.replacen(r#""Slot":3500,"#, r#""Slot":"x","#, 1);
        assert_ne!(bad, text);
        body = bad.into_bytes();
        let expected = decode_list::<Task>(&body).unwrap();
        assert_eq!(expected.failures.len(), 1);
        let mut decoder = ListDecoder::<Task>::new();
        for chunk in body.chunks(3_000) {
            decoder.push(chunk);
        }
        let got = decoder.finish().unwrap();
        assert_eq!(got.items, expected.items);
        assert_eq!(got.failures, expected.failures);
        // A body cut short comes back whole with decode_list_owned's error.
        let cut = &body[..body.len() - 10];
        let mut decoder = ListDecoder::<Task>::new();
        for chunk in cut.chunks(5_000) {
            decoder.push(chunk);
        }
        let (err, back) = decoder.finish().unwrap_err();
        assert!(err.is_eof(), "{err}");
        assert_eq!(back, cut);
        // A byte that is not UTF-8 far into the body: decode_list's error, the body back.
        let mut not_text = body.clone();
        let at = not_text.len() - 5_000;
        not_text[at] = 0xff;
        let expected = decode_list::<Task>(&not_text).unwrap_err();
        let mut decoder = ListDecoder::<Task>::new();
        for chunk in not_text.chunks(3_001) {
            decoder.push(chunk);
        }
        assert_eq!(
            decoder.received(),
            not_text.len(),
            "every byte counts, text or not"
        );
        let (err, back) = decoder.finish().unwrap_err();
        assert_eq!(err.to_string(), expected.to_string());
        assert_eq!(back, not_text);
    }

    #[test]
    fn the_element_being_received_is_not_tried_early() {
        let body = br#"[{"ID":"a"},{"ID":"b"},{"ID":"c","Slot":7}]"#;
        let cut = body.len() - 8;
        let mut decoder = ListDecoder::<Task>::new();
        decoder.push(&body[..cut]);
        // The two whole elements are decoded; the third, cut, was not tried (a failed try
        // would have set `retry_at`).
        assert_eq!(decoder.items.len(), 2);
        assert_eq!(decoder.retry_at, 0);
        decoder.push(&body[cut..]);
        assert_eq!(decoder.finish().unwrap()[2].slot, Some(7));
    }

    #[test]
    fn a_huge_element_in_small_chunks_is_tried_a_bounded_number_of_times() {
        let big = format!(
            "[{{\"ID\":\"a\",\"Labels\":{{\"x\":\"{}\"}}}}]",
            "y".repeat(100_000)
        );
        let mut decoder = ListDecoder::<Task>::new();
        let mut attempts = 0;
        for chunk in big.as_bytes().chunks(100) {
            let before = decoder.retry_at;
            decoder.push(chunk);
            if decoder.retry_at != before {
                attempts += 1;
            }
        }
        // Doubling: about log2(100,000 / 100) attempts, not a thousand.
        assert!(attempts < 20, "{attempts} attempts");
        let tasks = decoder.finish().unwrap();
        assert_eq!(tasks[0].labels["x"].len(), 100_000);
    }

    #[test]
    fn equal_specs_are_shared_across_chunks() {
        let body = br#"[{"ID":"a","Spec":{"ForceUpdate":3}},{"ID":"b","Spec":{"ForceUpdate":3}}]"#;
        let mut decoder = ListDecoder::<Task>::new();
        for chunk in body.chunks(10) {
            decoder.push(chunk);
        }
        let tasks = decoder.finish().unwrap();
        assert!(crate::Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec));
    }
}
