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
    /// Every byte pushed so far.
    body: Vec<u8>,
    /// The first byte not read yet.
    pos: usize,
    state: State,
    /// The elements decoded so far, and where each one's text lies in `body`.
    items: Vec<T>,
    ranges: Vec<Range<usize>>,
    /// The sharing table between two pushes.
    table: Option<SharingTable>,
    /// The length `body` must reach before an element cut by a chunk's end is tried again.
    retry_at: usize,
}

impl<T: DeserializeOwned + Model> Default for ListDecoder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: DeserializeOwned + Model> ListDecoder<T> {
    /// A decoder that has read nothing.
    pub fn new() -> Self {
        Self {
            body: Vec::new(),
            pos: 0,
            state: State::Open,
            items: Vec::new(),
            ranges: Vec::new(),
            table: Some(SharingTable::new()),
            retry_at: 0,
        }
    }

    /// Adds the next bytes of the body and decodes the elements they complete.
    pub fn push(&mut self, chunk: &[u8]) {
        self.body.extend_from_slice(chunk);
        if matches!(self.state, State::Closed | State::Whole) || self.body.len() < self.retry_at {
            return;
        }
        let table = self.table.take().unwrap_or_else(SharingTable::new);
        let scope = SharingScope::resume(table);
        self.advance();
        self.table = Some(scope.suspend());
    }

    /// Reads what can be read from `pos`.
    fn advance(&mut self) {
        let rest = &self.body[self.pos..];
        let text = match std::str::from_utf8(rest) {
            Ok(text) => text,
            // A chunk may end inside a character: read up to it.
            Err(err) if err.error_len().is_none() => {
                match std::str::from_utf8(&rest[..err.valid_up_to()]) {
                    Ok(text) => text,
                    Err(_) => return self.state = State::Whole,
                }
            }
            Err(_) => return self.state = State::Whole,
        };
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
                            self.retry_at = self.body.len() + waiting;
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
    pub fn finish(self) -> Result<Listing<T>, (serde_json::Error, Vec<u8>)> {
        let Self {
            body,
            pos,
            state,
            mut items,
            ranges,
            ..
        } = self;
        let whole = state == State::Closed && body[pos..].iter().all(u8::is_ascii_whitespace);
        if !whole {
            drop(items);
            return decode_list_owned(body);
        }
        let text = match String::from_utf8(body) {
            Ok(text) => Arc::new(text),
            Err(err) => return decode_list_owned(err.into_bytes()),
        };
        for (item, range) in items.iter_mut().zip(ranges) {
            item.keep_sent(AsSent::within(&text, range));
        }
        Ok(Listing::new(items))
    }
}

impl<T> std::fmt::Debug for ListDecoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListDecoder")
            .field("received", &self.body.len())
            .field("read", &self.pos)
            .field("state", &self.state)
            .field("decoded", &self.items.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;
    use crate::{Task, decode_list};

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
