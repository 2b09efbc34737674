//! Serde helpers shared by the model types.
//!
//! Go encodes a nil slice, map or pointer as `null` when the field has no `omitempty`, so any
//! collection the daemon sends may arrive as `null`, as an empty value, or not at all. These
//! helpers make the three read the same way, and keep empty collections out of the output.

use serde::{Deserialize, Deserializer};

/// Deserializes `null` as `T::default()` instead of failing.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `skip_serializing_if` helper for collections: true when there is nothing to write.
pub(crate) fn is_empty<T: IsEmpty + ?Sized>(value: &T) -> bool {
    value.is_empty_value()
}

/// Collections that can report whether they are empty.
pub(crate) trait IsEmpty {
    fn is_empty_value(&self) -> bool;
}

impl<T> IsEmpty for Vec<T> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> IsEmpty for std::collections::BTreeMap<K, V> {
    fn is_empty_value(&self) -> bool {
        self.is_empty()
    }
}
