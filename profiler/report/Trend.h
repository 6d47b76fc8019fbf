// Is a series growing steadily? A trend test over three or more points, not a two-point difference.
//
// Rule (docs/report.md, "The trend test"): a series of n points (time, value) grows steadily when
//   1. n >= minPoints (3);
//   2. Mann-Kendall: Kendall's tau = S / (n(n-1)/2) >= minTau (0.6), where S counts the pairs
//      (i < j) with y_j > y_i minus those with y_j < y_i: most pairs of points must agree that
//      later is larger, which no oscillating or flat series does;
//   3. for n >= significancePoints (10), also the one-sided Mann-Kendall p-value (normal
//      approximation with the tie correction of the variance and a continuity correction) is
//      below maxPValue (0.01); below ten points tau >= 0.6 is the stricter test anyway;
//   4. the least-squares line rises (slope > 0) and fits: R^2 >= minR2 (0.5), so one jump is not
//      "steady";
//   5. it is still growing at the end: the least-squares slope of the last half of the points
//      (at least 3) is at least minRecentRatio (0.25) of the overall slope. A cache that filled
//      to its bound and stayed flat fails here, however steeply it filled.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace gcscope::report {

struct TrendCriteria {
    std::size_t minPoints = 3;
    double minTau = 0.6;
    double minR2 = 0.5;
    std::size_t significancePoints = 10;
    double maxPValue = 0.01;
    double minRecentRatio = 0.25;
};

struct Trend {
    std::size_t points = 0;
    double slopePerMinute = 0; // least squares, value units per minute
    double r2 = 0; // of the least-squares line; 0 for a flat series
    double tau = 0; // Kendall's tau (tau-a)
    double pValue = 1; // one-sided Mann-Kendall p-value for an increasing trend
    double recentSlopePerMinute = 0; // least squares over the last half
    bool growing = false;
    std::string verdict; // "steady growth", or which test failed
};

// timesS and values have the same length; times ascending, in seconds (any origin).
Trend testTrend(std::span<const double> timesS, std::span<const double> values, const TrendCriteria& criteria = {});

// Least-squares slope (per unit of x) and R^2 of y over x.
struct LineFit {
    double slope = 0;
    double intercept = 0;
    double r2 = 0;
};
LineFit fitLine(std::span<const double> x, std::span<const double> y);

// Mann-Kendall S, tau and the one-sided p-value for an increasing trend.
struct MannKendall {
    long long s = 0;
    double tau = 0;
    double pValue = 1;
};
MannKendall mannKendall(std::span<const double> values);

} // namespace gcscope::report
