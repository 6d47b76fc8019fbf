#include "analysis/Roots.h"

#include <limits>

namespace gcscope::analysis {

RootSet findRoots(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    RootSet r;
    r.internalRefs.assign(n, 0);
    r.kind.assign(n, NotRoot);
    for (ObjectId from = 0; from < n; ++from) {
        // Only Tracked referrers count: the collector's tp_traverse pass never visits leaves, so a
        // reference from an untracked container is, for it, a reference from outside.
        if (!graph.isTracked(from))
            continue;
        for (ObjectId to : graph.referents(from))
            if (r.internalRefs[to] != std::numeric_limits<std::uint32_t>::max())
                ++r.internalRefs[to];
    }
    for (ObjectId id = 0; id < n; ++id) {
        std::uint8_t kind = NotRoot;
        if (graph.isTracked(id) && graph.isImmortal(id))
            kind |= ImmortalRoot;
        else if (graph.isTracked(id) && graph.refcount[id] > static_cast<std::int64_t>(r.internalRefs[id]))
            kind |= RefcountRoot;
        if (graph.isExplicitRoot(id))
            kind |= FlaggedRoot;
        r.kind[id] = kind;
        if (kind != NotRoot)
            r.roots.push_back(id);
    }
    return r;
}

} // namespace gcscope::analysis
