#include "analysis/Referrers.h"

namespace gcscope::analysis {

Referrers buildReferrers(const HeapGraph& graph)
{
    const auto n = graph.objectCount();
    Referrers r;
    r.begin.assign(n + 1, 0);
    for (ObjectId target : graph.edgeTarget)
        ++r.begin[target + 1];
    for (std::size_t i = 0; i < n; ++i)
        r.begin[i + 1] += r.begin[i];
    r.source.resize(graph.edgeCount());
    r.label.resize(graph.edgeCount());
    // Walking sources in ascending order leaves every referrer list sorted.
    std::vector<std::uint64_t> cursor(r.begin.begin(), r.begin.end() - 1);
    for (ObjectId from = 0; from < n; ++from) {
        for (auto e = graph.edgeBegin[from]; e < graph.edgeBegin[from + 1]; ++e) {
            auto at = cursor[graph.edgeTarget[e]]++;
            r.source[at] = from;
            r.label[at] = graph.edgeLabel[e];
        }
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

std::vector<Reference> referrersOf(const Referrers& referrers, ObjectId id)
{
    std::vector<Reference> out;
    auto sources = referrers.of(id);
    auto labels = referrers.labelsOf(id);
    out.reserve(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i)
        out.push_back({ sources[i], labels[i] });
    return out;
}

} // namespace gcscope::analysis
