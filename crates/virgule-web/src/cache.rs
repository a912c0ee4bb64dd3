//! Small in-process caches of values derived from the database, each stored under a version
//! number that the database bumps on every change. A request reads the current version (it
//! comes with a row it reads anyway) and uses the cached value only if the versions match,
//! so every node of a cluster stays correct without invalidation messages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Values by key, each valid for one version.
pub struct VersionedCache<V> {
    entries: Mutex<HashMap<i64, (i64, Arc<V>)>>,
    capacity: usize,
}

impl<V> VersionedCache<V> {
    /// A cache that forgets everything once it holds `capacity` keys (simple and bounded:
    /// the values are cheap to recompute).
    pub fn new(capacity: usize) -> Self {
        VersionedCache { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The value cached for `key` at exactly `version`.
    pub fn get(&self, key: i64, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(&key).filter(|(v, _)| *v == version).map(|(_, value)| Arc::clone(value))
    }

    pub fn put(&self, key: i64, version: i64, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (version, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_serves_only_its_version() {
        let cache = VersionedCache::new(2);
        cache.put(1, 7, Arc::new("seven"));
        assert_eq!(cache.get(1, 7).as_deref(), Some(&"seven"));
        assert_eq!(cache.get(1, 8), None);
        assert_eq!(cache.get(2, 7), None);
        cache.put(1, 8, Arc::new("eight"));
        assert_eq!(cache.get(1, 7), None);
        assert_eq!(cache.get(1, 8).as_deref(), Some(&"eight"));
    }

    #[test]
    fn it_stays_bounded() {
        let cache = VersionedCache::new(2);
        cache.put(1, 0, Arc::new(1));
        cache.put(2, 0, Arc::new(2));
        cache.put(3, 0, Arc::new(3));
        assert_eq!(cache.get(3, 0).as_deref(), Some(&3));
        assert_eq!(cache.get(1, 0), None);
    }
}
