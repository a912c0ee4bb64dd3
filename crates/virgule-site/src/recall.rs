//! What the site remembers of its most frequent reads between writes: the session behind a
//! cookie and the member behind a name, the two lookups nearly every page makes before its
//! own query.
//!
//! Each remembered answer carries the content version ([`virgule_store::Store::content_version`])
//! current when it was read, and is used only while that version is still the current one.
//! The database bumps the version in every transaction that changes a member or ends a
//! session, so a remembered answer is never older than the last version this process has
//! observed. Observing is the serving process's job (its poller reads the version a few
//! times a second, and again after every write it handles): until a version has been
//! observed, nothing is remembered, which is what the command line's tasks and the worker
//! get. The version only moves forward.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use virgule_store::{Member, MemberName, Session};

/// At most this many answers of each kind are remembered; a full map starts over (the next
/// write would empty it anyway).
const CAPACITY: usize = 4096;

/// The remembered answers and the content version they are good for.
#[derive(Default)]
pub(crate) struct Recall {
    version: AtomicI64,
    sessions: Mutex<Generation<String, Session>>,
    members: Mutex<Generation<MemberName, Member>>,
}

/// The answers read at one content version.
struct Generation<K, V> {
    version: i64,
    answers: HashMap<K, V>,
}

impl<K, V> Default for Generation<K, V> {
    fn default() -> Self {
        Generation { version: 0, answers: HashMap::new() }
    }
}

impl<K: Eq + Hash, V: Clone> Generation<K, V> {
    fn get<Q: Eq + Hash + ?Sized>(&self, key: &Q, current: i64) -> Option<V>
    where
        K: Borrow<Q>,
    {
        (current > 0 && self.version == current).then(|| self.answers.get(key).cloned())?
    }

    /// Keeps `value`, read at version `read_at`, if that is still `current`.
    fn put(&mut self, key: K, value: V, read_at: i64, current: i64) {
        if read_at == 0 || read_at != current {
            return;
        }
        if self.version != current || self.answers.len() >= CAPACITY {
            self.answers.clear();
            self.version = current;
        }
        self.answers.insert(key, value);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every change is one call that leaves the map whole, even if a panic interrupts it.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Recall {
    /// The content version as last observed; 0 before the first.
    pub(crate) fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// Notes a version read from the database; an older one than known is ignored.
    pub(crate) fn observe(&self, version: i64) {
        self.version.fetch_max(version, Ordering::AcqRel);
    }

    pub(crate) fn session(&self, token_hash: &str) -> Option<Session> {
        lock(&self.sessions).get(token_hash, self.version())
    }

    pub(crate) fn keep_session(&self, token_hash: &str, session: &Session, read_at: i64) {
        let current = self.version();
        lock(&self.sessions).put(token_hash.to_owned(), session.clone(), read_at, current);
    }

    pub(crate) fn member(&self, name: &MemberName) -> Option<Member> {
        lock(&self.members).get(name, self.version())
    }

    pub(crate) fn keep_member(&self, member: &Member, read_at: i64) {
        let current = self.version();
        lock(&self.members).put(member.name.clone(), member.clone(), read_at, current);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_only_for_the_version_they_were_read_at() {
        let mut generation = Generation::<&str, i32>::default();
        generation.put("a", 1, 0, 0);
        assert_eq!(generation.get(&"a", 0), None, "nothing before a version is observed");
        generation.put("a", 1, 3, 3);
        assert_eq!(generation.get(&"a", 3), Some(1));
        assert_eq!(generation.get(&"a", 4), None, "a write retires it");
        generation.put("b", 2, 3, 4);
        assert_eq!(generation.get(&"b", 4), None, "read before the write: not kept");
        generation.put("b", 2, 4, 4);
        assert_eq!((generation.get(&"b", 4), generation.get(&"a", 4)), (Some(2), None));
    }

    #[test]
    fn a_full_generation_starts_over_and_versions_only_move_forward() {
        let mut generation = Generation::<usize, usize>::default();
        for n in 0..=CAPACITY {
            generation.put(n, n, 1, 1);
        }
        assert_eq!(generation.answers.len(), 1);
        assert_eq!(generation.get(&CAPACITY, 1), Some(CAPACITY));

        let recall = Recall::default();
        recall.observe(5);
        recall.observe(4);
        assert_eq!(recall.version(), 5);
    }
}
