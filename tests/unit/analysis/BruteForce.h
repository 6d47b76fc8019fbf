// Slow, obviously-correct versions of each analysis, straight from the definitions, for checking
// the real ones on small random graphs.
#pragma once

#include "analysis/HeapGraph.h"

#include <cstdint>
#include <vector>

namespace gcscope::analysis::test {

using Matrix = std::vector<std::vector<bool>>;

// reach[a][b]: b can be reached from a (a reaches itself). trackedOnly: only Tracked objects and
// edges between them.
Matrix reachability(const HeapGraph& graph, bool trackedOnly);

// Roots straight from the rule: refcount > references from Tracked objects, or ExplicitRoot.
std::vector<bool> naiveRoots(const HeapGraph& graph, bool refcountOnly);

// Garbage by fixpoint: start from refcount roots, add Tracked referents of marked Tracked
// objects until nothing changes.
std::vector<bool> naiveUnreachable(const HeapGraph& graph);

// Objects reached from the virtual root (all roots) over every edge, skipping `removed`
// (kNoObject: nothing removed).
std::vector<bool> reachedFromRoots(const HeapGraph& graph, ObjectId removed);

// dominates[d][v]: every path from the virtual root to v passes through d (v reached; d == v counts).
Matrix naiveDominance(const HeapGraph& graph);

// Shortest distance from any root over every edge, as the minimum over one BFS per root.
std::vector<std::uint32_t> distanceFromAnyRoot(const HeapGraph& graph);

} // namespace gcscope::analysis::test
