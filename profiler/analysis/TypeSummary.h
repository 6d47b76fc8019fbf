// Per-type totals of one analysed snapshot, as a heap inspector lists them: how many objects,
// their shallow bytes, what they retain together, and the instances, largest retained first.
//
// Rule for a type's retained size: the sum of the retained sizes (Dominators.h) of its instances
// that no other instance of the same type dominates. Summing every instance would count a linked
// list of n nodes about n^2/2 times; this way a type's retained size is exactly what freeing all its
// instances would free through them. Unreachable instances retain their own size.
#pragma once

#include "analysis/Dominators.h"
#include "analysis/HeapGraph.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gcscope::analysis {

struct TypeSummary {
    std::uint32_t type = 0; // index into HeapGraph::typeNames
    std::uint64_t count = 0;
    std::uint64_t shallowSize = 0;
    std::uint64_t retainedSize = 0;
    bool operator==(const TypeSummary&) const = default;
};

struct TypeSummaries {
    std::vector<TypeSummary> types; // types with at least one object, largest retainedSize first, then by name
    // Instances per type index in CSR form, largest retained size first, then ascending id.
    std::vector<std::uint64_t> instanceBegin { 0 };
    std::vector<ObjectId> instances;

    std::span<const ObjectId> instancesOf(std::uint32_t type) const
    {
        return { instances.data() + instanceBegin[type], instances.data() + instanceBegin[type + 1] };
    }
};

// One walk of the dominator tree (iterative) plus a sort of the instances: O(n log n).
TypeSummaries summarizeTypes(const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children);

} // namespace gcscope::analysis
