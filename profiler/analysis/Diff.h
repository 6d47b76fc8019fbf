// What changed between two snapshots, per type.
#pragma once

#include "analysis/HeapGraph.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gcscope::analysis {

struct TypeTotals {
    std::uint64_t count = 0;
    std::uint64_t size = 0; // shallow bytes
    bool operator==(const TypeTotals&) const = default;
};

// Per-type totals keyed by type name (the same shape as the agent's periodic census, so census
// records and snapshots can be compared with each other).
using TypeCensus = std::map<std::string, TypeTotals, std::less<>>;

// Every object of the graph, leaves included.
TypeCensus censusOf(const HeapGraph& graph);

struct TypeDiffRow {
    std::string type;
    std::uint64_t countFrom = 0;
    std::uint64_t countTo = 0;
    std::int64_t countDelta = 0;
    std::uint64_t sizeFrom = 0;
    std::uint64_t sizeTo = 0;
    std::int64_t sizeDelta = 0;
    bool operator==(const TypeDiffRow&) const = default;
};

// One row per type present in either census, sorted by sizeDelta descending (largest growth
// first), then countDelta descending, then type name. `from` may be empty: everything is new.
std::vector<TypeDiffRow> diffCensus(const TypeCensus& from, const TypeCensus& to);
std::vector<TypeDiffRow> diffGraphs(const HeapGraph& from, const HeapGraph& to);

} // namespace gcscope::analysis
