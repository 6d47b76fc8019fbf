#include "analysis/Growth.h"

namespace gcscope::analysis {

double leastSquaresPerMinute(std::span<const storage::TypePoint> points, std::uint64_t storage::TypePoint::*value)
{
    if (points.size() < 2)
        return 0;
    // Times relative to the first point keep the sums well inside double precision.
    const double t0 = static_cast<double>(points.front().timeNs);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& p : points) {
        const double x = (static_cast<double>(p.timeNs) - t0) / 60e9;
        const double y = static_cast<double>(p.*value);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double n = static_cast<double>(points.size());
    const double den = n * sxx - sx * sx;
    return den == 0 ? 0 : (n * sxy - sx * sy) / den;
}

TypeGrowth growthOf(std::span<const storage::TypePoint> points)
{
    if (points.empty())
        return {};
    const auto& first = points.front();
    const auto& last = points.back();
    return { static_cast<std::int64_t>(last.count) - static_cast<std::int64_t>(first.count),
        static_cast<std::int64_t>(last.size) - static_cast<std::int64_t>(first.size),
        leastSquaresPerMinute(points, &storage::TypePoint::count),
        leastSquaresPerMinute(points, &storage::TypePoint::size) };
}

} // namespace gcscope::analysis
