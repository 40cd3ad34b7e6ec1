//! What the site keeps in memory for a while (api/names.rs, visitor_cache.rs):
//! a bounded map whose entries are fresh for a fixed time. A full map starts
//! again empty: it refills from what is being read, and the bound keeps
//! memory fixed without tracking which entry is oldest.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Values by key, each fresh for `fresh_for` after it was asked. Cheap to
/// clone: shared.
#[derive(Debug, Clone)]
pub struct Kept<K, V> {
    fresh_for: Duration,
    at_most: usize,
    entries: Arc<Mutex<HashMap<K, (Instant, V)>>>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    pub fn new(fresh_for: Duration, at_most: usize) -> Self {
        Self {
            fresh_for,
            at_most,
            entries: Arc::default(),
        }
    }

    /// The value kept for `key`, if it is still fresh at `now`.
    pub fn fresh(&self, key: &K, now: Instant) -> Option<V> {
        let entries = self.entries.lock().expect("kept lock");
        entries
            .get(key)
            .filter(|(asked, _)| now.saturating_duration_since(*asked) < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    /// Keeps `value` for `key`, as it was when `asked`.
    pub fn keep(&self, key: K, asked: Instant, value: V) {
        let mut entries = self.entries.lock().expect("kept lock");
        if entries.len() >= self.at_most && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (asked, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_fresh_for_its_time_only() {
        let kept = Kept::new(Duration::from_secs(30), 10);
        let asked = Instant::now();
        kept.keep("a", asked, 1);
        assert_eq!(kept.fresh(&"a", asked + Duration::from_secs(29)), Some(1));
        assert_eq!(kept.fresh(&"a", asked + Duration::from_secs(30)), None);
        assert_eq!(kept.fresh(&"b", asked), None);
    }

    #[test]
    fn a_full_map_starts_again_but_a_kept_key_is_replaced_in_place() {
        let kept = Kept::new(Duration::from_secs(30), 2);
        let now = Instant::now();
        kept.keep(1, now, "one");
        kept.keep(2, now, "two");
        kept.keep(2, now, "deux");
        assert_eq!(kept.fresh(&1, now), Some("one"), "replacing is not growing");
        kept.keep(3, now, "three");
        assert_eq!(kept.fresh(&1, now), None, "full: started again");
        assert_eq!(kept.fresh(&3, now), Some("three"));
    }
}
