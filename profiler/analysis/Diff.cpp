#include "analysis/Diff.h"

#include <algorithm>

namespace gcscope::analysis {

TypeCensus censusOf(const HeapGraph& graph)
{
    // Sum per type index first: one map look-up per type instead of per object.
    std::vector<TypeTotals> byIndex(graph.typeNames.size());
    for (ObjectId id = 0; id < graph.objectCount(); ++id) {
        auto& t = byIndex[graph.type[id]];
        ++t.count;
        t.size += graph.size[id];
    }
    TypeCensus census;
    for (std::size_t i = 0; i < byIndex.size(); ++i) {
        if (byIndex[i].count == 0)
            continue;
        auto& t = census[graph.typeNames[i]];
        t.count += byIndex[i].count;
        t.size += byIndex[i].size;
    }
    return census;
}

std::vector<TypeDiffRow> diffCensus(const TypeCensus& from, const TypeCensus& to)
{
    std::vector<TypeDiffRow> rows;
    auto row = [&rows](const std::string& type, TypeTotals a, TypeTotals b) {
        rows.push_back(
            { type, a.count, b.count, static_cast<std::int64_t>(b.count) - static_cast<std::int64_t>(a.count), a.size,
                b.size, static_cast<std::int64_t>(b.size) - static_cast<std::int64_t>(a.size) });
    };
    // Both maps are sorted by name: merge them.
    auto a = from.begin();
    auto b = to.begin();
    while (a != from.end() || b != to.end()) {
        if (b == to.end() || (a != from.end() && a->first < b->first)) {
            row(a->first, a->second, {});
            ++a;
        } else if (a == from.end() || b->first < a->first) {
            row(b->first, {}, b->second);
            ++b;
        } else {
            row(a->first, a->second, b->second);
            ++a;
            ++b;
        }
    }
    std::sort(rows.begin(), rows.end(), [](const TypeDiffRow& x, const TypeDiffRow& y) {
        if (x.sizeDelta != y.sizeDelta)
            return x.sizeDelta > y.sizeDelta;
        if (x.countDelta != y.countDelta)
            return x.countDelta > y.countDelta;
        return x.type < y.type;
    });
    return rows;
}

std::vector<TypeDiffRow> diffGraphs(const HeapGraph& from, const HeapGraph& to)
{
    return diffCensus(censusOf(from), censusOf(to));
}

} // namespace gcscope::analysis
