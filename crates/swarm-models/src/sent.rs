//! Objects as the daemon sent them: [`AsSent`] keeps the exact JSON text of one object beside
//! its typed value, and [`decode_list`] / [`decode_one`] read a response body keeping it.
//!
//! The typed value is canonical (timestamps in UTC with Go's trimmed fraction, empty values
//! left out); the text is what `docker inspect` would print. Output that promises "the
//! object as the daemon sent it" writes the text, re-indented with [`AsSent::write_compact`]
//! or [`AsSent::write_pretty`], and never the typed value.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use serde_json::value::RawValue;

use crate::Model;
use crate::listing::{ItemFailure, Listing};
use crate::shared::SharingScope;

/// The JSON text of one object exactly as it was received. Cloning is cheap: the text of
/// every object of one response is kept once and shared.
///
/// Two `AsSent` are equal when their texts are; the models' own `PartialEq` ignores this
/// field, so a decoded object equals the same object built by hand.
#[derive(Clone)]
pub struct AsSent {
    body: Arc<String>,
    range: Range<usize>,
}

impl AsSent {
    /// The part `range` of a shared body (one element of a list).
    pub(crate) fn within(body: &Arc<String>, range: Range<usize>) -> Self {
        Self {
            body: Arc::clone(body),
            range,
        }
    }

    /// Keeps `text`, which must be one JSON value (as a daemon or `docker inspect` wrote it).
    pub fn new(text: impl Into<String>) -> Self {
        let body = text.into();
        let range = 0..body.len();
        Self {
            body: Arc::new(body),
            range,
        }
    }

    /// The object's JSON text, as received (whitespace included).
    pub fn as_str(&self) -> &str {
        self.body.get(self.range.clone()).unwrap_or_default()
    }

    /// Appends the object's JSON without any whitespace between tokens.
    ///
    /// ```
    /// use swarm_models::AsSent;
    ///
    /// let sent = AsSent::new("{ \"A\" : [1, 2.50], \"B\": \"x y\" }");
    /// let mut out = Vec::new();
    /// sent.write_compact(&mut out);
    /// assert_eq!(out, br#"{"A":[1,2.50],"B":"x y"}"#);
    /// ```
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        reformat(self.as_str().as_bytes(), out, None, 0);
    }

    /// Appends the object's JSON indented the way `serde_json`'s pretty printer (and
    /// `docker inspect`) lays it out: one member per line, `indent` per level, `": "` after
    /// keys, empty objects and arrays as `{}` and `[]`. `level` is the depth the object starts
    /// at (its first line is not indented; its inner lines are).
    ///
    /// ```
    /// use swarm_models::AsSent;
    ///
    /// let sent = AsSent::new(r#"{"A":[1,2.50],"B":{},"C":"x\"y"}"#);
    /// let mut out = Vec::new();
    /// sent.write_pretty(&mut out, b"  ", 0);
    /// let expected = "{\n  \"A\": [\n    1,\n    2.50\n  ],\n  \"B\": {},\n  \"C\": \"x\\\"y\"\n}";
    /// assert_eq!(String::from_utf8(out).unwrap(), expected);
    /// ```
    pub fn write_pretty(&self, out: &mut Vec<u8>, indent: &[u8], level: usize) {
        reformat(self.as_str().as_bytes(), out, Some(indent), level);
    }
}

impl PartialEq for AsSent {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for AsSent {}

impl fmt::Debug for AsSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AsSent({} bytes)", self.range.len())
    }
}

/// Appends `item` as compact JSON: its text as sent when it was kept, else its canonical
/// serialization.
pub fn write_compact<T: Model + Serialize>(
    item: &T,
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    match item.sent() {
        Some(sent) => sent.write_compact(out),
        None => serde_json::to_writer(&mut *out, item)?,
    }
    Ok(())
}

/// Appends `items` as one JSON array laid out like `serde_json`'s pretty printer with
/// `indent` (as `docker inspect` prints, with four spaces): each object as sent when its
/// text was kept, else its canonical serialization.
///
/// ```
/// use swarm_models::{Task, decode_list, write_pretty_array};
///
/// let tasks =
///     decode_list::<Task>(br#"[{"ID":"a","CreatedAt":"2024-05-01T12:00:00.10+02:00","Labels":{}}]"#)
///         .unwrap();
/// let mut out = Vec::new();
/// write_pretty_array(&tasks, b"  ", &mut out).unwrap();
/// let expected = "[\n  {\n    \"ID\": \"a\",\n    \"CreatedAt\": \"2024-05-01T12:00:00.10+02:00\",\n    \"Labels\": {}\n  }\n]";
/// assert_eq!(String::from_utf8(out).unwrap(), expected);
/// ```
pub fn write_pretty_array<T: Model + Serialize>(
    items: &[T],
    indent: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), serde_json::Error> {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return Ok(());
    }
    out.push(b'[');
    let mut scratch = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            out.push(b',');
        }
        out.push(b'\n');
        out.extend_from_slice(indent);
        match item.sent() {
            Some(sent) => sent.write_pretty(out, indent, 1),
            None => {
                scratch.clear();
                serde_json::to_writer(&mut scratch, item)?;
                reformat(&scratch, out, Some(indent), 1);
            }
        }
    }
    out.extend_from_slice(b"\n]");
    Ok(())
}

/// Copies well-formed JSON `text` into `out` without its whitespace, re-indenting when
/// `indent` is given. Strings and numbers are copied byte for byte.
fn reformat(text: &[u8], out: &mut Vec<u8>, indent: Option<&[u8]>, mut level: usize) {
    let newline = |out: &mut Vec<u8>, level: usize| {
        if let Some(indent) = indent {
            out.push(b'\n');
            for _ in 0..level {
                out.extend_from_slice(indent);
            }
        }
    };
    out.reserve(text.len());
    let mut idx = 0;
    while idx < text.len() {
        let byte = text[idx];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => idx += 1,
            b'"' => {
                let start = idx;
                idx += 1;
                while idx < text.len() {
                    match text[idx] {
                        b'\\' => idx += 2,
                        b'"' => {
                            idx += 1;
                            break;
                        }
                        _ => idx += 1,
                    }
                }
                out.extend_from_slice(&text[start..idx.min(text.len())]);
            }
            b'{' | b'[' => {
                let close = if byte == b'{' { b'}' } else { b']' };
                out.push(byte);
                idx += 1;
                while idx < text.len() && text[idx].is_ascii_whitespace() {
                    idx += 1;
                }
                if text.get(idx) == Some(&close) {
                    out.push(close);
                    idx += 1;
                } else {
                    level += 1;
                    newline(out, level);
                }
            }
            b'}' | b']' => {
                level = level.saturating_sub(1);
                newline(out, level);
                out.push(byte);
                idx += 1;
            }
            b',' => {
                out.push(b',');
                newline(out, level);
                idx += 1;
            }
            b':' => {
                out.push(b':');
                if indent.is_some() {
                    out.push(b' ');
                }
                idx += 1;
            }
            _ => {
                out.push(byte);
                idx += 1;
            }
        }
    }
}

/// Reads a JSON array of objects (a `GET /tasks` body, `docker inspect` output) element by
/// element, keeping each object's text in its `AsSent` field (for the types that have one).
///
/// The elements that decode are the [`Listing`]'s items; each one that does not becomes an
/// [`ItemFailure`] (its index, its `ID` when readable, the decode error), so one odd object
/// never hides the others. Only a body that is not a JSON array fails as a whole. The body is
/// validated as UTF-8 once and shared by every object.
///
/// ```
/// use swarm_models::{Task, decode_list};
///
/// let body = br#"[ {"ID":"a","CreatedAt":"2024-05-01T12:00:00.100+02:00"}, {"ID":"b","Labels":null} ]"#;
/// let tasks = decode_list::<Task>(body)?;
/// assert_eq!(tasks[0].as_sent(), Some(r#"{"ID":"a","CreatedAt":"2024-05-01T12:00:00.100+02:00"}"#));
/// assert_eq!(tasks[1].as_sent(), Some(r#"{"ID":"b","Labels":null}"#));
/// assert_eq!(tasks[1], Task { id: "b".into(), ..Task::default() });
///
/// let partial = decode_list::<Task>(br#"[{"ID":"good"},{"ID":"bad","Slot":"one"},7]"#)?;
/// assert_eq!(partial.len(), 1);
/// assert_eq!(partial.failures[0].id.as_deref(), Some("bad"));
/// assert_eq!((partial.failures[0].index, partial.failures[1].index), (1, 2));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn decode_list<T: DeserializeOwned + Model>(
    body: &[u8],
) -> Result<Listing<T>, serde_json::Error> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        // Not UTF-8: serde_json says where, with its usual error.
        Err(_) => return serde_json::from_slice::<Vec<T>>(body).map(Listing::new),
    };
    decode_text(&Arc::new(text.to_owned()))
}

/// [`decode_list`] for a body the caller gives away (a transport's response buffer): the
/// same result, without copying the body (the objects' [`AsSent`] text is the buffer itself).
/// When the body is not a JSON array, the error comes with the body given back, for a
/// report that quotes it.
///
/// ```
/// use swarm_models::{Task, decode_list_owned};
///
/// let tasks = decode_list_owned::<Task>(br#"[{"ID":"a"}]"#.to_vec()).unwrap();
/// assert_eq!(tasks[0].as_sent(), Some(r#"{"ID":"a"}"#));
///
/// let (err, body) = decode_list_owned::<Task>(b"[1,".to_vec()).unwrap_err();
/// assert_eq!(body, b"[1,");
/// assert!(err.is_eof());
/// ```
pub fn decode_list_owned<T: DeserializeOwned + Model>(
    body: Vec<u8>,
) -> Result<Listing<T>, (serde_json::Error, Vec<u8>)> {
    match String::from_utf8(body) {
        Ok(text) => {
            let shared = Arc::new(text);
            match decode_text(&shared) {
                Ok(listing) => Ok(listing),
                // Nothing decoded holds the text any more: it is the caller's again.
                Err(err) => Err((
                    err,
                    Arc::try_unwrap(shared)
                        .map(String::into_bytes)
                        .unwrap_or_else(|shared| shared.as_bytes().to_vec()),
                )),
            }
        }
        // Not UTF-8: serde_json says where, with its usual error.
        Err(not_utf8) => match serde_json::from_slice::<Vec<T>>(not_utf8.as_bytes()) {
            Ok(items) => Ok(Listing::new(items)),
            Err(err) => Err((err, not_utf8.into_bytes())),
        },
    }
}

/// The body of [`decode_list`] once it is known to be UTF-8.
fn decode_text<T: DeserializeOwned + Model>(
    shared: &Arc<String>,
) -> Result<Listing<T>, serde_json::Error> {
    // Equal subtrees (`Shared` fields) of this body are parsed once. The slow path parses
    // without sharing, so its per-item errors read as a plain parse's.
    let scope = SharingScope::enter();
    let fast = split_list::<T>(shared);
    drop(scope);
    match fast {
        Some(Ok(items)) => Ok(Listing::new(items)),
        // Some element does not decode, or the body is malformed: go element by element.
        Some(Err(())) | None => decode_each(shared),
    }
}

/// The slow path of [`decode_list`]: the body as an array of raw elements (a syntax error
/// fails the whole body, with serde_json's line and column), each decoded on its own.
fn decode_each<T: DeserializeOwned + Model>(
    body: &Arc<String>,
) -> Result<Listing<T>, serde_json::Error> {
    let text = body.as_str();
    let elements: Vec<&RawValue> = serde_json::from_str(text)?;
    let mut listing = Listing::new(Vec::with_capacity(elements.len()));
    for (index, element) in elements.into_iter().enumerate() {
        match serde_json::from_str::<T>(element.get()) {
            Ok(mut item) => {
                let start = element.get().as_ptr() as usize - text.as_ptr() as usize;
                item.keep_sent(AsSent {
                    body: Arc::clone(body),
                    range: start..start + element.get().len(),
                });
                listing.items.push(item);
            }
            Err(err) => listing.failures.push(ItemFailure {
                index,
                id: readable_id(element),
                message: crate::decode_error_text(&err),
            }),
        }
    }
    Ok(listing)
}

/// The `ID` of an element that did not decode, if it is an object with a string `ID`.
fn readable_id(element: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct JustId {
        #[serde(rename = "ID")]
        id: Option<String>,
    }
    serde_json::from_str::<JustId>(element.get()).ok()?.id
}

/// Reads one JSON object (a `GET /tasks/{id}` body) keeping its text.
///
/// ```
/// use swarm_models::{Task, decode_one};
///
/// let task: Task = decode_one(b"{\"ID\":\"a\",\"Status\":{}}\n").unwrap();
/// assert_eq!(task.as_sent(), Some("{\"ID\":\"a\",\"Status\":{}}"));
/// ```
pub fn decode_one<T: DeserializeOwned + Model>(body: &[u8]) -> Result<T, serde_json::Error> {
    let Ok(text) = std::str::from_utf8(body) else {
        return serde_json::from_slice(body);
    };
    let mut value: T = serde_json::from_str(text)?;
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let start = trimmed.as_ptr() as usize - text.as_ptr() as usize;
    value.keep_sent(AsSent {
        body: Arc::new(text.to_owned()),
        range: start..start + trimmed.len(),
    });
    Ok(value)
}

/// Splits `[a, b, ...]` into typed elements in one pass, noting where each starts and ends.
/// `None` or `Some(Err)` when the body is not such an array (the caller reports why).
fn split_list<T: DeserializeOwned + Model>(body: &Arc<String>) -> Option<Result<Vec<T>, ()>> {
    let text = body.as_str();
    let bytes = text.as_bytes();
    let skip_ws = |mut idx: usize| {
        while idx < bytes.len() && bytes[idx].is_ascii_whitespace() {
            idx += 1;
        }
        idx
    };
    let mut idx = skip_ws(0);
    if bytes.get(idx) != Some(&b'[') {
        return None;
    }
    idx = skip_ws(idx + 1);
    let mut items = Vec::new();
    if bytes.get(idx) == Some(&b']') {
        idx += 1;
    } else {
        loop {
            let rest = text.get(idx..)?;
            let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<T>();
            let mut item = match stream.next() {
                Some(Ok(item)) => item,
                _ => return Some(Err(())),
            };
            let end = idx + stream.byte_offset();
            item.keep_sent(AsSent {
                body: Arc::clone(body),
                range: idx..end,
            });
            items.push(item);
            idx = skip_ws(end);
            match bytes.get(idx) {
                Some(b',') => idx = skip_ws(idx + 1),
                Some(b']') => {
                    idx += 1;
                    break;
                }
                _ => return Some(Err(())),
            }
        }
    }
    if skip_ws(idx) != bytes.len() {
        return Some(Err(()));
    }
    Some(Ok(items))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;
    use crate::{Node, Service, Task};

    #[test]
    fn every_element_keeps_its_own_text() {
        let body = b"\n[\n  {\"ID\": \"a\", \"Spec\": {\"X\": null}} ,{\"ID\":\"b\"}\n]\n";
        let tasks = decode_list::<Task>(body).unwrap();
        assert!(tasks.is_complete());
        assert_eq!(tasks.len(), 2);
        assert_eq!(
            tasks[0].as_sent(),
            Some("{\"ID\": \"a\", \"Spec\": {\"X\": null}}")
        );
        assert_eq!(tasks[1].as_sent(), Some("{\"ID\":\"b\"}"));
        let services = decode_list::<Service>(b"[{\"ID\":\"s\"}]").unwrap();
        assert_eq!(services[0].as_sent(), Some("{\"ID\":\"s\"}"));
        let nodes = decode_list::<Node>(b"[]").unwrap();
        assert!(nodes.is_empty());
    }

    #[test]
    fn the_owned_body_decodes_like_the_borrowed_one() {
        for body in [
            &b"[{\"ID\":\"a\",\"Spec\":{\"ForceUpdate\":1}},{\"ID\":\"b\",\"Slot\":\"x\"}]"[..],
            b"[]",
            b"[\"\xff\"]",
            b"[{\"ID\":\"a\"},]",
        ] {
            let owned = decode_list_owned::<Task>(body.to_vec()).map_err(|(err, back)| {
                assert_eq!(back, body, "the body is given back with the error");
                err.to_string()
            });
            let borrowed = decode_list::<Task>(body).map_err(|err| err.to_string());
            match (owned, borrowed) {
                (Ok(owned), Ok(borrowed)) => {
                    assert_eq!(owned.items, borrowed.items, "{body:?}");
                    assert_eq!(owned.failures, borrowed.failures, "{body:?}");
                    let sent = |listing: &Listing<Task>| -> Vec<Option<String>> {
                        listing
                            .iter()
                            .map(|t| t.as_sent().map(str::to_owned))
                            .collect()
                    };
                    assert_eq!(sent(&owned), sent(&borrowed), "{body:?}");
                }
                (owned, borrowed) => assert_eq!(owned.err(), borrowed.err(), "{body:?}"),
            }
        }
    }

    #[test]
    fn bad_bodies_fail_like_a_plain_parse() {
        for body in [
            &b"[{\"ID\":\"a\"} {\"ID\":\"b\"}]"[..],
            b"[{\"ID\":\"a\"},]",
            b"[{\"ID\":\"a\"}] x",
            b"{\"ID\":\"a\"}",
            b"[\"\xff\"]",
            b"",
        ] {
            let ours = decode_list::<Task>(body).unwrap_err().to_string();
            let plain = serde_json::from_slice::<Vec<Task>>(body)
                .unwrap_err()
                .to_string();
            assert_eq!(ours, plain, "{body:?}");
        }
    }

    #[test]
    fn a_well_formed_element_that_does_not_decode_is_a_failure_not_an_error() {
        let listing = decode_list::<Task>(b"[{\"ID\":1},{\"ID\":\"b\"}]").unwrap();
        assert_eq!(listing.len(), 1);
        assert_eq!(listing[0].as_sent(), Some("{\"ID\":\"b\"}"));
        assert_eq!(listing.failures.len(), 1);
        assert_eq!(listing.failures[0].index, 0);
        assert!(
            listing.failures[0].message.contains("invalid type"),
            "{:?}",
            listing.failures
        );
    }

    #[test]
    fn reformatting_keeps_every_token() {
        let text =
            r#" { "A" : [ ] , "B" : { "C" : "a \" b \\" , "D" : [ 1e3 , -0.0 , null , true ] } } "#;
        let sent = AsSent::new(text);
        let mut compact = Vec::new();
        sent.write_compact(&mut compact);
        assert_eq!(
            String::from_utf8(compact).unwrap(),
            r#"{"A":[],"B":{"C":"a \" b \\","D":[1e3,-0.0,null,true]}}"#
        );
        let mut pretty = Vec::new();
        sent.write_pretty(&mut pretty, b"    ", 1);
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let mut expected = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut expected, formatter);
        serde::Serialize::serialize(&[&value], &mut ser).unwrap();
        // serde_json's array wrapper puts the object at level 1, as write_pretty(.., 1) does.
        let expected = String::from_utf8(expected).unwrap();
        let inner = expected
            .strip_prefix("[\n    ")
            .unwrap()
            .strip_suffix("\n]")
            .unwrap();
        assert_eq!(
            String::from_utf8(pretty).unwrap().replace("1e3", "1000.0"),
            inner
        );
    }
}
