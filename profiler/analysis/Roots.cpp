#include "analysis/Roots.h"

#include <limits>

namespace gcscope::analysis {

RootSet findRoots(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    RootSet r;
    std::vector<std::uint32_t> internalRefs(n, 0); // references from Tracked objects (saturates)
    r.kind.assign(n, NotRoot);
    for (ObjectId from = 0; from < n; ++from) {
        // Only Tracked referrers count: the collector's tp_traverse pass never visits leaves, so a
        // reference from an untracked container is, for it, a reference from outside.
        if (!graph.isTracked(from))
            continue;
        for (ObjectId to : graph.referents(from))
            if (internalRefs[to] != std::numeric_limits<std::uint32_t>::max())
                ++internalRefs[to];
    }
    for (ObjectId id = 0; id < n; ++id) {
        std::uint8_t kind = NotRoot;
        if (graph.isTracked(id) && graph.isImmortal(id))
            kind |= ImmortalRoot;
        else if (graph.isTracked(id) && graph.refcount[id] > static_cast<std::int64_t>(internalRefs[id]))
            kind |= RefcountRoot;
        if (graph.isExplicitRoot(id))
            kind |= FlaggedRoot;
        r.kind[id] = kind;
        if (kind != NotRoot)
            r.roots.push_back(id);
    }
    return r;
}

std::uint64_t internalReferences(const HeapGraph& graph, const Referrers& referrers, ObjectId id)
{
    std::uint64_t count = 0;
    for (ObjectId from : referrers.of(id))
        count += graph.isTracked(from);
    return count;
}

std::int64_t externalReferences(const HeapGraph& graph, const Referrers& referrers, ObjectId id)
{
    return graph.refcount[id] - static_cast<std::int64_t>(internalReferences(graph, referrers, id));
}

} // namespace gcscope::analysis
