#include "analysis/HeapGraphBuilder.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace gcscope::analysis {

namespace {
constexpr std::uint64_t kUnresolved = std::numeric_limits<std::uint64_t>::max();
}

std::uint32_t HeapGraphBuilder::internType(std::string_view name)
{
    if (auto it = typeIndex_.find(name); it != typeIndex_.end())
        return it->second;
    auto index = static_cast<std::uint32_t>(graph_.typeNames.size());
    graph_.typeNames.emplace_back(name);
    typeIndex_.emplace(std::string(name), index);
    return index;
}

std::uint32_t HeapGraphBuilder::internString(std::string_view text)
{
    if (text.empty())
        return 0;
    if (auto it = stringIndex_.find(text); it != stringIndex_.end())
        return it->second;
    auto index = static_cast<std::uint32_t>(graph_.strings.size());
    // Index labels use the high bit, so name labels must stay below it.
    if (index >= kIndexLabelBit)
        throw std::length_error("too many distinct strings in one heap snapshot");
    graph_.strings.emplace_back(text);
    stringIndex_.emplace(std::string(text), index);
    return index;
}

ObjectId HeapGraphBuilder::addObject(const ObjectInfo& object)
{
    return addObject(object.address, internType(object.type), object.size, object.refcount, object.flags,
        internString(object.label));
}

ObjectId HeapGraphBuilder::addObject(std::uint64_t address, std::uint32_t type, std::uint64_t size,
    std::int64_t refcount, std::uint8_t flags, std::uint32_t label)
{
    if (graph_.address.size() >= kMaxObjects)
        throw std::length_error("too many objects in one heap snapshot");
    auto id = static_cast<ObjectId>(graph_.address.size());
    graph_.address.push_back(address);
    graph_.type.push_back(type);
    graph_.size.push_back(size);
    graph_.refcount.push_back(refcount);
    graph_.flags.push_back(flags);
    graph_.label.push_back(label);
    return id;
}

void HeapGraphBuilder::addEdge(ObjectId from, ObjectId to, std::uint32_t label)
{
    edges_.push_back({ from, to, label, false, false });
}

void HeapGraphBuilder::addEdgeToAddress(ObjectId from, std::uint64_t toAddress, std::uint32_t label)
{
    edges_.push_back({ from, toAddress, label, false, true });
    anyAddressEdge_ = true;
}

void HeapGraphBuilder::addEdgeByAddress(std::uint64_t fromAddress, std::uint64_t toAddress, std::uint32_t label)
{
    edges_.push_back({ fromAddress, toAddress, label, true, true });
    anyAddressEdge_ = true;
}

void HeapGraphBuilder::reserve(std::size_t objects, std::size_t edges)
{
    // The counts come from the agent's SnapshotBegin or a file's snapshots row, neither of which we
    // trust: a hint up to these sizes (about 60 MB), beyond them the arrays grow as objects arrive.
    constexpr std::size_t kMostObjects = std::size_t { 1 } << 20;
    constexpr std::size_t kMostEdges = std::size_t { 1 } << 20;
    objects = std::min(objects, kMostObjects);
    edges = std::min(edges, kMostEdges);
    graph_.address.reserve(objects);
    graph_.type.reserve(objects);
    graph_.size.reserve(objects);
    graph_.refcount.reserve(objects);
    graph_.flags.reserve(objects);
    graph_.label.reserve(objects);
    edges_.reserve(edges);
}

// Turns every address end into an ObjectId (or kUnresolved). Sorting the look-ups and walking
// them alongside the sorted objects costs two sorts; a binary search per edge would miss the cache
// on every step and is several times slower on millions of edges.
void HeapGraphBuilder::resolveAddresses()
{
    const auto n = graph_.address.size();
    std::vector<std::pair<std::uint64_t, ObjectId>> objects(n);
    for (std::size_t i = 0; i < n; ++i)
        objects[i] = { graph_.address[i], static_cast<ObjectId>(i) };
    std::sort(objects.begin(), objects.end());
    for (std::size_t i = 1; i < n; ++i)
        if (objects[i].first == objects[i - 1].first)
            throw std::invalid_argument("two objects in one heap snapshot share an address");
    graph_.byAddress.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        graph_.byAddress[i] = objects[i].second;
    if (!anyAddressEdge_)
        return;

    // (address, 2 * edge + which end) for every end given as an address.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> lookups;
    for (std::uint64_t e = 0; e < edges_.size(); ++e) {
        if (edges_[e].fromIsAddress)
            lookups.emplace_back(edges_[e].from, 2 * e);
        if (edges_[e].toIsAddress)
            lookups.emplace_back(edges_[e].to, 2 * e + 1);
    }
    std::sort(lookups.begin(), lookups.end());
    std::size_t o = 0;
    for (const auto& [address, slot] : lookups) {
        while (o < n && objects[o].first < address)
            ++o;
        std::uint64_t id = (o < n && objects[o].first == address) ? objects[o].second : kUnresolved;
        auto& edge = edges_[slot / 2];
        (slot % 2 == 0 ? edge.from : edge.to) = id;
    }
}

HeapGraph HeapGraphBuilder::build()
{
    const auto n = graph_.address.size();
    for (std::size_t i = 0; i < n; ++i)
        if (graph_.type[i] >= graph_.typeNames.size() || graph_.label[i] >= graph_.strings.size())
            throw std::out_of_range("a heap snapshot object names a type or label that was never interned");
    resolveAddresses();

    // Counting sort by source: a stable placement keeps each object's edges in arrival order.
    unresolvedEdges_ = 0;
    std::vector<std::uint64_t> begin(n + 1, 0);
    for (auto& edge : edges_) {
        if (edge.from == kUnresolved || edge.to == kUnresolved) {
            ++unresolvedEdges_;
            continue;
        }
        if (edge.from >= n || edge.to >= n)
            throw std::out_of_range("a heap snapshot edge names an object id that was never added");
        ++begin[edge.from + 1];
    }
    for (std::size_t i = 0; i < n; ++i)
        begin[i + 1] += begin[i];
    graph_.edgeTarget.resize(begin[n]);
    graph_.edgeLabel.resize(begin[n]);
    {
        std::vector<std::uint64_t> cursor(begin.begin(), begin.end() - 1);
        for (const auto& edge : edges_) {
            if (edge.from == kUnresolved || edge.to == kUnresolved)
                continue;
            auto at = cursor[edge.from]++;
            graph_.edgeTarget[at] = static_cast<ObjectId>(edge.to);
            graph_.edgeLabel[at] = edge.label;
        }
    }
    graph_.edgeBegin = std::move(begin);

    HeapGraph out = std::move(graph_);
    graph_ = HeapGraph {};
    edges_ = {};
    anyAddressEdge_ = false;
    typeIndex_.clear();
    stringIndex_.clear();
    return out;
}

} // namespace gcscope::analysis
