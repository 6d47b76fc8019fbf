// How a type's population changes over a session's census series: first-to-last deltas and a
// least-squares slope, so steady growth (a leak) stands out from a two-point difference that one
// burst of allocations can fake. Shared by `gcscope growth` and the GUI's types view.
#pragma once

#include <gcscope/storage/Records.h>

#include <cstdint>
#include <span>

namespace gcscope::analysis {

struct TypeGrowth {
    std::int64_t countDelta = 0; // last census minus first
    std::int64_t sizeDelta = 0; // bytes
    double countPerMinute = 0; // least-squares slope over every census
    double sizePerMinute = 0; // bytes per minute
};

// Least-squares slope of value(point) over time, in units per minute; 0 with fewer than two
// points or when every point has the same time.
double leastSquaresPerMinute(std::span<const storage::TypePoint> points, std::uint64_t storage::TypePoint::*value);

// Zeros for an empty series.
TypeGrowth growthOf(std::span<const storage::TypePoint> points);

} // namespace gcscope::analysis
