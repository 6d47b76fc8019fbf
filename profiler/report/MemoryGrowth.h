// Resident memory against what gcscope can see. When RSS grows steadily (the trend test) by at
// least minRssGrowth while the GC-tracked objects' shallow sizes do not grow steadily, or grow by
// less than maxTrackedShare of it (shallow sizes leave out the str, int and float objects that
// tracked ones hold, so a Python-level leak still shows a good part of its RSS), the growth is in memory gcscope cannot
// see: untracked objects (str, bytes, int, float held by containers), buffers and memory of C extensions, or allocator
// fragmentation. The report says so instead of blaming a Python type, unless heap snapshots, which
// count untracked objects too, show the growth (analyzeMemory).
#pragma once

#include "analysis/HeapGraph.h"
#include "report/LeakReport.h"
#include "report/Trend.h"

#include <gcscope/storage/Records.h>

#include <cstdint>
#include <span>
#include <utility>

namespace gcscope::report {

struct MemoryCriteria {
    TrendCriteria trend;
    std::uint64_t minRssGrowth = 8u << 20;
    double maxTrackedShare = 0.1; // tracked growth / RSS growth below this: "untracked"
    std::size_t maxPoints = 400; // kept for charts
};

// Every object of one heap snapshot: the untracked str, bytes, int and float objects containers hold
// included, which the census leaves out.
struct SnapshotTotals {
    std::int64_t timeNs = 0;
    std::uint64_t bytes = 0; // shallow bytes of every object
    std::uint64_t untrackedBytes = 0; // of those the collector does not track
};

// The snapshot's totals, counted over its objects.
SnapshotTotals totalsOf(const analysis::HeapGraph& graph, std::int64_t takenNs);

// trackedSize: per census, the sum of all entries' sizes (shallow bytes of GC-tracked objects).
// snapshots: in time order. Before growth is blamed on memory gcscope cannot see, the snapshots'
// objects are counted over the window between the first and the last snapshot: when they explain
// at least half of resident memory's growth there, the growth is in Python objects.
MemorySection analyzeMemory(std::span<const storage::ProcessSample> process,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& criteria = {},
    std::span<const SnapshotTotals> snapshots = {});

} // namespace gcscope::report
