// The collector's side of the report: collections per generation, objects collected, pause
// statistics (total, max, mean, p50, p99, share of wall time) and each pause next to how many
// objects the collector was tracking then. From the session's gc_events (one per collection),
// samples (thresholds, freeze count, gc.garbage) and censuses (tracked-object counts).
#pragma once

#include "discovery/version_support.h"
#include "report/LeakReport.h"

#include <gcscope/wire.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace gcscope::report {

// Percentiles by the nearest-rank method; the input need not be sorted.
PauseStats pauseStats(std::vector<double> pausesMs);

struct TrackedPoint {
    std::int64_t timeNs = 0;
    std::uint64_t objects = 0; // GC-tracked objects the census counted
};

// Fills everything but the cyclic garbage fields.
GcSection summarizeGc(std::span<const wire::GcEventRecord> events, std::span<const wire::SampleRecord> samples,
    std::span<const TrackedPoint> tracked, double durationS, std::uint64_t eventsDropped, std::size_t maxPausePoints,
    discovery::GcModel model = discovery::GcModel::Generational);

// Evenly thins a series to at most maxPoints, keeping the first and the last.
template <typename T> std::vector<T> thin(std::span<const T> points, std::size_t maxPoints)
{
    if (points.size() <= maxPoints || maxPoints < 2)
        return { points.begin(), points.end() };
    std::vector<T> out;
    out.reserve(maxPoints);
    for (std::size_t i = 0; i < maxPoints; ++i)
        out.push_back(points[i * (points.size() - 1) / (maxPoints - 1)]);
    return out;
}

} // namespace gcscope::report
