#include "analysis/Comparison.h"

#include <future>
#include <string_view>
#include <unordered_map>

namespace gcscope::analysis {
namespace {

struct Survivors {
    std::vector<TypeTotals> inFrom; // per type index of `from`
    std::vector<TypeTotals> inTo; // per type index of `to`
};

// Both graphs' byAddress(), made side by side when neither is (two snapshots loaded from a file).
void makeAddressOrders(const HeapGraph& from, const HeapGraph& to)
{
    constexpr std::size_t kWorthAThread = 1u << 16;
    if (from.addressOrder.made() || to.addressOrder.made() || from.objectCount() < kWorthAThread
        || to.objectCount() < kWorthAThread)
        return;
    // The future waits for its thread when `to` throws; get() throws what `from` threw.
    auto beside = std::async(std::launch::async, [&from] { from.byAddress(); });
    to.byAddress();
    beside.get();
}

// Both graphs list their objects by address (byAddress): one merge walk pairs equal addresses.
Survivors findSurvivors(const HeapGraph& from, const HeapGraph& to)
{
    makeAddressOrders(from, to);
    std::unordered_map<std::string_view, std::uint32_t> toTypeByName;
    for (std::uint32_t t = 0; t < to.typeNames.size(); ++t)
        toTypeByName.emplace(to.typeNames[t], t);
    constexpr std::uint32_t kAbsent = ~0u;
    std::vector<std::uint32_t> toTypeOf(from.typeNames.size(), kAbsent);
    for (std::uint32_t t = 0; t < from.typeNames.size(); ++t)
        if (auto it = toTypeByName.find(from.typeNames[t]); it != toTypeByName.end())
            toTypeOf[t] = it->second;

    Survivors s { std::vector<TypeTotals>(from.typeNames.size()), std::vector<TypeTotals>(to.typeNames.size()) };
    const auto& fromOrder = from.byAddress();
    const auto& toOrder = to.byAddress();
    std::size_t i = 0, j = 0;
    while (i < fromOrder.size() && j < toOrder.size()) {
        const ObjectId a = fromOrder[i], b = toOrder[j];
        if (from.address[a] < to.address[b]) {
            ++i;
        } else if (to.address[b] < from.address[a]) {
            ++j;
        } else {
            if (toTypeOf[from.type[a]] == to.type[b]) {
                ++s.inFrom[from.type[a]].count;
                s.inFrom[from.type[a]].size += from.size[a];
                ++s.inTo[to.type[b]].count;
                s.inTo[to.type[b]].size += to.size[b];
            }
            ++i;
            ++j;
        }
    }
    return s;
}

// Survivor totals keyed by type name, like censusOf.
TypeCensus byName(const HeapGraph& graph, const std::vector<TypeTotals>& perIndex)
{
    TypeCensus census;
    for (std::size_t t = 0; t < perIndex.size(); ++t)
        if (perIndex[t].count != 0)
            census[graph.typeNames[t]] = perIndex[t];
    return census;
}

} // namespace

std::vector<TypeComparisonRow> compareGraphs(const HeapGraph* from, const HeapGraph& to)
{
    const HeapGraph empty;
    const HeapGraph& before = from ? *from : empty;
    const auto survivors = findSurvivors(before, to);
    const auto keptFrom = byName(before, survivors.inFrom);
    const auto keptTo = byName(to, survivors.inTo);
    auto totals = [](const TypeCensus& census, const std::string& type) {
        const auto it = census.find(type);
        return it == census.end() ? TypeTotals {} : it->second;
    };

    std::vector<TypeComparisonRow> rows;
    for (auto& diff : diffGraphs(before, to)) {
        TypeComparisonRow row;
        static_cast<TypeDiffRow&>(row) = std::move(diff);
        const auto kf = totals(keptFrom, row.type), kt = totals(keptTo, row.type);
        row.added = row.countTo - kt.count;
        row.addedSize = row.sizeTo - kt.size;
        row.freed = row.countFrom - kf.count;
        row.freedSize = row.sizeFrom - kf.size;
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace gcscope::analysis
