#include "analysis/Dominators.h"

#include "analysis/GroupByKey.h"
#include "util/release.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <stdexcept>

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
    std::vector<Number> number; // per object: its number, 0 when not reached (sinks: see Sinks)
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
// Objects without references of their own, not roots, and referred to at most kFewReferrers times
// ("sinks": a str, an int, an empty container; a third of a service heap's objects). No path passes
// through them, so they take no part in any other object's dominators: the search and the
// semidominators leave them out, and each gets its immediate dominator afterwards, the nearest
// common dominator of its referrers (the tree's walks bounded: see dominatorsWith). Objects referred
// to more often stay in the search.
class Sinks {
public:
    static constexpr std::uint8_t kFewReferrers = 4;

    // None when !setAside: the search then covers every object.
    Sinks(const HeapGraph& graph, const RootSet& roots, bool setAside)
        : words_((graph.objectCount() + 63) / 64, 0)
    {
        if (!setAside)
            return;
        const auto n = graph.objectCount();
        const EdgeIndex* begin = graph.edgeBegin.data();
        for (std::size_t id = 0; id < n; ++id)
            if (begin[id] == begin[id + 1])
                words_[id / 64] |= std::uint64_t { 1 } << (id % 64);
        for (ObjectId root : roots.roots)
            remove(root);
        std::vector<std::uint8_t> referrers(n, 0); // counted up to one past the few
        for (const ObjectId w : graph.edgeTarget)
            if (contains(w) && referrers[w] <= kFewReferrers)
                ++referrers[w];
        for (std::size_t id = 0; id < n; ++id)
            if (referrers[id] > kFewReferrers)
                remove(static_cast<ObjectId>(id));
        any_ = true;
    }
    bool any() const { return any_; }
    bool contains(ObjectId id) const { return (words_[id / 64] >> (id % 64)) & 1; }

private:
    void remove(ObjectId id) { words_[id / 64] &= ~(std::uint64_t { 1 } << (id % 64)); }
    std::vector<std::uint64_t> words_;
    bool any_ = false;
};

template <class Offset>
Preorder<Offset> depthFirstFromRoots(const HeapGraph& graph, const RootSet& roots, const Sinks& sinks)
{
    // Every array sized once: on tens of millions of objects, growing them by doubling would copy
    // and fault in about twice the memory they end up using.
    Preorder<Offset> p;
    const auto n = graph.objectCount();
    p.number.assign(n, 0);
    std::vector<Number>& number = p.number;
    // Per object: the references into it (and one per time it is a root). Once predBegin is made
    // from them, the same array holds the predecessors: room for both is reserved here (address
    // space only), so that they take the counts' memory. Freed and allocated anew, they took fresh
    // memory above a hole too small for them (123 MB at 30.8M objects).
    std::vector<Number> into;
    into.reserve(std::max<std::uint64_t>(n, graph.edgeCount() + roots.roots.size()));
    into.assign(n, 0);
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
            if (sinks.contains(w))
                continue;
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
    for (std::size_t i = 0; i < count; ++i)
        p.predBegin[i + 1] += p.predBegin[i];
    p.pred = std::move(into); // every slot is written below: what the counts left there does not matter
    p.pred.resize(references);
    for (ObjectId root : roots.roots)
        p.pred[--p.predBegin[number[root] + 1]] = 0;
    for (Number v = 1; v < count; ++v) {
        const ObjectId object = p.vertex[v];
        for (std::uint64_t e = graph.edgeBegin[object]; e < graph.edgeBegin[object + 1]; ++e)
            if (const ObjectId w = graph.edgeTarget[e]; !sinks.contains(w))
                p.pred[--p.predBegin[number[w] + 1]] = v;
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

// Nothing when the sinks set aside would cost more walks up the tree than the heap has objects and
// references: the nearest common dominator of referrers far apart in a deep tree (a linked list of
// a million nodes whose values an index also holds) is a walk per referrer, where the search's own
// path compression is not. The caller then searches every object.
template <class Offset>
std::optional<DominatorTree> dominatorsWith(const HeapGraph& graph, const RootSet& roots, bool setSinksAside)
{
    const auto n = graph.objectCount();
    const Sinks sinks(graph, roots, setSinksAside);
    Preorder<Offset> p = depthFirstFromRoots<Offset>(graph, roots, sinks);
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
    util::release(semi);

    // A sink's dominators are those of all its referrers, as no path passes through it: its
    // immediate dominator is their nearest common ancestor in the tree. The referrers are read in
    // object order (their references one after the other), and the ancestor found so far is kept
    // in the sink's own slot of `number`, plus one (0: no referrer reached yet).
    std::vector<Number>& number = p.number;
    std::uint64_t walksLeft = n + graph.edgeCount(); // about 12 times what a service heap takes
    for (std::size_t object = 0; sinks.any() && object < n; ++object) {
        const Number v = number[object];
        if (v == 0 || sinks.contains(static_cast<ObjectId>(object)))
            continue;
        for (std::uint64_t e = graph.edgeBegin[object]; e < graph.edgeBegin[object + 1]; ++e) {
            const ObjectId w = graph.edgeTarget[e];
            if (!sinks.contains(w))
                continue;
            if (number[w] == 0) {
                number[w] = v + 1;
                continue;
            }
            Number x = number[w] - 1;
            Number y = v;
            while (x != y) { // numbers decrease up the tree
                if (walksLeft-- == 0)
                    return std::nullopt;
                if (x > y)
                    x = idomNumber[x];
                else
                    y = idomNumber[y];
            }
            number[w] = x + 1;
        }
    }

    DominatorTree tree;
    tree.reachableCount = count - 1;
    tree.retained.resize(n);
    for (std::size_t id = 0; id < n; ++id)
        tree.retained[id] = graph.size[id];
    // `number` becomes the idom array, in place.
    for (std::size_t id = 0; id < n; ++id) {
        const Number v = number[id];
        Number d;
        if (v == 0) {
            number[id] = kNoObject;
            continue;
        }
        if (sinks.contains(static_cast<ObjectId>(id))) {
            d = v - 1;
            ++tree.reachableCount;
            if (d != 0)
                tree.retained[p.vertex[d]] += graph.size[id];
        } else {
            d = idomNumber[v];
        }
        number[id] = d == 0 ? kVirtualRoot : p.vertex[d];
    }
    tree.idom = std::move(number);
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
    const bool wide = wideOffsets || most >= std::numeric_limits<std::uint32_t>::max();
    for (const bool setSinksAside : { true, false }) {
        auto tree = wide ? dominatorsWith<std::uint64_t>(graph, roots, setSinksAside)
                         : dominatorsWith<std::uint32_t>(graph, roots, setSinksAside);
        if (tree)
            return std::move(*tree);
    }
    throw std::logic_error("the dominators without sinks set aside take no walks to give up on");
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
