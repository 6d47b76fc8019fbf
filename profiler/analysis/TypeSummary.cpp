#include "analysis/TypeSummary.h"

#include "analysis/RadixSort.h"
#include "util/release.h"

#include <algorithm>
#include <bit>
#include <future>
#include <limits>
#include <span>
#include <stdexcept>

namespace gcscope::analysis {
namespace {

// Adds to `retained` the retained size of every reachable object with no ancestor of its own type
// in the dominator tree, walking it depth first with a per-type count of open ancestors.
void addOutermostRetained(const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children,
    std::vector<std::uint64_t>& retained)
{
    std::vector<std::uint32_t> openOfType(graph.typeNames.size(), 0);
    struct Frame {
        ObjectId object; // kVirtualRoot for the bottom frame
        std::size_t next; // the next child to visit
    };
    std::vector<Frame> stack { { kVirtualRoot, 0 } };
    while (!stack.empty()) {
        auto& top = stack.back();
        const auto kids = children.of(top.object);
        if (top.next == kids.size()) {
            if (top.object != kVirtualRoot)
                --openOfType[graph.type[top.object]];
            stack.pop_back();
            continue;
        }
        const ObjectId child = kids[top.next++];
        const auto type = graph.type[child];
        if (openOfType[type]++ == 0)
            retained[type] += tree.retained[child];
        stack.push_back({ child, 0 });
    }
}

// Orders one type's instances, given in id order, by retained size, biggest first, ties by id. A
// big slice goes through a radix sort: each id becomes a 64-bit key, the retained size's distance
// below the slice's largest above the id, sorted on the bits those distances take (a type of
// small objects differs in a few bits: one pass). A comparison sort here read two retained sizes
// far apart in memory at each step: on 30.8M objects it took 1.3 s of the GUI's 12.
void sortByRetained(std::span<ObjectId> ids, const DominatorTree& tree, std::vector<std::uint64_t>& keys,
    std::vector<std::uint64_t>& spare)
{
    const auto byRetained = [&tree](ObjectId a, ObjectId b) {
        return tree.retained[a] != tree.retained[b] ? tree.retained[a] > tree.retained[b] : a < b;
    };
    constexpr std::size_t kSmall = 256;
    if (ids.size() < kSmall)
        return std::sort(ids.begin(), ids.end(), byRetained);
    std::uint64_t most = 0, least = std::numeric_limits<std::uint64_t>::max();
    for (const ObjectId id : ids) {
        most = std::max<std::uint64_t>(most, tree.retained[id]);
        least = std::min<std::uint64_t>(least, tree.retained[id]);
    }
    const int bits = std::bit_width(most - least);
    if (bits > 32) // sizes more than 4 GiB apart within one type: rare enough for the comparisons
        return std::sort(ids.begin(), ids.end(), byRetained);
    if (keys.size() < ids.size()) {
        keys.resize(ids.size());
        spare.resize(ids.size());
    }
    // In id order already: the stable sort keeps ties that way.
    for (std::size_t i = 0; i < ids.size(); ++i)
        keys[i] = ((most - tree.retained[ids[i]]) << 32) | ids[i];
    const auto sorted = std::span(keys).first(ids.size());
    radixSort(sorted, spare, 32, 32 + bits);
    for (std::size_t i = 0; i < ids.size(); ++i)
        ids[i] = static_cast<ObjectId>(sorted[i]);
}

} // namespace

TypeInstances instancesByRetained(const HeapGraph& graph, const DominatorTree& tree)
{
    const std::size_t typeCount = graph.typeNames.size();
    TypeInstances out;
    out.count.assign(typeCount, 0);
    out.shallowSize.assign(typeCount, 0);
    for (ObjectId id = 0; id < graph.objectCount(); ++id) {
        ++out.count[graph.type[id]];
        out.shallowSize[graph.type[id]] += graph.size[id];
    }
    // Counting sort by type, then each type's slice by retained size.
    out.instanceBegin.assign(typeCount + 1, 0);
    for (std::uint32_t t = 0; t < typeCount; ++t)
        out.instanceBegin[t + 1] = out.instanceBegin[t] + out.count[t];
    out.instances.resize(graph.objectCount());
    std::vector<std::uint64_t> fill(out.instanceBegin.begin(), out.instanceBegin.end() - 1);
    for (ObjectId id = 0; id < graph.objectCount(); ++id)
        out.instances[fill[graph.type[id]]++] = id;
    util::release(fill);
    std::vector<std::uint64_t> keys, spare; // as long as the biggest type's slice, once one needs them
    for (std::uint32_t t = 0; t < typeCount; ++t)
        sortByRetained(
            std::span(out.instances).subspan(out.instanceBegin[t], out.instanceBegin[t + 1] - out.instanceBegin[t]),
            tree, keys, spare);
    return out;
}

std::vector<std::uint64_t> retainedByType(
    const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children)
{
    std::vector<std::uint64_t> retained(graph.typeNames.size(), 0);
    for (ObjectId id = 0; id < graph.objectCount(); ++id)
        if (!tree.isReachable(id))
            retained[graph.type[id]] += tree.retained[id];
    addOutermostRetained(graph, tree, children, retained);
    return retained;
}

TypeSummaries summarizeTypes(
    const HeapGraph& graph, TypeInstances instances, const std::vector<std::uint64_t>& retained)
{
    const std::size_t typeCount = graph.typeNames.size();
    if (instances.count.size() != typeCount || retained.size() != typeCount
        || instances.instances.size() != graph.objectCount())
        throw std::invalid_argument("type summary halves of another graph");
    TypeSummaries out;
    for (std::uint32_t t = 0; t < typeCount; ++t)
        if (instances.count[t] != 0)
            out.types.push_back({ t, instances.count[t], instances.shallowSize[t], retained[t] });
    std::sort(out.types.begin(), out.types.end(), [&graph](const TypeSummary& a, const TypeSummary& b) {
        if (a.retainedSize != b.retainedSize)
            return a.retainedSize > b.retainedSize;
        return graph.typeNames[a.type] < graph.typeNames[b.type];
    });
    out.instanceBegin = std::move(instances.instanceBegin);
    out.instances = std::move(instances.instances);
    return out;
}

TypeSummaries summarizeTypes(const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children)
{
    auto instances = std::async(std::launch::async, [&] { return instancesByRetained(graph, tree); });
    const auto retained = retainedByType(graph, tree, children); // the future waits when this throws
    return summarizeTypes(graph, instances.get(), retained);
}

} // namespace gcscope::analysis
