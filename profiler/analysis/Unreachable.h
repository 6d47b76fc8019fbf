// What the next full gc.collect() would free.
//
// Rule, emulating CPython 3.11's full collection: among Tracked objects, everything that cannot be
// reached through edges between Tracked objects from a refcount root (Roots.h) is garbage. Its
// count equals what gc.collect() returns (collected + uncollectable). ExplicitRoot does not
// protect here: the collector does not know about it, only about refcounts.
//
// Known limits, all from things a snapshot cannot see: an object whose __del__ resurrects it is
// in our set but CPython 3.11 does not count it (measured), and weakref callbacks that free other
// objects during the collection add to gc.collect()'s count. Objects frozen by gc.freeze() are not
// examined by the collector; the agent should report them untracked.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/Roots.h"

#include <cstdint>
#include <vector>

namespace gcscope::analysis {

struct UnreachableSet {
    std::vector<std::uint8_t> isUnreachable; // per object: 1 = garbage
    std::vector<ObjectId> objects; // the garbage, ascending
    std::vector<ObjectId> withFinalizers; // the part of it whose type has __del__ / tp_del, ascending
    std::uint64_t totalSize = 0; // shallow sizes of `objects`

    std::size_t count() const { return objects.size(); }
    bool contains(ObjectId id) const { return isUnreachable[id] != 0; }
};

UnreachableSet findUnreachable(const HeapGraph& graph, const RootSet& roots);

} // namespace gcscope::analysis
