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

//!
//! Each key and value type compiles its own copy of the table (about 1,700
//! lines of LLVM IR in a debug build), so the crate keeps two: names owned
//! (`Arc<str>` to `u64`, the registry's names) and names borrowed (`&str`
//! to `usize`, the planner's index). The sets are those two maps with the
//! value unused ([`NameSet`], [`StrSet`]): two tables fewer to compile,
//! about 3,700 lines of IR, which keeps the crate's own build light.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};
use std::sync::Arc;

/// The hasher of every table here: SipHash with fixed keys.
pub(crate) type FixedState = BuildHasherDefault<DefaultHasher>;

/// A map keyed by names.
pub(crate) type FixedMap<K, V> = HashMap<K, V, FixedState>;

/// An empty map, usable in a `static`.
pub(crate) const fn map<K, V>() -> FixedMap<K, V> {
    HashMap::with_hasher(BuildHasherDefault::new())
}

/// A set of owned names (the table of the registry's names; the values
/// are unused).
pub(crate) struct NameSet(FixedMap<Arc<str>, u64>);

impl NameSet {
    /// An empty set, usable in a `static`.
    pub(crate) const fn new() -> NameSet {
        NameSet(map())
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Adds `name`; `false` if it was there already.
    pub(crate) fn insert(&mut self, name: Arc<str>) -> bool {
        self.0.insert(name, 0).is_none()
    }
}

/// A set of borrowed names (the table of the planner's index; the values
/// are unused).
pub(crate) struct StrSet<'a>(FixedMap<&'a str, usize>);

impl<'a> StrSet<'a> {
    /// An empty set, usable in a `static`.
    pub(crate) const fn new() -> StrSet<'a> {
        StrSet(map())
    }

    /// The name equal to `name` in the set, if any.
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.0.get_key_value(name).map(|(&kept, _)| kept)
    }

    /// Adds `name`; `false` if it was there already.
    pub(crate) fn insert(&mut self, name: &'a str) -> bool {
        self.0.insert(name, 0).is_none()
    }
}
