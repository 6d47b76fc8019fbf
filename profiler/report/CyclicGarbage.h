// Which types the collector actually frees: the unreachable sets of heap snapshots (what the next
// full collection would free, analysis::findUnreachable), tallied by type over several snapshots,
// and the unreachable reference cycles grouped by shape, with the named references that close them.
#pragma once

#include "analysis/HeapGraph.h"
#include "analysis/Roots.h"
#include "report/LeakReport.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gcscope::report {

// How fast the live (reachable, GC-tracked) objects of each type grew between the first and the
// last snapshot analysed, per minute: the census counts garbage too until a collection frees it.
struct LiveGrowth {
    std::map<std::string, double, std::less<>> perMinute; // types absent: no live growth

    double of(std::string_view type) const
    {
        const auto it = perMinute.find(type);
        return it == perMinute.end() ? 0.0 : it->second;
    }
};

class GarbageTally {
public:
    // Analyses one snapshot (taken at timeNs; add them in time order) and adds its garbage.
    // `roots`: findRoots(graph) when the caller has it already.
    void add(const analysis::HeapGraph& graph, std::int64_t timeNs = 0, const analysis::RootSet* roots = nullptr);
    // Needs two snapshots taken at different times.
    std::optional<LiveGrowth> liveGrowth() const;

    std::uint32_t snapshots() const { return snapshots_; }
    std::uint64_t objects() const { return objects_; }
    std::uint64_t size() const { return size_; }
    std::vector<TypeObjects> byType() const; // most objects first
    std::vector<CycleGroup> groups() const; // most objects first

private:
    struct Totals {
        std::uint64_t objects = 0;
        std::uint64_t size = 0;
    };
    struct Group {
        std::vector<std::pair<std::string, std::uint64_t>> types;
        std::uint64_t cycles = 0;
        std::uint64_t objects = 0;
        std::uint64_t size = 0;
        bool hasFinalizer = false;
        std::map<std::string, std::uint64_t> edges;
        std::map<std::string, std::uint64_t> directEdges; // pointing straight at an object, not a container
    };

    struct LiveCounts {
        std::int64_t timeNs = 0;
        std::map<std::string, std::uint64_t> byType;
    };
    std::optional<LiveCounts> firstLive_, lastLive_;
    std::uint32_t snapshots_ = 0;
    std::uint64_t objects_ = 0;
    std::uint64_t size_ = 0;
    std::map<std::string, Totals> byType_;
    std::map<std::string, Group> groups_; // keyed by the shape, "2 __main__.A, 1 list"
};

} // namespace gcscope::report
