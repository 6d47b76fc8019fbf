#include "analysis/Unreachable.h"

namespace gcscope::analysis {

UnreachableSet findUnreachable(const HeapGraph& graph, const RootSet& roots)
{
    const auto n = graph.objectCount();
    // Leaves start out "reached" so the walk skips them with the same single read per edge: the
    // collector's reachability pass runs tp_traverse on the objects it examines, never on leaves.
    std::vector<std::uint8_t> reached(n, 0);
    for (ObjectId id = 0; id < n; ++id)
        reached[id] = graph.isTracked(id) ? 0 : 1;
    std::vector<ObjectId> stack;
    for (ObjectId root : roots.roots) {
        // Refcount roots are always Tracked.
        if (!roots.protectsFromCollection(root) || reached[root])
            continue;
        reached[root] = 1;
        stack.push_back(root);
        while (!stack.empty()) {
            ObjectId v = stack.back();
            stack.pop_back();
            for (ObjectId w : graph.referents(v)) {
                if (!reached[w]) {
                    reached[w] = 1;
                    stack.push_back(w);
                }
            }
        }
    }

    UnreachableSet out;
    out.isUnreachable.assign(n, 0);
    for (ObjectId id = 0; id < n; ++id) {
        if (reached[id] || !graph.isTracked(id))
            continue;
        out.isUnreachable[id] = 1;
        out.objects.push_back(id);
        out.totalSize += graph.size[id];
        if (graph.hasFinalizer(id))
            out.withFinalizers.push_back(id);
    }
    return out;
}

} // namespace gcscope::analysis
