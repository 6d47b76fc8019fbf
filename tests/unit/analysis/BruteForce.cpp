#include "BruteForce.h"

#include <algorithm>
#include <deque>
#include <limits>

namespace gcscope::analysis::test {

namespace {
std::vector<bool> reachFrom(
    const HeapGraph& graph, const std::vector<ObjectId>& starts, ObjectId removed, bool trackedOnly)
{
    std::vector<bool> seen(graph.objectCount(), false);
    std::vector<ObjectId> todo;
    for (ObjectId s : starts) {
        if (s != removed && !seen[s]) {
            seen[s] = true;
            todo.push_back(s);
        }
    }
    while (!todo.empty()) {
        ObjectId v = todo.back();
        todo.pop_back();
        for (ObjectId w : graph.referents(v)) {
            if (w == removed || seen[w] || (trackedOnly && !graph.isTracked(w)))
                continue;
            seen[w] = true;
            todo.push_back(w);
        }
    }
    return seen;
}
} // namespace

Matrix reachability(const HeapGraph& graph, bool trackedOnly)
{
    Matrix m;
    for (ObjectId a = 0; a < graph.objectCount(); ++a) {
        if (trackedOnly && !graph.isTracked(a))
            m.emplace_back(graph.objectCount(), false);
        else
            m.push_back(reachFrom(graph, { a }, kNoObject, trackedOnly));
    }
    return m;
}

std::vector<bool> naiveRoots(const HeapGraph& graph, bool refcountOnly)
{
    const auto n = graph.objectCount();
    std::vector<std::int64_t> internal(n, 0);
    for (ObjectId from = 0; from < n; ++from)
        for (ObjectId to : graph.referents(from))
            if (graph.isTracked(from))
                ++internal[to];
    std::vector<bool> root(n);
    for (ObjectId id = 0; id < n; ++id)
        root[id]
            = (graph.isTracked(id) && graph.refcount[id] > internal[id]) || (!refcountOnly && graph.isExplicitRoot(id));
    return root;
}

std::vector<bool> naiveUnreachable(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    std::vector<bool> marked = naiveRoots(graph, true);
    for (bool changed = true; changed;) {
        changed = false;
        for (ObjectId v = 0; v < n; ++v) {
            if (!marked[v] || !graph.isTracked(v))
                continue;
            for (ObjectId w : graph.referents(v)) {
                if (graph.isTracked(w) && !marked[w]) {
                    marked[w] = true;
                    changed = true;
                }
            }
        }
    }
    std::vector<bool> garbage(n);
    for (ObjectId id = 0; id < n; ++id)
        garbage[id] = graph.isTracked(id) && !marked[id];
    return garbage;
}

std::vector<bool> reachedFromRoots(const HeapGraph& graph, ObjectId removed)
{
    auto root = naiveRoots(graph, false);
    std::vector<ObjectId> starts;
    for (ObjectId id = 0; id < graph.objectCount(); ++id)
        if (root[id])
            starts.push_back(id);
    return reachFrom(graph, starts, removed, false);
}

Matrix naiveDominance(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    const auto all = reachedFromRoots(graph, kNoObject);
    Matrix dom(n, std::vector<bool>(n, false));
    for (ObjectId d = 0; d < n; ++d) {
        const auto without = reachedFromRoots(graph, d);
        for (ObjectId v = 0; v < n; ++v)
            dom[d][v] = all[v] && (v == d || !without[v]);
    }
    return dom;
}

std::vector<std::uint32_t> distanceFromAnyRoot(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    const auto root = naiveRoots(graph, false);
    std::vector<std::uint32_t> best(n, std::numeric_limits<std::uint32_t>::max());
    for (ObjectId r = 0; r < n; ++r) {
        if (!root[r])
            continue;
        std::vector<std::uint32_t> dist(n, std::numeric_limits<std::uint32_t>::max());
        std::deque<ObjectId> queue { r };
        dist[r] = 0;
        while (!queue.empty()) {
            ObjectId v = queue.front();
            queue.pop_front();
            for (ObjectId w : graph.referents(v)) {
                if (dist[w] == std::numeric_limits<std::uint32_t>::max()) {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
            }
        }
        for (ObjectId v = 0; v < n; ++v)
            best[v] = std::min(best[v], dist[v]);
    }
    return best;
}

} // namespace gcscope::analysis::test
