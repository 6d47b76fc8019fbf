// Two snapshots compared per type, the way Chrome DevTools' comparison view does it: besides the
// count and size deltas (Diff.h), how many objects are new and how many were freed.
//
// Rule: an object of `to` is a survivor when `from` holds an object of the same type name at the
// same address; every other object of `to` is new, every other object of `from` was freed. So
// added - freed == countDelta for every type. CPython reuses the memory of freed objects, so an
// object freed and replaced by another of its type at the same address counts as a survivor: new
// and freed are lower bounds, the deltas are exact.
#pragma once

#include "analysis/Diff.h"
#include "analysis/HeapGraph.h"

#include <cstdint>
#include <vector>

namespace gcscope::analysis {

struct TypeComparisonRow : TypeDiffRow {
    std::uint64_t added = 0; // objects in `to` without a same-typed object at their address in `from`
    std::uint64_t freed = 0; // objects in `from` without a same-typed object at their address in `to`
    std::uint64_t addedSize = 0; // their shallow bytes
    std::uint64_t freedSize = 0;
    bool operator==(const TypeComparisonRow&) const = default;
};

// One row per type present in either graph, in diffCensus order (largest size growth first).
// `from` may be null: everything in `to` is new.
std::vector<TypeComparisonRow> compareGraphs(const HeapGraph* from, const HeapGraph& to);

} // namespace gcscope::analysis
