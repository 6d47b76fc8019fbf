#include "report/Trend.h"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <map>
#include <stdexcept>
#include <vector>

namespace gcscope::report {

LineFit fitLine(std::span<const double> x, std::span<const double> y)
{
    LineFit fit;
    const std::size_t n = std::min(x.size(), y.size());
    if (n < 2)
        return fit;
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < n; ++i) {
        mx += x[i];
        my += y[i];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0)
        return fit;
    fit.slope = sxy / sxx;
    fit.intercept = my - fit.slope * mx;
    // R^2 of a simple regression is the squared correlation; a flat series explains nothing.
    fit.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 0;
    return fit;
}

MannKendall mannKendall(std::span<const double> values)
{
    MannKendall mk;
    const std::size_t n = values.size();
    if (n < 2)
        return mk;
    for (std::size_t i = 0; i + 1 < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j)
            mk.s += (values[j] > values[i]) - (values[j] < values[i]);
    const double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2;
    mk.tau = static_cast<double>(mk.s) / pairs;
    // Var(S) with the correction for groups of tied values.
    std::map<double, std::size_t> ties;
    for (double v : values)
        ++ties[v];
    const double dn = static_cast<double>(n);
    double var = dn * (dn - 1) * (2 * dn + 5);
    for (const auto& [value, t] : ties) {
        const double dt = static_cast<double>(t);
        var -= dt * (dt - 1) * (2 * dt + 5);
    }
    var /= 18;
    if (var <= 0 || mk.s <= 0) // all values tied, or no increase at all
        return mk;
    const double z = (static_cast<double>(mk.s) - 1) / std::sqrt(var);
    mk.pValue = 0.5 * std::erfc(z / std::sqrt(2.0));
    return mk;
}

Trend testTrend(std::span<const double> timesS, std::span<const double> values, const TrendCriteria& c)
{
    if (timesS.size() != values.size())
        throw std::invalid_argument("testTrend: times and values differ in length");
    Trend t;
    const std::size_t n = values.size();
    t.points = n;
    std::vector<double> minutes(n);
    for (std::size_t i = 0; i < n; ++i)
        minutes[i] = (timesS[i] - (n ? timesS[0] : 0)) / 60.0;
    const auto fit = fitLine(minutes, values);
    t.slopePerMinute = fit.slope;
    t.r2 = fit.r2;
    const auto mk = mannKendall(values);
    t.tau = mk.tau;
    t.pValue = mk.pValue;
    const std::size_t window = std::min(n, std::max<std::size_t>(3, (n + 1) / 2));
    if (n >= 2) {
        const auto recent = fitLine(std::span(minutes).last(std::min(window, n)), values.last(std::min(window, n)));
        t.recentSlopePerMinute = recent.slope;
    }

    if (n < c.minPoints)
        t.verdict = fmt::format("too few points ({} < {})", n, c.minPoints);
    else if (mk.tau < c.minTau)
        t.verdict = fmt::format("no monotonic trend (Kendall tau {:.2f} < {:.2f})", mk.tau, c.minTau);
    else if (n >= c.significancePoints && mk.pValue >= c.maxPValue)
        t.verdict = fmt::format("trend not significant (Mann-Kendall p {:.3g} >= {:.3g})", mk.pValue, c.maxPValue);
    else if (fit.slope <= 0)
        t.verdict = "not rising";
    else if (fit.r2 < c.minR2)
        t.verdict = fmt::format("not steady (R² {:.2f} < {:.2f})", fit.r2, c.minR2);
    else if (t.recentSlopePerMinute < c.minRecentRatio * fit.slope)
        t.verdict = fmt::format("stopped growing (slope over the last {} points is {:.0f}% of the overall slope)",
            window, 100 * t.recentSlopePerMinute / fit.slope);
    else {
        t.growing = true;
        t.verdict = "steady growth";
    }
    return t;
}

} // namespace gcscope::report
