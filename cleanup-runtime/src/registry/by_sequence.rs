//! What the registry keeps beside a few entries, keyed by their sequence
//! numbers: a vector sorted by sequence.
//!
//! Timeouts given through a handle and constraints given at run time are
//! rare and few, and sequence numbers only grow, so a new key almost
//! always goes at the end; a lookup is a binary search. A `BTreeMap` would
//! compile its B-tree insert and remove once per value type (about 7 KB of
//! machine code each) for the same work.

/// Values keyed by sequence number, in order.
pub(crate) struct BySequence<V> {
    sorted: Vec<(u64, V)>,
}

impl<V> BySequence<V> {
    pub(crate) const fn new() -> BySequence<V> {
        BySequence { sorted: Vec::new() }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    fn position(&self, sequence: u64) -> Result<usize, usize> {
        // Newest first: the usual key is the last one.
        match self.sorted.last() {
            Some(&(last, _)) if last < sequence => Err(self.sorted.len()),
            _ => self.sorted.binary_search_by_key(&sequence, |&(key, _)| key),
        }
    }

    pub(crate) fn get(&self, sequence: u64) -> Option<&V> {
        let index = self.position(sequence).ok()?;
        Some(&self.sorted[index].1)
    }

    pub(crate) fn contains(&self, sequence: u64) -> bool {
        self.position(sequence).is_ok()
    }

    /// Sets the value at `sequence`, replacing one there.
    pub(crate) fn insert(&mut self, sequence: u64, value: V) {
        match self.position(sequence) {
            Ok(index) => self.sorted[index].1 = value,
            Err(index) => self.sorted.insert(index, (sequence, value)),
        }
    }

    /// The value at `sequence`, made with `make` if there is none yet.
    pub(crate) fn get_or_insert_with(&mut self, sequence: u64, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.position(sequence) {
            Ok(index) => index,
            Err(index) => {
                self.sorted.insert(index, (sequence, make()));
                index
            }
        };
        &mut self.sorted[index].1
    }

    pub(crate) fn remove(&mut self, sequence: u64) -> Option<V> {
        let index = self.position(sequence).ok()?;
        Some(self.sorted.remove(index).1)
    }

    pub(crate) fn clear(&mut self) {
        self.sorted.clear();
    }

    /// Adds every pair of `other`, whose keys this one does not have.
    #[cfg(unix)]
    pub(crate) fn merge(&mut self, other: BySequence<V>) {
        for (sequence, value) in other.sorted {
            self.insert(sequence, value);
        }
    }
}

impl<V> Default for BySequence<V> {
    fn default() -> Self {
        BySequence::new()
    }
}

#[cfg(test)]
mod tests {
    use super::BySequence;

    #[test]
    fn keeps_keys_in_order_whatever_order_they_come_in() {
        let mut map = BySequence::new();
        for key in [5, 1, 9, 3, 7] {
            map.insert(key, key * 10);
        }
        map.insert(3, 33);
        assert_eq!(map.get(3), Some(&33));
        assert_eq!(map.remove(9), Some(90));
        assert_eq!(map.remove(9), None);
        assert!(!map.contains(2) && map.contains(1));
        *map.get_or_insert_with(2, || 0) += 2;
        *map.get_or_insert_with(2, || 0) += 2;
        assert_eq!(map.get(2), Some(&4));
        let keys: Vec<u64> = map.sorted.iter().map(|&(key, _)| key).collect();
        assert_eq!(keys, [1, 2, 3, 5, 7]);
        map.clear();
        assert!(map.is_empty());
    }
}
