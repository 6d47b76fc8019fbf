// Which objects are held from outside the graph.
//
// Rule: an object is a root when
//   - it is Tracked and its refcount is greater than the number of references to it from Tracked
//     objects in the graph: the rest are held by something the snapshot cannot show (a C global, a
//     C stack, an interpreter frame, an untracked container). This is how CPython's collector finds
//     its starting points (gc_refs = refcount - internal references > 0). Huge refcounts (immortal
//     objects on later Pythons) simply make roots. A refcount lower than the internal count means
//     an inconsistent snapshot and does not make a root.
//   - or it carries the ExplicitRoot flag (sys.modules, a thread's frame...).
//   - an immortal object (3.12+) is never a root by refcount: its count is a marker that says
//     nothing about who holds it. A Tracked immortal is an ImmortalRoot instead: it lives as long
//     as the interpreter, and so does what it holds (the collector never frees it).
// From 3.14 some references in a snapshot (borrowed stack slots of suspended generators and
// finished frames) are not in ob_refcnt; the agent reports their targets' refcounts with them added
// (BorrowedReferences), so the subtraction below stays what the collector computes.
// Leaves (not Tracked) are never roots by refcount: they are reached through their referrers.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/Referrers.h"

#include <cstdint>
#include <vector>

namespace gcscope::analysis {

enum RootKind : std::uint8_t {
    NotRoot = 0,
    RefcountRoot = 1, // held from outside the graph; the only kind the collector knows
    FlaggedRoot = 2, // carries ExplicitRoot
    ImmortalRoot = 4, // a Tracked immortal object
};

struct RootSet {
    std::vector<std::uint8_t> kind; // per object: RootKind bits
    std::vector<ObjectId> roots; // every root of either kind, ascending

    bool isRoot(ObjectId id) const { return kind[id] != NotRoot; }
    bool isRefcountRoot(ObjectId id) const { return (kind[id] & RefcountRoot) != 0; }
    bool isFlaggedRoot(ObjectId id) const { return (kind[id] & FlaggedRoot) != 0; }
    bool isImmortalRoot(ObjectId id) const { return (kind[id] & ImmortalRoot) != 0; }
    // What the collector starts from: refcount roots and immortal ones.
    bool protectsFromCollection(ObjectId id) const { return (kind[id] & (RefcountRoot | ImmortalRoot)) != 0; }
};

RootSet findRoots(const HeapGraph& graph);

// The references into id from Tracked objects: what the collector's tp_traverse pass subtracts.
std::uint64_t internalReferences(const HeapGraph& graph, const Referrers& referrers, ObjectId id);
// References from outside the graph (refcount minus internal references); negative when the
// snapshot is inconsistent. Computed per object: a per-object array would cost 4 bytes each.
std::int64_t externalReferences(const HeapGraph& graph, const Referrers& referrers, ObjectId id);

} // namespace gcscope::analysis
