//! `PATCH` bodies tell "leave it" (field absent) from "clear it" (`null`).

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "hearth_core::patch::nullable")]`
/// on an `Option<Option<T>>`: absent → `None`, `null` → `Some(None)`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
