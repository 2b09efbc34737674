//! [`Shared`]: a subtree that many objects of one list repeat (every task of a service version
//! carries the same `Spec`; every attachment to a network repeats the same `Network`),
//! parsed once per distinct text and shared.
//!
//! While [`decode_list`](crate::decode_list) runs, a `Shared<T>` field reads its value's raw
//! text, looks it up in a per-call table keyed by that exact text, and parses it only when it
//! is new; equal texts give the same `Arc`. Outside `decode_list` (plain `serde_json`, any
//! other format) it parses as `T` does. Either way the value is the same: only the work and
//! the memory differ.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A value that several objects may share: reads like a `T` (it derefs to one), writes like a
/// `T`, compares by value. Changing it through `DerefMut` copies it first when it is shared,
/// so a change never shows in another object.
///
/// ```
/// use swarm_models::{Shared, Task, TaskSpec, decode_list};
///
/// let body = br#"[{"ID":"a","Spec":{"ContainerSpec":{"Image":"x"}}},
///                 {"ID":"b","Spec":{"ContainerSpec":{"Image":"x"}}}]"#;
/// let mut tasks = decode_list::<Task>(body).unwrap();
/// assert!(Shared::ptr_eq(&tasks[0].spec, &tasks[1].spec), "parsed once");
/// tasks[1].spec.container_spec = None; // copies task b's spec, a's stays
/// assert_eq!(tasks[0].image(), Some("x"));
///
/// let by_hand = Task { spec: TaskSpec::default().into(), ..Task::default() };
/// assert_eq!(by_hand.image(), None);
/// ```
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(Arc::new(value))
    }

    /// True when both point at the same parsed value (not only equal ones).
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        Arc::ptr_eq(&this.0, &other.0)
    }

    /// The shared value as an `Arc`.
    pub fn as_arc(this: &Self) -> &Arc<T> {
        &this.0
    }
}

impl<T: Clone> Shared<T> {
    /// The value, cloned when another object shares it.
    pub fn into_inner(this: Self) -> T {
        Arc::unwrap_or_clone(this.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: std::hash::Hash> std::hash::Hash for Shared<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.0).hash(state);
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (*self.0).fmt(f)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (*self.0).serialize(serializer)
    }
}

impl<T: crate::model::Field> crate::model::Field for Shared<T> {
    fn is_absent(&self) -> bool {
        self.0.is_absent()
    }
    fn collect_unknown(&self, path: &mut String, out: &mut Vec<String>) {
        self.0.collect_unknown(path, out);
    }
}

#[cfg(feature = "schema")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Shared<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<'de, T> Deserialize<'de> for Shared<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Some(seed) = table_seed() else {
            return T::deserialize(deserializer).map(Self::new);
        };
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let hash = text_hash(seed, text);
        if let Some(found) = lookup::<T>(hash, text) {
            return Ok(Self(found));
        }
        let value = Arc::new(serde_json::from_str::<T>(text).map_err(D::Error::custom)?);
        remember(hash, text, Arc::clone(&value));
        Ok(Self(value))
    }
}

/// One remembered subtree: its type, its exact text and the value parsed from it.
struct Entry {
    kind: TypeId,
    text: Box<str>,
    value: Arc<dyn Any + Send + Sync>,
}

/// The keys are already hashes ([`text_hash`]); the map uses them as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; fold anything else in all the same.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Entries by the hash of their text; equal hashes (rare) share a bucket.
struct Table {
    seed: u64,
    entries: HashMap<u64, Vec<Entry>, BuildHasherDefault<PassThrough>>,
}

thread_local! {
    static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// The current scope's hash seed, or `None` when no [`SharingScope`] is active.
fn table_seed() -> Option<u64> {
    TABLE.with(|table| table.borrow().as_ref().map(|table| table.seed))
}

fn lookup<T: Send + Sync + 'static>(hash: u64, text: &str) -> Option<Arc<T>> {
    TABLE.with(|table| {
        let table = table.borrow();
        let bucket = table.as_ref()?.entries.get(&hash)?;
        let entry = bucket
            .iter()
            .find(|entry| entry.kind == TypeId::of::<T>() && *entry.text == *text)?;
        Arc::clone(&entry.value).downcast::<T>().ok()
    })
}

fn remember<T: Send + Sync + 'static>(hash: u64, text: &str, value: Arc<T>) {
    TABLE.with(|table| {
        if let Some(table) = table.borrow_mut().as_mut() {
            table.entries.entry(hash).or_default().push(Entry {
                kind: TypeId::of::<T>(),
                text: text.into(),
                value,
            });
        }
    });
}

/// A fast hash of a subtree's text, 16 bytes per step (a folded 64x64-bit multiply), keyed by
/// a per-scope random seed so that crafted input cannot aim at one bucket. Collisions cost
/// only a comparison: the table matches the whole text.
fn text_hash(seed: u64, text: &str) -> u64 {
    const K1: u64 = 0x243f_6a88_85a3_08d3;
    const K2: u64 = 0x1319_8a2e_0370_7344;
    fn fold(a: u64, b: u64) -> u64 {
        let product = u128::from(a) * u128::from(b);
        (product as u64) ^ ((product >> 64) as u64)
    }
    fn word(bytes: &[u8]) -> u64 {
        let mut buf = [0u8; 8];
        buf[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(buf)
    }
    let bytes = text.as_bytes();
    let mut hash = seed ^ (bytes.len() as u64).wrapping_mul(K1);
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        let (low, high) = chunk.split_at(8);
        hash = fold(word(low) ^ hash ^ K1, word(high) ^ K2);
    }
    let rest = chunks.remainder();
    let (low, high) = rest.split_at(rest.len().min(8));
    fold(word(low) ^ hash ^ K1, word(high) ^ K2 ^ seed)
}

/// While alive, `Shared` fields on this thread share equal subtrees; dropping it forgets
/// them (and restores an enclosing scope's table).
pub(crate) struct SharingScope {
    outer: Option<Table>,
    /// Set by [`Self::suspend`], which has restored the outer table itself.
    suspended: bool,
}

/// The table of a [`SharingScope`] set aside between two parts of one decode (the chunks of
/// a body that arrives piece by piece), so that later parts share with earlier ones.
pub(crate) struct SharingTable(Table);

impl SharingTable {
    /// An empty table with a fresh seed.
    pub(crate) fn new() -> Self {
        let seed = std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64);
        Self(Table {
            seed,
            entries: HashMap::default(),
        })
    }
}

impl SharingScope {
    /// Starts sharing with an empty table.
    pub(crate) fn enter() -> Self {
        Self::resume(SharingTable::new())
    }

    /// Starts sharing with `table`, a table an earlier scope gave back with [`Self::suspend`].
    pub(crate) fn resume(table: SharingTable) -> Self {
        let outer = TABLE.with(|current| current.borrow_mut().replace(table.0));
        Self {
            outer,
            suspended: false,
        }
    }

    /// Ends the scope and gives its table back, for a later [`Self::resume`].
    pub(crate) fn suspend(mut self) -> SharingTable {
        let outer = self.outer.take();
        let table = TABLE.with(|current| std::mem::replace(&mut *current.borrow_mut(), outer));
        self.suspended = true;
        SharingTable(table.unwrap_or_else(|| SharingTable::new().0))
    }
}

impl Drop for SharingScope {
    fn drop(&mut self) {
        if self.suspended {
            return;
        }
        let outer = self.outer.take();
        TABLE.with(|table| *table.borrow_mut() = outer);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a panic is a failure
mod tests {
    use super::*;

    #[test]
    fn the_hash_reads_every_byte() {
        let base = "{\"Image\":\"registry.example/app:1.0.0\",\"Args\":[\"a\",\"b\"]}";
        let seed = 7;
        let hash = text_hash(seed, base);
        assert_eq!(hash, text_hash(seed, base), "deterministic for one seed");
        for idx in 0..base.len() {
            let mut changed = base.as_bytes().to_vec();
            changed[idx] ^= 1;
            let changed = String::from_utf8(changed).unwrap();
            assert_ne!(text_hash(seed, &changed), hash, "byte {idx}");
        }
        assert_ne!(text_hash(seed, &base[..base.len() - 1]), hash);
    }
}
