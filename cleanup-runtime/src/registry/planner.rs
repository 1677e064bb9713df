//! The order that `after` and `before` constraints give: which pending
//! cleanup runs next, and the whole planned order. Pure: it sees only
//! sequence numbers, names and constraints, never the registry.
//!
//! The rule (the crate docs, "Ordering constraints"): among the pending
//! cleanups whose `after` targets have all run (or are not pending), the one
//! with the highest sequence number runs next. `before = X` on A is the
//! same as `after = A` on X. A name that no pending cleanup has is ignored.
//! Without constraints that is LIFO.
//!
//! This is Kahn's topological sort with a max-priority choice. The cleanups
//! no constraint holds back are already in sequence order (the caller
//! passes them sorted), so they are taken from the top of that list, and
//! only those released later by a constraint go through a heap: a plan
//! costs O(n + e log e) for n cleanups and e constraints, not O(n log n).
//!
//! A cycle (A after B after A) never hangs: the cycles among the pending
//! cleanups (strongly connected components) are found first, reported, and
//! the constraints between each one's members are dropped, so its members
//! run in LIFO order among themselves (constraints to cleanups outside the
//! cycle still hold). A cycle found once is passed back in as `broken` when
//! the order is planned again, so a plan made halfway through the run keeps
//! the members in the same order, and the cycle is reported once.

use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::base::entry::readable_type_name;
use crate::base::fixed_hash::{self, FixedMap};

/// One pending cleanup, as the planner sees it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Node<'a> {
    /// Its sequence number. Nodes are given in increasing sequence.
    pub(crate) sequence: u64,
    /// The name other cleanups constrain it by: named cleanups only.
    pub(crate) name: Option<&'a str>,
    /// What a warning calls it (its name, or its report label as stored:
    /// made readable only if a cycle warning names it).
    pub(crate) label: &'a str,
    /// It runs after the pending cleanups of these names.
    pub(crate) after: Targets<'a>,
    /// It runs before the pending cleanups of these names.
    pub(crate) before: Targets<'a>,
}

/// The names one `after` or `before` lists: those declared on a static
/// and those given at run time, borrowed where they are kept (planning
/// 10,000 cleanups copies no list).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Targets<'a> {
    pub(crate) declared: &'a [&'a str],
    pub(crate) given: &'a [Arc<str>],
}

impl<'a> Targets<'a> {
    /// Calls `visit` with each name. A visit rather than an iterator (a
    /// `chain` of the two lists): with the loops over these in this file
    /// and in `constraints`, the `Chain`, `Map` and `FlatMap` adapters
    /// compiled about 1,200 lines of LLVM IR into the crate.
    pub(crate) fn each(self, mut visit: impl FnMut(&'a str)) {
        for &name in self.declared {
            visit(name);
        }
        for name in self.given {
            visit(name);
        }
    }

    fn is_empty(self) -> bool {
        self.declared.is_empty() && self.given.is_empty()
    }
}

/// A cycle of constraints, broken so the run goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cycle {
    /// The members' sequence numbers, sorted: the cycle's identity.
    pub(crate) members: Vec<u64>,
    /// The members' labels, in the order they run (LIFO).
    pub(crate) labels: Vec<String>,
}

impl Cycle {
    /// The one line a cycle gets on stderr and in the report.
    pub(crate) fn warning(&self) -> crate::report::Warning {
        crate::report::Warning::Cycle {
            members: self.labels.clone(),
        }
    }
}

/// The planned order of the pending cleanups.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Sequence numbers, in the order they run.
    pub(crate) order: Vec<u64>,
    /// Cycles found and broken in this plan (not those passed in as
    /// `broken`), in the order they were met.
    pub(crate) cycles: Vec<Cycle>,
}

/// "`from` runs before `to`."
struct Edge {
    from: usize,
    to: usize,
    active: bool,
}

/// Plans the order of `nodes` (sorted by increasing sequence). The
/// constraints between members of a cycle in `broken` (their sorted
/// sequence numbers, as [`Cycle::members`]) are left out.
pub(crate) fn plan(nodes: &[Node<'_>], broken: &[Vec<u64>]) -> Plan {
    debug_assert!((1..nodes.len()).all(|i| nodes[i - 1].sequence < nodes[i].sequence));
    let edges = edges(nodes, broken);
    let count = nodes.len();
    let outgoing = Adjacency::new(count, &edges, |edge| edge.from);
    let incoming = Adjacency::new(count, &edges, |edge| edge.to);
    let mut blockers = vec![0usize; count];
    for edge in &edges {
        blockers[edge.to] += 1;
    }
    let mut planner = Planner {
        nodes,
        edges,
        outgoing,
        incoming,
        initially_free: blockers.iter().map(|&b| b == 0).collect(),
        blockers,
        emitted: vec![false; count],
        released: BinaryHeap::new(),
        next_free: count,
        plan: Plan {
            order: Vec::with_capacity(count),
            cycles: Vec::new(),
        },
    };
    planner.run();
    planner.plan
}

/// The constraints between pending cleanups, as edges between positions.
fn edges(nodes: &[Node<'_>], broken: &[Vec<u64>]) -> Vec<Edge> {
    // Only names that something targets need a place in the index.
    let mut by_name: FixedMap<&str, usize> = fixed_hash::map();
    for node in nodes {
        let mut index = |name| {
            by_name.insert(name, usize::MAX);
        };
        node.after.each(&mut index);
        node.before.each(&mut index);
    }
    if by_name.is_empty() {
        return Vec::new();
    }
    for (position, node) in nodes.iter().enumerate() {
        if let Some(place) = node.name.and_then(|name| by_name.get_mut(name)) {
            *place = position;
        }
    }
    let in_broken_cycle = |a: usize, b: usize| {
        let (a, b) = (nodes[a].sequence, nodes[b].sequence);
        broken
            .iter()
            .any(|members| members.binary_search(&a).is_ok() && members.binary_search(&b).is_ok())
    };
    let mut edges = Vec::new();
    for (position, node) in nodes.iter().enumerate() {
        if node.after.is_empty() && node.before.is_empty() {
            continue;
        }
        let mut add = |name: &str, runs_after: bool| {
            let target = by_name[name];
            // Not pending (ignored), or itself (meaningless).
            if target == usize::MAX || target == position {
                return;
            }
            let (from, to) = match runs_after {
                true => (target, position),
                false => (position, target),
            };
            if !in_broken_cycle(from, to) {
                edges.push(Edge {
                    from,
                    to,
                    active: true,
                });
            }
        };
        node.after.each(|name| add(name, true));
        node.before.each(|name| add(name, false));
    }
    edges
}

/// Per node, the ids of its edges on one side, in one allocation
/// (compressed rows): planning 10,000 cleanups makes no list per cleanup.
struct Adjacency {
    /// Node `n`'s edges are `ids[start[n]..start[n + 1]]`.
    start: Vec<usize>,
    ids: Vec<usize>,
}

impl Adjacency {
    /// `end` says which node an edge belongs to. A function, not a
    /// generic iterator of ends: one compiled copy for both sides (about
    /// 300 lines of LLVM IR fewer).
    fn new(count: usize, edges: &[Edge], end: fn(&Edge) -> usize) -> Adjacency {
        let mut start = vec![0usize; count + 1];
        for edge in edges {
            start[end(edge) + 1] += 1;
        }
        for node in 0..count {
            start[node + 1] += start[node];
        }
        let mut next = start.clone();
        let mut ids = vec![0usize; start[count]];
        for (id, edge) in edges.iter().enumerate() {
            let node = end(edge);
            ids[next[node]] = id;
            next[node] += 1;
        }
        Adjacency { start, ids }
    }

    fn of(&self, node: usize) -> &[usize] {
        &self.ids[self.start[node]..self.start[node + 1]]
    }
}

struct Planner<'n, 'a> {
    nodes: &'n [Node<'a>],
    edges: Vec<Edge>,
    /// Per node, the edges from it / to it (indices into `edges`).
    outgoing: Adjacency,
    incoming: Adjacency,
    /// Per node, how many active edges from cleanups not yet planned hold it.
    blockers: Vec<usize>,
    /// Held by nothing from the start: taken in sequence order, from the
    /// top, without the heap.
    initially_free: Vec<bool>,
    emitted: Vec<bool>,
    /// Freed by a constraint as the plan went on.
    released: BinaryHeap<usize>,
    /// The initially free nodes below this position are not planned yet.
    next_free: usize,
    plan: Plan,
}

impl Planner<'_, '_> {
    fn run(&mut self) {
        self.break_cycles();
        while let Some(position) = self.next() {
            self.emit(position);
        }
        // With the cycles broken, every cleanup is free in its turn. Were
        // one left anyway, it must still run, never hang the run.
        if self.plan.order.len() < self.nodes.len() {
            for position in (0..self.nodes.len()).rev() {
                if !self.emitted[position] {
                    self.plan.order.push(self.nodes[position].sequence);
                }
            }
        }
    }

    /// The highest free position: the top of the initially free ones or of
    /// the released ones.
    fn next(&mut self) -> Option<usize> {
        while self.next_free > 0 && !self.initially_free[self.next_free - 1] {
            self.next_free -= 1;
        }
        let free = self.next_free.checked_sub(1);
        match (free, self.released.peek()) {
            (Some(free), Some(&released)) if released > free => self.released.pop(),
            (Some(free), _) => {
                self.next_free = free;
                Some(free)
            }
            (None, _) => self.released.pop(),
        }
    }

    fn emit(&mut self, position: usize) {
        self.emitted[position] = true;
        self.plan.order.push(self.nodes[position].sequence);
        for index in self.outgoing.start[position]..self.outgoing.start[position + 1] {
            let edge = &self.edges[self.outgoing.ids[index]];
            if edge.active {
                self.release_one(edge.to);
            }
        }
    }

    fn release_one(&mut self, position: usize) {
        self.blockers[position] -= 1;
        if self.blockers[position] == 0 {
            self.released.push(position);
        }
    }

    /// Finds the cycles (strongly connected components of more than one
    /// cleanup, Tarjan's algorithm, iterative) and drops the constraints
    /// inside each, so its members run in LIFO order among themselves.
    fn break_cycles(&mut self) {
        if self.edges.is_empty() {
            return;
        }
        for members in components(&self.edges, &self.outgoing) {
            for &position in &members {
                for index in self.incoming.start[position]..self.incoming.start[position + 1] {
                    let id = self.incoming.ids[index];
                    let edge = &mut self.edges[id];
                    if edge.active && members.binary_search(&edge.from).is_ok() {
                        edge.active = false;
                        self.blockers[position] -= 1;
                    }
                }
                if self.blockers[position] == 0 {
                    self.initially_free[position] = true;
                }
            }
            let cycle = Cycle {
                members: members.iter().map(|&p| self.nodes[p].sequence).collect(),
                labels: members
                    .iter()
                    .rev()
                    .map(|&p| readable_type_name(self.nodes[p].label).into_owned())
                    .collect(),
            };
            // The earliest-running cycle first: as the run meets them.
            // Put in place rather than sorted afterwards: cycles are few,
            // and a sort of its own would be compiled for them alone.
            let at = self
                .plan
                .cycles
                .partition_point(|earlier| earlier.members.last() > cycle.members.last());
            self.plan.cycles.insert(at, cycle);
        }
    }
}

/// The strongly connected components of more than one node of the graph
/// given by `edges` (Tarjan's algorithm without recursion: a long chain of
/// constraints must not overflow the stack), each with its members in
/// increasing position.
///
/// Nothing here sorts: the roots are taken in position order, and the
/// members are gathered by one walk over the positions. A sort would
/// compile a copy of std's sort for this alone (about 5 KB in every
/// program).
fn components(edges: &[Edge], outgoing: &Adjacency) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let count = outgoing.start.len() - 1;
    let mut index = vec![UNSEEN; count];
    let mut low = vec![0usize; count];
    let mut on_stack = vec![false; count];
    let mut stack: Vec<usize> = Vec::new();
    let mut found = Vec::new();
    let mut next_index = 0;
    // Which component each node closed into, for the members' walk.
    let mut component_of = vec![UNSEEN; count];
    // Only nodes with an edge can be in a cycle.
    let roots = (0..count).filter(|&node| !outgoing.of(node).is_empty());
    for root in roots {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, how many of its edges were followed)
        let mut walk: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut followed)) = walk.last_mut() {
            if let Some(&id) = outgoing.of(node).get(*followed) {
                *followed += 1;
                let next = edges[id].to;
                if index[next] == UNSEEN {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    walk.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut size = 0;
                loop {
                    let member = stack.pop().expect("the node is on the stack");
                    on_stack[member] = false;
                    component_of[member] = found.len();
                    size += 1;
                    if member == node {
                        break;
                    }
                }
                if size > 1 {
                    found.push(Vec::with_capacity(size));
                } else {
                    component_of[node] = UNSEEN;
                }
            }
        }
    }
    if !found.is_empty() {
        for (node, &component) in component_of.iter().enumerate() {
            if component != UNSEEN {
                found[component].push(node);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes with sequence numbers 0, 1, ... from `(name, after, before)`.
    fn nodes<'a>(spec: &[(&'a str, &'a [&'a str], &'a [&'a str])]) -> Vec<Node<'a>> {
        spec.iter()
            .enumerate()
            .map(|(sequence, &(name, after, before))| Node {
                sequence: sequence as u64,
                name: Some(name),
                label: name,
                after: Targets {
                    declared: after,
                    given: &[],
                },
                before: Targets {
                    declared: before,
                    given: &[],
                },
            })
            .collect()
    }

    fn order_of<'a>(nodes: &[Node<'a>], plan: &Plan) -> Vec<&'a str> {
        plan.order
            .iter()
            .map(|&sequence| nodes[sequence as usize].label)
            .collect()
    }

    fn planned<'a>(spec: &[(&'a str, &'a [&'a str], &'a [&'a str])]) -> Vec<&'a str> {
        let nodes = nodes(spec);
        let plan = plan(&nodes, &[]);
        assert!(plan.cycles.is_empty(), "{:?}", plan.cycles);
        order_of(&nodes, &plan)
    }

    #[test]
    fn without_constraints_it_is_lifo() {
        assert_eq!(
            planned(&[("a", &[], &[]), ("b", &[], &[]), ("c", &[], &[])]),
            ["c", "b", "a"]
        );
        assert!(plan(&[], &[]).order.is_empty());
    }

    #[test]
    fn after_holds_a_cleanup_until_its_target_ran() {
        // LIFO would run pool (1) before orders (0).
        assert_eq!(
            planned(&[
                ("orders", &[], &[]),
                ("pool", &["orders"], &[]),
                ("x", &[], &[])
            ]),
            ["x", "orders", "pool"]
        );
    }

    #[test]
    fn before_is_after_seen_from_the_other_side() {
        assert_eq!(
            planned(&[
                ("orders", &[], &["pool"]),
                ("pool", &[], &[]),
                ("x", &[], &[])
            ]),
            ["x", "orders", "pool"]
        );
    }

    #[test]
    fn a_released_cleanup_runs_as_soon_as_it_is_free_and_highest() {
        // d waits for a; once a ran, d (3) is the highest free one.
        assert_eq!(
            planned(&[
                ("a", &[], &[]),
                ("b", &[], &[]),
                ("c", &[], &[]),
                ("d", &["a"], &[]),
                ("e", &["b"], &[])
            ]),
            ["c", "b", "e", "a", "d"]
        );
    }

    #[test]
    fn lists_and_chains() {
        assert_eq!(
            planned(&[
                ("db", &[], &[]),
                ("http", &[], &[]),
                ("cache", &["db", "http"], &[]),
                ("log", &[], &["db"]),
            ]),
            ["log", "http", "db", "cache"]
        );
    }

    #[test]
    fn names_not_pending_and_own_names_are_ignored() {
        assert_eq!(
            planned(&[("a", &["gone"], &["a"]), ("b", &[], &["nobody"])]),
            ["b", "a"]
        );
    }

    #[test]
    fn unnamed_cleanups_may_constrain_but_cannot_be_named() {
        let mut nodes = nodes(&[
            ("db", &[], &[]),
            ("closure", &["db"], &[]),
            ("c2", &[], &["closure"]),
        ]);
        nodes[1].name = None;
        nodes[2].name = None;
        let plan = plan(&nodes, &[]);
        assert_eq!(order_of(&nodes, &plan), ["c2", "db", "closure"]);
    }

    #[test]
    fn a_cycle_is_reported_once_and_its_members_run_lifo() {
        let nodes = nodes(&[
            ("x", &[], &[]),
            ("a", &["c"], &[]),
            ("b", &["a"], &[]),
            ("c", &["b"], &[]),
            ("after-c", &["c"], &[]),
        ]);
        let plan = plan(&nodes, &[]);
        assert_eq!(order_of(&nodes, &plan), ["c", "after-c", "b", "a", "x"]);
        assert_eq!(plan.cycles.len(), 1);
        assert_eq!(plan.cycles[0].members, [1, 2, 3]);
        assert_eq!(plan.cycles[0].labels, ["c", "b", "a"]);
        assert_eq!(
            plan.cycles[0].warning().to_string(),
            "the ordering constraints of \"c\", \"b\", \"a\" form a cycle; they run last \
             registered first"
        );

        // Planned again with the cycle known: the same order, no report.
        let again = super::plan(&nodes, &[plan.cycles[0].members.clone()]);
        assert!(again.cycles.is_empty());
        assert_eq!(order_of(&nodes, &again), ["c", "after-c", "b", "a", "x"]);
        // Halfway: with c gone, b and a keep their LIFO order.
        let rest: Vec<Node<'_>> = nodes[..3].to_vec();
        let rest_plan = super::plan(&rest, &[plan.cycles[0].members.clone()]);
        assert_eq!(order_of(&rest, &rest_plan), ["b", "a", "x"]);
    }

    #[test]
    fn a_cleanup_held_by_a_cycle_waits_for_it() {
        let nodes = nodes(&[
            ("waits", &["a"], &[]),
            ("a", &["b"], &[]),
            ("b", &["a"], &[]),
        ]);
        let plan = plan(&nodes, &[]);
        assert_eq!(order_of(&nodes, &plan), ["b", "a", "waits"]);
        assert_eq!(plan.cycles.len(), 1);
        assert_eq!(plan.cycles[0].members, [1, 2]);
    }

    #[test]
    fn two_cycles_are_two_reports() {
        let nodes = nodes(&[
            ("a", &["b"], &[]),
            ("b", &["a"], &[]),
            ("c", &[], &["d"]),
            ("d", &[], &["c"]),
        ]);
        let plan = plan(&nodes, &[]);
        assert_eq!(order_of(&nodes, &plan), ["d", "c", "b", "a"]);
        assert_eq!(plan.cycles.len(), 2);
        assert_eq!(plan.cycles[0].labels, ["d", "c"], "the first to run first");
    }

    #[test]
    fn a_self_contradiction_between_two_is_a_cycle() {
        // a after b, and a before b.
        let nodes = nodes(&[("a", &["b"], &[]), ("b", &["a"], &[])]);
        let plan = plan(&nodes, &[]);
        assert_eq!(order_of(&nodes, &plan), ["b", "a"]);
        assert_eq!(plan.cycles[0].labels, ["b", "a"]);
    }

    #[test]
    fn every_cleanup_is_planned_once_whatever_the_constraints() {
        // A dense tangle: each cleanup after the next two (mod n), some
        // before others; the plan still holds each exactly once.
        let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let arcs: Vec<Arc<str>> = names.iter().map(|name| Arc::from(name.as_str())).collect();
        let after: Vec<[&str; 2]> = (0..40)
            .map(|i| [names[(i + 1) % 40].as_str(), names[(i + 7) % 40].as_str()])
            .collect();
        let nodes: Vec<Node<'_>> = (0..40)
            .map(|i| Node {
                sequence: i as u64,
                name: Some(&names[i]),
                label: &names[i],
                after: Targets {
                    declared: &after[i],
                    given: &[],
                },
                before: Targets {
                    declared: &[],
                    given: if i % 3 == 0 {
                        std::slice::from_ref(&arcs[(i + 13) % 40])
                    } else {
                        &[]
                    },
                },
            })
            .collect();
        let plan = plan(&nodes, &[]);
        let mut order = plan.order.clone();
        order.sort_unstable();
        assert_eq!(order, (0..40).collect::<Vec<u64>>());
        assert!(!plan.cycles.is_empty());
        // Every constraint outside a reported cycle holds.
        let place = |sequence: u64| plan.order.iter().position(|&s| s == sequence).unwrap();
        let same_cycle = |a: u64, b: u64| {
            plan.cycles
                .iter()
                .any(|cycle| cycle.members.contains(&a) && cycle.members.contains(&b))
        };
        for (i, node) in nodes.iter().enumerate() {
            let i = i as u64;
            let index_of = |name: &str| names.iter().position(|n| n == name).unwrap() as u64;
            node.after.each(|name| {
                let first = index_of(name);
                assert!(same_cycle(first, i) || place(first) < place(i));
            });
            node.before.each(|name| {
                let then = index_of(name);
                assert!(same_cycle(then, i) || place(i) < place(then));
            });
        }
    }
}
