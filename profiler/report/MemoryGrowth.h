// Resident memory against what gcscope can see. When RSS grows steadily (the trend test) by at
// least minRssGrowth while the GC-tracked objects' shallow sizes do not grow steadily, or grow by
// less than maxTrackedShare of it (shallow sizes leave out the str, int and float objects that
// tracked ones hold, so a Python-level leak still shows a good part of its RSS), the growth is in memory gcscope cannot
// see: untracked objects (str, bytes, int, float held by containers), buffers and memory of C extensions, or allocator
// fragmentation. The report says so instead of blaming a Python type.
#pragma once

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

// trackedSize: per census, the sum of all entries' sizes (shallow bytes of GC-tracked objects).
MemorySection analyzeMemory(std::span<const storage::ProcessSample> process,
    std::span<const std::pair<std::int64_t, std::uint64_t>> trackedSize, const MemoryCriteria& criteria = {});

} // namespace gcscope::report
