#include "analysis/TypeSummary.h"

#include <algorithm>

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

} // namespace

TypeSummaries summarizeTypes(const HeapGraph& graph, const DominatorTree& tree, const DominatorChildren& children)
{
    const std::size_t typeCount = graph.typeNames.size();
    std::vector<std::uint64_t> count(typeCount, 0), shallow(typeCount, 0), retained(typeCount, 0);
    for (ObjectId id = 0; id < graph.objectCount(); ++id) {
        ++count[graph.type[id]];
        shallow[graph.type[id]] += graph.size[id];
        if (!tree.isReachable(id))
            retained[graph.type[id]] += tree.retained[id];
    }
    addOutermostRetained(graph, tree, children, retained);

    TypeSummaries out;
    for (std::uint32_t t = 0; t < typeCount; ++t)
        if (count[t] != 0)
            out.types.push_back({ t, count[t], shallow[t], retained[t] });
    std::sort(out.types.begin(), out.types.end(), [&graph](const TypeSummary& a, const TypeSummary& b) {
        if (a.retainedSize != b.retainedSize)
            return a.retainedSize > b.retainedSize;
        return graph.typeNames[a.type] < graph.typeNames[b.type];
    });

    // Counting sort by type, then each type's slice by retained size.
    out.instanceBegin.assign(typeCount + 1, 0);
    for (std::uint32_t t = 0; t < typeCount; ++t)
        out.instanceBegin[t + 1] = out.instanceBegin[t] + count[t];
    out.instances.resize(graph.objectCount());
    std::vector<std::uint64_t> fill(out.instanceBegin.begin(), out.instanceBegin.end() - 1);
    for (ObjectId id = 0; id < graph.objectCount(); ++id)
        out.instances[fill[graph.type[id]]++] = id;
    for (std::uint32_t t = 0; t < typeCount; ++t)
        std::sort(out.instances.begin() + static_cast<std::ptrdiff_t>(out.instanceBegin[t]),
            out.instances.begin() + static_cast<std::ptrdiff_t>(out.instanceBegin[t + 1]),
            [&tree](ObjectId a, ObjectId b) {
                return tree.retained[a] != tree.retained[b] ? tree.retained[a] > tree.retained[b] : a < b;
            });
    return out;
}

} // namespace gcscope::analysis
