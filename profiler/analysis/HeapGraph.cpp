#include "analysis/HeapGraph.h"

#include <algorithm>
#include <stdexcept>

namespace gcscope::analysis {

std::string HeapGraph::edgeLabelText(std::uint32_t edgeLabel) const
{
    if (isIndexLabel(edgeLabel))
        return "[" + std::to_string(labelIndex(edgeLabel)) + "]";
    if (edgeLabel < strings.size())
        return std::string(strings[edgeLabel]);
    return {};
}

ObjectId HeapGraph::find(std::uint64_t objectAddress) const
{
    if (byAddress.size() != address.size())
        throw std::logic_error("HeapGraph::find on a graph built without its address order");
    auto it = std::lower_bound(byAddress.begin(), byAddress.end(), objectAddress,
        [this](ObjectId id, std::uint64_t a) { return address[id] < a; });
    if (it == byAddress.end() || address[*it] != objectAddress)
        return kNoObject;
    return *it;
}

std::vector<std::uint32_t> HeapGraph::stringIdsOf(std::string_view text) const
{
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 1; i < strings.size(); ++i)
        if (strings[i] == text)
            ids.push_back(static_cast<std::uint32_t>(i));
    return ids;
}

} // namespace gcscope::analysis
