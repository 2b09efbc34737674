//! Lists that keep what decodes: one object the models cannot read does not hide the others.
//!
//! The daemon answers `/tasks`, `/services` and `/nodes` with a JSON array.
//! [`decode_list`](crate::decode_list) decodes each element on its own: the elements that decode become [`Listing::items`], and
//! each one that does not becomes an [`ItemFailure`] with its position, its `ID` when that
//! much is readable, and the decode error. Only a body that is not a JSON array at all fails
//! the whole list.

/// One element of a list that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFailure {
    /// Its position in the list as the daemon sent it (0-based).
    pub index: usize,
    /// Its `ID`, when the element is an object with a string `ID`.
    pub id: Option<String>,
    /// What did not decode, in serde_json's words (line and column inside the element),
    /// without the string values they would quote ([`decode_error_text`]).
    pub message: String,
}

impl std::fmt::Display for ItemFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "item {} (ID {id}): {}", self.index, self.message),
            None => write!(f, "item {}: {}", self.index, self.message),
        }
    }
}

/// A JSON decoding error whose text never quotes a string value of the input: an `Env`
/// entry can hold a password, and serde_json's own text would repeat it
/// (`invalid type: string "PASSWORD=..."`). It reads `invalid type: string (value not
/// shown), expected a sequence at line 1 column 803`; [`DecodeError::json_error`] gives the
/// original.
pub struct DecodeError(serde_json::Error);

impl DecodeError {
    /// 1-based line of the error (0 when unknown).
    pub fn line(&self) -> usize {
        self.0.line()
    }

    /// 1-based column of the error (0 when unknown).
    pub fn column(&self) -> usize {
        self.0.column()
    }

    /// serde_json's error, whose text may quote the input.
    pub fn json_error(&self) -> &serde_json::Error {
        &self.0
    }
}

impl From<serde_json::Error> for DecodeError {
    fn from(error: serde_json::Error) -> Self {
        Self(error)
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&decode_error_text(&self.0))
    }
}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DecodeError")
            .field(&decode_error_text(&self.0))
            .finish()
    }
}

impl std::error::Error for DecodeError {}

/// serde_json's text for `error` without the string values it quotes (`string "..."` becomes
/// `string (value not shown)`), so no input value reaches a message or a log.
pub fn decode_error_text(error: &serde_json::Error) -> String {
    const QUOTED: &str = "string \"";
    let text = error.to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(QUOTED) {
        out.push_str(&rest[..at]);
        out.push_str("string (value not shown)");
        // The value is Debug-quoted: skip to its closing quote, past escaped ones.
        let mut escaped = false;
        let mut end = rest.len();
        for (offset, character) in rest[at + QUOTED.len()..].char_indices() {
            match character {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = at + QUOTED.len() + offset + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The decodable objects of a list, plus a failure for each one that did not decode.
///
/// It dereferences to `Vec<T>` (and iterates over the items), so code that only wants the
/// objects reads it like the `Vec` it used to be; code that reports must look at
/// [`Listing::failures`].
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// The objects that decoded, in the daemon's order.
    pub items: Vec<T>,
    /// The elements that did not, in the daemon's order.
    pub failures: Vec<ItemFailure>,
}

impl<T> Listing<T> {
    /// A listing of `items` with no failures.
    pub fn new(items: Vec<T>) -> Self {
        Self {
            items,
            failures: Vec::new(),
        }
    }

    /// Whether every element decoded.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// The items and the failures, apart.
    pub fn into_parts(self) -> (Vec<T>, Vec<ItemFailure>) {
        (self.items, self.failures)
    }

    /// The items, dropping the failures: only for callers that report them another way.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// Keeps the items for which `keep` is true (failures stay).
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    /// Maps the items, keeping the failures.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            items: self.items.into_iter().map(f).collect(),
            failures: self.failures,
        }
    }
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl<T> std::ops::Deref for Listing<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Listing<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T> From<Vec<T>> for Listing<T> {
    fn from(items: Vec<T>) -> Self {
        Self::new(items)
    }
}

impl<T> FromIterator<T> for Listing<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::new(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a mut Listing<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

impl<T> IntoIterator for Listing<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Listing<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decode_errors_never_quote_string_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Spec {
            #[serde(rename = "Env")]
            env: Vec<String>,
            #[serde(rename = "Slot")]
            slot: u64,
        }
        for input in [
            r#"{"Env": "PASSWORD=hunter2", "Slot": 1}"#,
            r#"{"Env": ["A=1"], "Slot": "hunter2 \"quoted\" \\ too"}"#,
        ] {
            let error = serde_json::from_str::<Spec>(input).unwrap_err();
            assert!(error.to_string().contains("hunter2"), "{error}");
            let text = super::decode_error_text(&error);
            assert!(!text.contains("hunter2"), "{text}");
            assert!(
                text.starts_with("invalid type: string (value not shown), expected"),
                "{text}"
            );
            assert!(
                text.ends_with(&format!("at line 1 column {}", error.column())),
                "{text}"
            );
            let wrapped = super::DecodeError::from(error);
            assert_eq!(wrapped.to_string(), text);
            assert!(!format!("{wrapped:?}").contains("hunter2"));
        }
        let other = serde_json::from_str::<Spec>("[1,").unwrap_err();
        assert_eq!(super::decode_error_text(&other), other.to_string());
    }

    use super::*;
    use crate::{Node, Service, Task, decode_list};

    #[test]
    fn good_elements_survive_bad_ones() {
        let body =
            br#"[{"ID":"a"},{"ID":"b","Status":{"Timestamp":12}},{"ID":"c"},"text",{"ID":5}]"#;
        let listing = decode_list::<Task>(body).unwrap();
        let ids: Vec<_> = listing.iter().map(|task| task.id.clone()).collect();
        assert_eq!(ids, ["a", "c"]);
        let failures: Vec<_> = listing
            .failures
            .iter()
            .map(|failure| (failure.index, failure.id.clone()))
            .collect();
        assert_eq!(failures, [(1, Some("b".to_owned())), (3, None), (4, None)]);
        assert!(
            listing
                .failures
                .iter()
                .all(|failure| !failure.message.is_empty())
        );
        assert!(!listing.is_complete());
    }

    #[test]
    fn a_body_that_is_not_an_array_fails_whole() {
        assert!(decode_list::<Service>(br#"{"message":"no"}"#).is_err());
        assert!(decode_list::<Node>(b"[1,").is_err());
        assert!(decode_list::<Node>(b"").is_err());
        assert!(decode_list::<Node>(b"[]").unwrap().is_complete());
    }

    #[test]
    fn reads_like_a_vec() {
        let mut listing: Listing<u8> = vec![3, 1, 2].into();
        listing.sort();
        assert_eq!(listing.first(), Some(&1));
        assert_eq!(listing.clone().into_iter().sum::<u8>(), 6);
        assert_eq!((&listing).into_iter().count(), 3);
        assert_eq!(listing.map(u16::from).items, [1u16, 2, 3]);
    }

    #[test]
    fn failure_display_names_index_and_id() {
        let failure = ItemFailure {
            index: 2,
            id: Some("x1".to_owned()),
            message: "invalid type".to_owned(),
        };
        assert_eq!(failure.to_string(), "item 2 (ID x1): invalid type");
    }
}
