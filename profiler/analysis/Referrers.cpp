#include "analysis/Referrers.h"

#include "analysis/GroupByKey.h"

#include <limits>

namespace gcscope::analysis {

namespace {
template <class Offset> void fill(const HeapGraph& graph, std::vector<Offset>& begin, std::vector<ObjectId>& source)
{
    const auto n = graph.objectCount();
    // Every reference, keyed by its target, sources descending (each source's references backwards).
    groupByKey(n, begin, source, [&graph, n](auto&& place) {
        for (ObjectId from = static_cast<ObjectId>(n); from-- > 0;)
            for (auto e = graph.edgeBegin[from + 1]; e-- > graph.edgeBegin[from];)
                place(graph.edgeTarget[e], from);
    });
}
} // namespace

Referrers buildReferrers(const HeapGraph& graph, bool wideOffsets)
{
    Referrers r;
    if (wideOffsets || graph.edgeCount() > std::numeric_limits<std::uint32_t>::max()) {
        r.begin32.clear();
        fill(graph, r.begin64, r.source);
    } else {
        fill(graph, r.begin32, r.source);
    }
    return r;
}

std::vector<Reference> referentsOf(const HeapGraph& graph, ObjectId id)
{
    std::vector<Reference> out;
    auto targets = graph.referents(id);
    auto labels = graph.referentLabels(id);
    out.reserve(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i)
        out.push_back({ targets[i], labels[i] });
    return out;
}

std::vector<Reference> referrersOf(const HeapGraph& graph, const Referrers& referrers, ObjectId id)
{
    std::vector<Reference> out;
    const auto sources = referrers.of(id);
    out.reserve(sources.size());
    for (std::size_t i = 0; i < sources.size();) {
        // A referrer's entries are adjacent: the k-th takes the label of its k-th reference to id.
        const ObjectId from = sources[i];
        const auto targets = graph.referents(from);
        const auto labels = graph.referentLabels(from);
        for (std::size_t e = 0; e < targets.size() && i < sources.size() && sources[i] == from; ++e)
            if (targets[e] == id) {
                out.push_back({ from, labels[e] });
                ++i;
            }
        for (; i < sources.size() && sources[i] == from; ++i) // only if referrers came from another graph
            out.push_back({ from, kNoEdgeLabel });
    }
    return out;
}

} // namespace gcscope::analysis
