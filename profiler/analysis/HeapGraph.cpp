#include "analysis/HeapGraph.h"

#include <algorithm>

namespace gcscope::analysis {

std::string HeapGraph::edgeLabelText(std::uint32_t edgeLabel) const
{
    if (isIndexLabel(edgeLabel))
        return "[" + std::to_string(labelIndex(edgeLabel)) + "]";
    if (edgeLabel < strings.size())
        return std::string(strings[edgeLabel]);
    return {};
}

const std::vector<ObjectId>& HeapGraph::byAddress() const
{
    return addressOrder.get(address);
}

ObjectId HeapGraph::find(std::uint64_t objectAddress) const
{
    if (!addressOrder.made()) {
        // One lookup reads the addresses once (tens of milliseconds at 30M objects), where making
        // the order takes most of a second: the Inspector's lookups run on the GUI thread.
        const auto it = std::find(address.begin(), address.end(), objectAddress);
        return it == address.end() ? kNoObject : static_cast<ObjectId>(it - address.begin());
    }
    const auto& order = byAddress();
    auto it = std::lower_bound(
        order.begin(), order.end(), objectAddress, [this](ObjectId id, std::uint64_t a) { return address[id] < a; });
    if (it == order.end() || address[*it] != objectAddress)
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
