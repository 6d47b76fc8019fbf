// Who keeps what alive: the dominator tree and retained sizes.
//
// Rule: the tree hangs from a virtual root whose children are all roots (refcount roots and
// ExplicitRoot, Roots.h) and covers every object, leaves included, over every edge. Object d
// dominates v when every path from the virtual root to v passes through d; idom(v) is the closest
// such d (kVirtualRoot when only the virtual root dominates v). The retained size of v is the
// shallow size of everything v dominates, itself included: what freeing v would free.
// Objects the virtual root cannot reach (garbage, or held only by garbage) get idom = kNoObject and
// retained size = their own shallow size: they are in no tree, so they retain nothing but themselves.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/Roots.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gcscope::analysis {

// The number of the rule above (with Roots.h's root rule), as kept with a tree stored in a file:
// a tree kept under another number is computed anew. Count it up whenever either rule changes what
// a tree or a retained size is.
inline constexpr std::uint32_t kDominatorRule = 1;

struct DominatorTree {
    std::vector<ObjectId> idom; // per object: immediate dominator, kVirtualRoot, or kNoObject (unreachable)
    std::vector<std::uint64_t> retained; // per object: retained size in bytes
    std::uint64_t reachableCount = 0; // objects the virtual root reaches

    bool isReachable(ObjectId id) const { return idom[id] != kNoObject; }
    // The k objects with the largest retained size, largest first (ties: lower id first).
    std::vector<ObjectId> topRetained(std::size_t k) const;
};

// Semi-NCA (Georgiadis, Tarjan, Werneck: "Finding dominators in practice", 2006): Lengauer-Tarjan's
// semidominators with iterative path compression, then immediate dominators by walking the partial
// tree. Near-linear on heap graphs; no recursion. Objects without references of their own and with
// at most four referrers (a str, an int: a third of a service heap) are left out of the search and
// get the nearest common dominator of their referrers afterwards; should those walks up the tree
// outnumber the heap's objects and references (referrers far apart in a very deep tree), every
// object is searched instead. Scratch memory: about 24 bytes per searched object and 4 per reference
// between them, and 4 bytes per object, freed before returning.
// wideOffsets: 64-bit predecessor offsets even below 2^32 references, where 32 bits suffice (tests).
DominatorTree computeDominators(const HeapGraph& graph, const RootSet& roots, bool wideOffsets = false);

// The dominator tree's children lists (CSR), for browsing it top-down.
struct DominatorChildren {
    // objectCount() + 2 entries: the last list is the virtual root's. 32 bits suffice: every object
    // is one list's child at most, and a graph holds fewer than 2^32 objects (kMaxObjects).
    std::vector<std::uint32_t> begin;
    std::vector<ObjectId> child; // ascending within each list

    std::span<const ObjectId> of(ObjectId id) const; // id may be kVirtualRoot
};
DominatorChildren buildDominatorChildren(const DominatorTree& tree);

} // namespace gcscope::analysis
