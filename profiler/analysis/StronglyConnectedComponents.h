// Strongly connected components of the Tracked subgraph (edges between Tracked objects only;
// leaves cannot take part in reference cycles the collector cares about).
#pragma once

#include "analysis/HeapGraph.h"

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace gcscope::analysis {

inline constexpr std::uint32_t kNoComponent = std::numeric_limits<std::uint32_t>::max();

struct StronglyConnectedComponents {
    std::vector<std::uint32_t> componentOf; // per object; kNoComponent for leaves
    // Members in CSR form, each component's members ascending. Components come in reverse
    // topological order: a component only refers to components numbered lower than itself.
    std::vector<std::uint64_t> componentBegin { 0 };
    std::vector<ObjectId> members;

    std::size_t componentCount() const { return componentBegin.size() - 1; }
    std::span<const ObjectId> component(std::uint32_t c) const
    {
        return { members.data() + componentBegin[c], members.data() + componentBegin[c + 1] };
    }
};

// Iterative Tarjan: O(V + E) time, no recursion, so a chain a million objects deep is fine.
StronglyConnectedComponents findStronglyConnectedComponents(const HeapGraph& graph);

} // namespace gcscope::analysis
