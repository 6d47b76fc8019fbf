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
#include <utility>
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

// One snapshot's share of a GarbageTally: what the next full collection would free in it, by type and
// by cycle shape, and its live objects per type. Worked out from the snapshot's graph, or read from
// the file that keeps it (storage/KeptGarbage.h): a report over many snapshots then needs no graph of
// the earlier ones.
struct SnapshotGarbage {
    struct Totals {
        std::uint64_t objects = 0;
        std::uint64_t size = 0;
        bool operator==(const Totals&) const = default;
    };
    struct Group {
        std::vector<std::pair<std::string, std::uint64_t>> types; // the shape: count per type, most first
        std::uint64_t cycles = 0;
        std::uint64_t objects = 0;
        std::uint64_t size = 0;
        bool hasFinalizer = false;
        std::map<std::string, std::uint64_t> edges; // "Type.name": named references inside the cycles
        std::map<std::string, std::uint64_t> directEdges; // pointing straight at an object, not a container
        bool operator==(const Group&) const = default;
    };
    // The snapshot's shallow bytes, all and untracked (leaves): its totals in the report.
    std::uint64_t bytes = 0;
    std::uint64_t untrackedBytes = 0;
    std::map<std::string, std::uint64_t> liveByType; // reachable GC-tracked objects per type
    std::uint64_t objects = 0; // unreachable (garbage) objects and their bytes
    std::uint64_t size = 0;
    std::map<std::string, Totals> byType; // the garbage per type
    std::map<std::string, Group> groups; // unreachable cycles by shape, keyed "2 __main__.A, 1 list, "
    bool operator==(const SnapshotGarbage&) const = default;
};

// The rule SnapshotGarbage is worked out by, as kept in the file: counted up whenever what it holds
// or how it is computed changes (roots, reachability, cycle shapes), so that no gcscope takes a
// summary made by another rule.
inline constexpr std::uint32_t kGarbageRule = 1;

// `roots`: findRoots(graph) when the caller has it already.
SnapshotGarbage summarizeGarbage(const analysis::HeapGraph& graph, const analysis::RootSet* roots = nullptr);
// The summary as kept in the file: a JSON object (docs/schema.md, snapshot_garbage).
std::string encodeGarbage(const SnapshotGarbage& garbage);
// The summary back; nullopt for text that is not one (damaged: it is worked out anew).
std::optional<SnapshotGarbage> decodeGarbage(std::string_view text);

class GarbageTally {
public:
    // Analyses one snapshot (taken at timeNs; add them in time order) and adds its garbage.
    // `roots`: findRoots(graph) when the caller has it already.
    void add(const analysis::HeapGraph& graph, std::int64_t timeNs = 0, const analysis::RootSet* roots = nullptr);
    // Adds one snapshot's garbage, worked out already.
    void add(const SnapshotGarbage& garbage, std::int64_t timeNs = 0);
    // Needs two snapshots taken at different times.
    std::optional<LiveGrowth> liveGrowth() const;

    std::uint32_t snapshots() const { return snapshots_; }
    std::uint64_t objects() const { return objects_; }
    std::uint64_t size() const { return size_; }
    std::vector<TypeObjects> byType() const; // most objects first
    std::vector<CycleGroup> groups() const; // most objects first

private:
    struct LiveCounts {
        std::int64_t timeNs = 0;
        std::map<std::string, std::uint64_t> byType;
    };
    std::optional<LiveCounts> firstLive_, lastLive_;
    std::uint32_t snapshots_ = 0;
    std::uint64_t objects_ = 0;
    std::uint64_t size_ = 0;
    std::map<std::string, SnapshotGarbage::Totals> byType_;
    std::map<std::string, SnapshotGarbage::Group> groups_;
};

} // namespace gcscope::report
