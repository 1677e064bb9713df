//! Hash maps and sets keyed by the program's own names, hashed with fixed
//! keys.
//!
//! The names are the program's (cleanup names, constraint targets, type
//! names), so there is no flooding to guard against, and `RandomState`
//! would make every program that links the runtime import `getrandom` and
//! link std's randomness code (a symbol the dynamic linker resolves at
//! each start). Hash tables rather than `BTreeMap`s for the same reason of
//! weight: each `BTreeMap` key and value type compiles its own copy of the
//! B-tree's insert and remove (about 7 KB of machine code each), a hash
//! table's copy is about a third of that.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, DefaultHasher};

/// The hasher of every table here: SipHash with fixed keys.
pub(crate) type FixedState = BuildHasherDefault<DefaultHasher>;

/// A map keyed by names.
pub(crate) type FixedMap<K, V> = HashMap<K, V, FixedState>;

/// A set of names.
pub(crate) type FixedSet<K> = HashSet<K, FixedState>;

/// An empty map, usable in a `static`.
pub(crate) const fn map<K, V>() -> FixedMap<K, V> {
    HashMap::with_hasher(BuildHasherDefault::new())
}

/// An empty set, usable in a `static`.
pub(crate) const fn set<K>() -> FixedSet<K> {
    HashSet::with_hasher(BuildHasherDefault::new())
}
