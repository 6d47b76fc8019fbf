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

// The two halves of a summary, which need different parts of the analysis and may run side by side:
// each type's count, shallow size and instances in order (the graph and the retained sizes: a
// counting sort by type, then a sort of each type's slice), and what each type retains (the
// dominator tree's children too: one walk of the tree, iterative). At 31.5M objects each took about
// half of the 1.1 s the summary took in one piece.
struct TypeInstances {
    std::vector<std::uint64_t> count; // per type index
    std::vector<std::uint64_t> shallowSize; // per type index
    std::vector<std::uint64_t> instanceBegin { 0 }; // as TypeSummaries
    std::vector<ObjectId> instances;
};
TypeInstances instancesByRetained(const HeapGraph& graph, const DominatorTree& tree);
// Per type index, by the rule above.
std::vector<std::uint64_t> retainedByType(
    const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children);
// The summary of the two halves, computed from one graph and tree.
TypeSummaries summarizeTypes(
    const HeapGraph& graph, TypeInstances instances, const std::vector<std::uint64_t>& retained);

// Both halves, the first on a thread of its own beside the second: O(n log n).
TypeSummaries summarizeTypes(const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children);

} // namespace gcscope::analysis
