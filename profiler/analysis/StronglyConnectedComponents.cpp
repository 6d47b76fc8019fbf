#include "analysis/StronglyConnectedComponents.h"

#include <algorithm>
#include <bit>
#include <span>

namespace gcscope::analysis {

namespace {
// Per-object state, one array so that each edge costs one random read: not visited yet, its
// DFS index while it waits on Tarjan's stack, or done (in a component, or a leaf, which the
// walk must ignore).
constexpr std::uint32_t kUnvisited = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kDone = kUnvisited - 1;

struct Frame {
    ObjectId object;
    std::uint64_t nextEdge; // where to resume this object's referents
};

// A component's members in id order. A big one (a heap's web of instances, millions of objects) is
// sorted by marking its members in a bitmap of all ids and reading them back in order: one pass
// over the marked words instead of a comparison sort. On a 10M-object heap whose largest component
// holds about 5.5M objects, components and cycles took 1.09 to 1.32 s against 1.33 to 1.76 s.
// `bitmap` is made at the first big component and left all zero.
void sortMembers(std::span<ObjectId> members, std::size_t objects, std::vector<std::uint64_t>& bitmap)
{
    constexpr std::size_t kSmall = 4096;
    if (members.size() < std::max(kSmall, objects / 64)) {
        std::sort(members.begin(), members.end());
        return;
    }
    if (bitmap.empty())
        bitmap.assign((objects + 63) / 64, 0);
    ObjectId lowest = members.front(), highest = members.front();
    for (ObjectId m : members) {
        bitmap[m / 64] |= std::uint64_t { 1 } << (m % 64);
        lowest = std::min(lowest, m);
        highest = std::max(highest, m);
    }
    std::size_t at = 0;
    for (std::size_t word = lowest / 64; word <= highest / 64; ++word) {
        for (std::uint64_t bits = bitmap[word]; bits != 0; bits &= bits - 1)
            members[at++] = static_cast<ObjectId>(word * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
        bitmap[word] = 0;
    }
}
} // namespace

StronglyConnectedComponents findStronglyConnectedComponents(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    StronglyConnectedComponents out;
    out.componentOf.assign(n, kNoComponent);
    out.members.reserve(n);

    std::vector<std::uint32_t> state(n, kUnvisited);
    for (ObjectId id = 0; id < n; ++id)
        if (!graph.isTracked(id))
            state[id] = kDone;
    std::vector<std::uint32_t> low(n, 0); // lowest index reachable through the DFS subtree and one back edge
    std::vector<ObjectId> pending; // Tarjan's stack: visited, component not yet known
    std::vector<Frame> calls; // the DFS path, instead of the call stack
    std::uint32_t counter = 0;
    std::vector<std::uint64_t> bitmap; // for sorting big components

    auto enter = [&](ObjectId v) {
        state[v] = low[v] = counter++;
        pending.push_back(v);
        calls.push_back({ v, graph.edgeBegin[v] });
    };

    for (ObjectId start = 0; start < n; ++start) {
        if (state[start] != kUnvisited)
            continue;
        enter(start);
        while (!calls.empty()) {
            const ObjectId v = calls.back().object;
            const std::uint64_t e = calls.back().nextEdge;
            if (e < graph.edgeBegin[v + 1]) {
                calls.back().nextEdge = e + 1;
                const ObjectId w = graph.edgeTarget[e];
                const std::uint32_t seen = state[w];
                if (seen == kUnvisited)
                    enter(w); // invalidates references into `calls`: hence the copies above
                else if (seen != kDone) // still on Tarjan's stack
                    low[v] = std::min(low[v], seen);
                continue;
            }
            // All referents of v done: v closes a component when nothing below it reached higher.
            if (low[v] == state[v]) {
                const auto c = static_cast<std::uint32_t>(out.componentCount());
                const auto first = out.members.size();
                ObjectId w;
                do {
                    w = pending.back();
                    pending.pop_back();
                    out.componentOf[w] = c;
                    state[w] = kDone;
                    out.members.push_back(w);
                } while (w != v);
                sortMembers(std::span(out.members).subspan(first), n, bitmap);
                out.componentBegin.push_back(out.members.size());
            }
            calls.pop_back();
            if (!calls.empty()) {
                const ObjectId parent = calls.back().object;
                low[parent] = std::min(low[parent], low[v]);
            }
        }
    }
    return out;
}

} // namespace gcscope::analysis
