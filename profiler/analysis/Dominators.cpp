#include "analysis/Dominators.h"

#include "analysis/GroupByKey.h"
#include "util/release.h"

#include <algorithm>
#include <limits>

namespace gcscope::analysis {

namespace {
// Vertices are numbered in DFS preorder; 0 is the virtual root, objects start at 1.
using Number = std::uint32_t;
constexpr Number kUnlinked = std::numeric_limits<Number>::max();

struct Frame {
    ObjectId object;
    std::uint64_t nextEdge;
};

// Offset: where each vertex's predecessors begin; 32 bits while the references number fewer than
// 2^32 (4 bytes per object less at the peak), 64 past that.
template <class Offset> struct Preorder {
    std::vector<ObjectId> vertex; // per number; vertex[0] is the virtual root
    std::vector<Number> parent; // per number: DFS tree parent
    // Predecessors in CSR form by number: the sources of every reference into a reached object,
    // plus the virtual root (0) for every root.
    std::vector<Offset> predBegin;
    std::vector<Number> pred;
};

// Numbers the objects reached from the roots in depth-first preorder and counts, on the way, the
// references into each; a second pass over the reached objects then places every reference among
// its target's predecessors, by number. The semidominator pass reads predecessors in order, instead
// of looking up each referrer's number at random. Nothing holds all references as pairs: that took
// 8 bytes per reference (460 MB at 57M references), the most of the whole analysis.
template <class Offset> Preorder<Offset> depthFirstFromRoots(const HeapGraph& graph, const RootSet& roots)
{
    // Every array sized once: on tens of millions of objects, growing them by doubling would copy
    // and fault in about twice the memory they end up using.
    Preorder<Offset> p;
    const auto n = graph.objectCount();
    std::vector<Number> number(n, 0); // per object, 0 = not reached
    std::vector<Number> into(n, 0); // per object: the references into it (and one per time it is a root)
    p.vertex.reserve(n + 1);
    p.parent.reserve(n + 1);
    p.vertex.push_back(kVirtualRoot);
    p.parent.push_back(0);
    std::uint64_t references = 0;
    std::vector<Frame> calls;
    auto visit = [&](ObjectId v, Number parent) {
        number[v] = static_cast<Number>(p.vertex.size());
        p.vertex.push_back(v);
        p.parent.push_back(parent);
        calls.push_back({ v, graph.edgeBegin[v] });
    };
    for (ObjectId root : roots.roots) {
        if (number[root] == 0)
            visit(root, 0);
        ++into[root];
        ++references;
        while (!calls.empty()) {
            const ObjectId v = calls.back().object;
            const std::uint64_t e = calls.back().nextEdge;
            if (e == graph.edgeBegin[v + 1]) {
                calls.pop_back();
                continue;
            }
            calls.back().nextEdge = e + 1;
            const ObjectId w = graph.edgeTarget[e];
            if (number[w] == 0)
                visit(w, number[v]);
            ++into[w];
            ++references;
        }
    }

    // predBegin[t + 1] counts the references into t, then becomes where t's predecessors end;
    // placing backwards from there leaves it at where they begin (no second array of cursors).
    const auto count = p.vertex.size();
    p.predBegin.assign(count + 1, 0);
    for (std::size_t t = 1; t < count; ++t)
        p.predBegin[t + 1] = into[p.vertex[t]];
    util::release(into);
    for (std::size_t i = 0; i < count; ++i)
        p.predBegin[i + 1] += p.predBegin[i];
    p.pred.resize(references);
    for (ObjectId root : roots.roots)
        p.pred[--p.predBegin[number[root] + 1]] = 0;
    for (Number v = 1; v < count; ++v) {
        const ObjectId object = p.vertex[v];
        for (std::uint64_t e = graph.edgeBegin[object]; e < graph.edgeBegin[object + 1]; ++e)
            p.pred[--p.predBegin[number[graph.edgeTarget[e]] + 1]] = v;
    }
    // Now predBegin[t + 1] is where t's begin: shift them down into place.
    std::copy(p.predBegin.begin() + 1, p.predBegin.end(), p.predBegin.begin());
    p.predBegin[count] = static_cast<Offset>(references);
    return p;
}

// The path-compression forest, one cache line fetch per vertex: `ancestor` is the forest
// parent (kUnlinked for a forest root); `label` is the smallest semidominator number on the
// compressed path from the vertex up to its forest root (excluded).
struct ForestEntry {
    Number ancestor = kUnlinked;
    Number label = 0;
};

// Lengauer-Tarjan's EVAL with path compression, iterative: the smallest semidominator number
// on v's path to its forest root.
Number evaluate(Number v, std::vector<ForestEntry>& forest, std::vector<Number>& path)
{
    path.clear();
    Number u = v;
    while (forest[forest[u].ancestor].ancestor != kUnlinked) {
        path.push_back(u);
        u = forest[u].ancestor;
    }
    // Compress from the top down so each vertex sees its ancestor's final label.
    while (!path.empty()) {
        ForestEntry& x = forest[path.back()];
        path.pop_back();
        const ForestEntry& a = forest[x.ancestor];
        if (a.label < x.label)
            x.label = a.label;
        x.ancestor = a.ancestor;
    }
    return forest[v].label;
}

template <class Offset> DominatorTree dominatorsWith(const HeapGraph& graph, const RootSet& roots)
{
    const auto n = graph.objectCount();
    Preorder<Offset> p = depthFirstFromRoots<Offset>(graph, roots);
    const auto count = static_cast<Number>(p.vertex.size()); // reached objects + the virtual root

    // Semidominators, in reverse preorder.
    std::vector<Number> semi(count);
    std::vector<ForestEntry> forest(count);
    std::vector<Number> path;
    for (Number w = count - 1; w >= 1; --w) {
        Number s = p.parent[w];
        for (auto i = p.predBegin[w]; i < p.predBegin[w + 1]; ++i) {
            const Number v = p.pred[i];
            // An unprocessed predecessor (v <= w, the virtual root included) is its own candidate;
            // a processed one contributes the smallest semidominator on its path up the forest.
            const Number candidate = v <= w ? v : evaluate(v, forest, path);
            s = std::min(s, candidate);
        }
        semi[w] = s;
        forest[w] = { p.parent[w], s }; // LINK
    }
    util::release(forest);
    util::release(p.pred);
    util::release(p.predBegin);

    // Immediate dominators: idom(w) is the nearest common ancestor of parent(w) and semi(w) in the
    // dominator tree, i.e. the first vertex at or above semi(w) on the way up from parent(w).
    // Preorder guarantees every vertex above w is already final. Reuses `parent` as idom.
    std::vector<Number>& idomNumber = p.parent;
    for (Number w = 1; w < count; ++w) {
        Number x = idomNumber[w];
        while (x > semi[w])
            x = idomNumber[x];
        idomNumber[w] = x;
    }

    DominatorTree tree;
    tree.reachableCount = count - 1;
    tree.idom.assign(n, kNoObject);
    tree.retained.resize(n);
    for (std::size_t id = 0; id < n; ++id)
        tree.retained[id] = graph.size[id];
    for (Number w = 1; w < count; ++w)
        tree.idom[p.vertex[w]] = idomNumber[w] == 0 ? kVirtualRoot : p.vertex[idomNumber[w]];
    // A dominator precedes everything it dominates in preorder, so one backward sweep adds every
    // subtree into its parent after the subtree is complete.
    for (Number w = count - 1; w >= 1; --w)
        if (idomNumber[w] != 0)
            tree.retained[p.vertex[idomNumber[w]]] += tree.retained[p.vertex[w]];
    return tree;
}
} // namespace

DominatorTree computeDominators(const HeapGraph& graph, const RootSet& roots, bool wideOffsets)
{
    // Every reference plus one per root is a predecessor at most.
    const std::uint64_t most = graph.edgeCount() + roots.roots.size();
    if (wideOffsets || most >= std::numeric_limits<std::uint32_t>::max())
        return dominatorsWith<std::uint64_t>(graph, roots);
    return dominatorsWith<std::uint32_t>(graph, roots);
}

std::vector<ObjectId> DominatorTree::topRetained(std::size_t k) const
{
    std::vector<ObjectId> ids(retained.size());
    for (ObjectId i = 0; i < ids.size(); ++i)
        ids[i] = i;
    k = std::min(k, ids.size());
    auto larger
        = [this](ObjectId a, ObjectId b) { return retained[a] != retained[b] ? retained[a] > retained[b] : a < b; };
    std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(), larger);
    ids.resize(k);
    return ids;
}

std::span<const ObjectId> DominatorChildren::of(ObjectId id) const
{
    const std::size_t slot = id == kVirtualRoot ? begin.size() - 2 : id;
    return { child.data() + begin[slot], child.data() + begin[slot + 1] };
}

DominatorChildren buildDominatorChildren(const DominatorTree& tree)
{
    const auto n = tree.idom.size();
    auto slotOf = [n](ObjectId parent) -> std::size_t { return parent == kVirtualRoot ? n : parent; };
    DominatorChildren c;
    groupByKey(n + 1, c.begin, c.child, [&](auto&& place) {
        for (ObjectId id = static_cast<ObjectId>(n); id-- > 0;)
            if (tree.idom[id] != kNoObject)
                place(slotOf(tree.idom[id]), id);
    });
    return c;
}

} // namespace gcscope::analysis
