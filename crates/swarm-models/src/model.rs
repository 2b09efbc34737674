//! The `model!` macro, which declares every object type of this crate, and [`UnknownKeys`],
//! where a parse keeps the keys this version does not know.
//!
//! A model is written as the daemon's schema reads: each line is a JSON key, the Rust field
//! it fills and its type (`"NodeID" => pub node_id: Option<String>`). The macro derives the
//! rest in one place instead of repeating serde attributes on every field:
//!
//! - reading: a missing key or a `null` leaves the field at its default (Go writes a nil
//!   slice, map or pointer as `null`); keys are matched without allocating; a key this
//!   version does not know is kept with its value as raw JSON text, exactly as sent;
//! - writing: known keys in declaration order, each skipped when it holds nothing (`None`,
//!   an empty collection), then the unknown keys, in the order they came;
//! - `unknown_key_paths`, which lists where unknown keys were found, for fidelity checks.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

/// The keys of one JSON object that this version of the crate does not know, each with its
/// value exactly as the daemon sent it (numbers, precision, nesting and all).
///
/// Every model struct has one, as its `unknown` field; serializing the struct writes these keys
/// back after the known ones, so a newer daemon's fields survive a parse and a write.
///
/// ```
/// use swarm_models::TaskStatus;
///
/// let status: TaskStatus =
///     serde_json::from_str(r#"{"State":"running","Health":{"Score":1.50}}"#).unwrap();
/// assert_eq!(status.unknown.get("Health").map(|raw| raw.get()), Some(r#"{"Score":1.50}"#));
/// assert_eq!(
///     serde_json::to_string(&status).unwrap(),
///     r#"{"State":"running","Health":{"Score":1.50}}"#
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct UnknownKeys(Vec<(String, Box<RawValue>)>);

impl UnknownKeys {
    /// No unknown keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when the object had no unknown key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many unknown keys the object had.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The raw JSON value of `key`, if the object had it.
    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.0
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| &**value)
    }

    /// The keys and their raw values, in the order they came.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawValue)> {
        self.0.iter().map(|(key, value)| (key.as_str(), &**value))
    }

    /// Sets `key` to `value`, replacing an earlier value of the same key. The key should not
    /// be one the model knows, or the written object would hold it twice.
    pub fn insert(&mut self, key: impl Into<String>, value: Box<RawValue>) {
        let key = key.into();
        match self.0.iter_mut().find(|(name, _)| *name == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

/// The bytes of a JSON text that carry its meaning: all but the whitespace between tokens
/// (strings and numbers stay byte for byte).
fn significant_bytes(text: &str) -> impl Iterator<Item = u8> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    text.bytes().filter(move |&byte| {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            true
        } else {
            in_string = byte == b'"';
            !matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
        }
    })
}

/// Values are compared as JSON texts up to the whitespace between tokens, so an object that
/// was written pretty-printed (a snapshot file) and read back equals the one that was read.
impl PartialEq for UnknownKeys {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|((ka, va), (kb, vb))| {
                ka == kb && significant_bytes(va.get()).eq(significant_bytes(vb.get()))
            })
    }
}

impl Eq for UnknownKeys {}

impl std::hash::Hash for UnknownKeys {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (key, value) in &self.0 {
            key.hash(state);
            for byte in significant_bytes(value.get()) {
                state.write_u8(byte);
            }
            state.write_u8(0xff);
        }
    }
}

/// Every object type of this crate ([`Task`](crate::Task), [`Service`](crate::Service),
/// [`Node`](crate::Node) and everything nested in them): it keeps the keys this version does
/// not know, and can say where they were.
pub trait Model {
    /// The JSON paths (like `/Spec/ContainerSpec/NewField`) of every key, at any depth, that
    /// this version did not know and kept as sent.
    ///
    /// ```
    /// use swarm_models::{Model, Task};
    ///
    /// let task: Task = serde_json::from_str(r#"{"ID":"t","Status":{"Next":1}}"#).unwrap();
    /// assert_eq!(task.unknown_key_paths(), ["/Status/Next"]);
    /// ```
    fn unknown_key_paths(&self) -> Vec<String>;

    /// Keeps the object's JSON text as received ([`decode_list`](crate::decode_list) calls
    /// it); types without a `sent` field ignore it.
    fn keep_sent(&mut self, _sent: crate::AsSent) {}

    /// The object's JSON text as received, when it was kept.
    fn sent(&self) -> Option<&crate::AsSent> {
        None
    }
}

impl<T: Model + ?Sized> Model for &T {
    fn unknown_key_paths(&self) -> Vec<String> {
        (**self).unknown_key_paths()
    }
    fn sent(&self) -> Option<&crate::AsSent> {
        (**self).sent()
    }
}

/// A JSON key, borrowed from the input when it has no escapes.
#[doc(hidden)]
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string (for an unknown key).
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_owned())))
            }
            fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl UnknownKeys {
    /// Reads the value of an unknown key as raw JSON and keeps it.
    #[doc(hidden)]
    pub fn read<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let value: Box<RawValue> = map.next_value()?;
        self.insert(key.into_owned(), value);
        Ok(())
    }

    /// Writes the unknown keys into a map being serialized.
    #[doc(hidden)]
    pub fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        Ok(())
    }
}

/// Reads a string without copying it (the input's text when it has no escapes, else the
/// parser's scratch buffer) and converts it with `F`: timestamps and open enums.
#[doc(hidden)]
pub struct StrVisitor<F>(pub F);

impl<F, T, E> Visitor<'_> for StrVisitor<F>
where
    F: FnOnce(&str) -> Result<T, E>,
    E: fmt::Display,
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<Er: de::Error>(self, text: &str) -> Result<T, Er> {
        (self.0)(text).map_err(Er::custom)
    }
}

/// Reads one known field: `null` reads as the field's default.
#[doc(hidden)]
pub fn read_field<'de, A, T>(map: &mut A) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// What the `model!` macro needs to know about a field's type: when it holds nothing (and is
/// not written), and where unknown keys hide inside it.
pub(crate) trait Field {
    /// True when the field is left out of the written object.
    fn is_absent(&self) -> bool {
        false
    }

    /// Appends the JSON path of every unknown key inside this value.
    fn collect_unknown(&self, _path: &mut String, _out: &mut Vec<String>) {}
}

impl<T: Field> Field for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
    fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
        if let Some(value) = self {
            value.collect_unknown(path, out);
        }
    }
}

impl<T: Field> Field for Vec<T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
    fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
        for (idx, item) in self.iter().enumerate() {
            let len = path.len();
            path.push('/');
            path.push_str(&idx.to_string());
            item.collect_unknown(path, out);
            path.truncate(len);
        }
    }
}

impl<T: Field> Field for BTreeMap<String, T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
    fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
        for (key, item) in self {
            let len = path.len();
            path.push('/');
            path.push_str(key);
            item.collect_unknown(path, out);
            path.truncate(len);
        }
    }
}

impl<T: Field + ?Sized> Field for std::sync::Arc<T> {
    fn is_absent(&self) -> bool {
        (**self).is_absent()
    }
    fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
        (**self).collect_unknown(path, out);
    }
}

impl Field for String {}
impl Field for bool {}
impl Field for u32 {}
impl Field for u64 {}
impl Field for i64 {}
impl Field for f64 {}

impl UnknownKeys {
    /// Appends `path/key` for every unknown key.
    pub(crate) fn collect_paths(&self, path: &str, out: &mut Vec<String>) {
        out.extend(self.0.iter().map(|(key, _)| format!("{path}/{key}")));
    }
}

/// Declares a model struct; see the module docs. Each field is
/// `"JsonKey" => pub rust_name: Type,` (with `| "OtherKey"` for names also read). A first
/// attribute `#[as_sent]` adds the `sent` field (the object's text as received, kept by
/// [`decode_list`](crate::decode_list)), for the objects a list or an inspect returns.
macro_rules! model {
    (
        #[as_sent]
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::model::model!(@struct [
            /// The object's JSON text as the daemon sent it, when it was read with
            /// [`decode_list`](crate::decode_list) or [`decode_one`](crate::decode_one);
            /// `None` when built by hand or read another way. Not compared, not serialized:
            /// set it to `None` after changing a field, so nothing prints stale text.
            #[cfg_attr(feature = "schema", serde(skip))]
            pub sent: Option<$crate::AsSent>,
        ] [sent] $(#[$meta])* pub struct $name { $($body)* });

        impl $name {
            /// The object's JSON text exactly as the daemon sent it, if it was kept.
            pub fn as_sent(&self) -> Option<&str> {
                self.sent.as_ref().map($crate::AsSent::as_str)
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $crate::model::model!(@struct [] [] $(#[$meta])* pub struct $name { $($body)* });
    };
    (
        @struct [$($extra:tt)*] [$($sent:ident)?]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $wire:literal $(| $alias:literal)* => pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        // `PartialEq` compares the same fields a derived `Hash` hashes (all but `sent`).
        #[allow(clippy::derived_hash_with_manual_eq)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[cfg_attr(
                    feature = "schema",
                    serde(rename = $wire, skip_serializing_if = "crate::model::Field::is_absent")
                )]
                pub $field: $ty,
            )*
            /// Keys of this object that this version does not know, kept as sent.
            #[cfg_attr(feature = "schema", serde(skip))]
            pub unknown: $crate::UnknownKeys,
            $($extra)*
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $( self.$field == other.$field && )* self.unknown == other.unknown
            }
        }

        impl $crate::Model for $name {
            fn unknown_key_paths(&self) -> Vec<String> {
                let mut out = Vec::new();
                $crate::model::Field::collect_unknown(self, &mut String::new(), &mut out);
                out
            }
            $(
                fn keep_sent(&mut self, sent: $crate::AsSent) {
                    self.$sent = Some(sent);
                }
                fn sent(&self) -> Option<&$crate::AsSent> {
                    self.$sent.as_ref()
                }
            )?
        }

        impl $crate::model::Field for $name {
            #[allow(unused_variables)]
            fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
                $(
                    let len = path.len();
                    path.push_str(concat!("/", $wire));
                    $crate::model::Field::collect_unknown(&self.$field, path, out);
                    path.truncate(len);
                )*
                self.unknown.collect_paths(path, out);
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if !$crate::model::Field::is_absent(&self.$field) {
                        map.serialize_entry($wire, &self.$field)?;
                    }
                )*
                self.unknown.write(&mut map)?;
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ModelVisitor;
                impl<'de> ::serde::de::Visitor<'de> for ModelVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        // Each field is built only when its key comes (no default built and
                        // then dropped), the struct once at the end.
                        $( let mut $field: Option<$ty> = None; )*
                        let mut unknown = $crate::UnknownKeys::new();
                        while let Some(key) = map.next_key::<$crate::model::Key<'de>>()? {
                            match key.as_str() {
                                $( $wire $(| $alias)* => $field = Some($crate::model::read_field(&mut map)?), )*
                                _ => unknown.read(key, &mut map)?,
                            }
                        }
                        Ok($name {
                            $( $field: $field.unwrap_or_default(), )*
                            unknown,
                            $( $sent: None, )?
                        })
                    }
                }
                deserializer.deserialize_map(ModelVisitor)
            }
        }
    };
}

pub(crate) use model;
