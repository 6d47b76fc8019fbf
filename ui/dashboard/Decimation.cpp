#include "dashboard/Decimation.h"

#include <algorithm>
#include <cmath>

namespace gcscope::ui {

QList<QPointF> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1, int buckets)
{
    QList<QPointF> out;
    const std::size_t n = std::min(x.size(), y.size());
    if (n == 0 || x1 < x0)
        return out;
    auto first = static_cast<std::size_t>(std::lower_bound(x.begin(), x.begin() + n, x0) - x.begin());
    auto last = static_cast<std::size_t>(std::upper_bound(x.begin(), x.begin() + n, x1) - x.begin()); // one past
    if (first > 0)
        --first;
    if (last < n)
        ++last;
    const std::size_t count = last - first;
    buckets = std::max(buckets, 1);
    if (count <= 2 * static_cast<std::size_t>(buckets)) {
        out.reserve(static_cast<qsizetype>(count));
        for (std::size_t i = first; i < last; ++i)
            out.append(QPointF(x[i], y[i]));
        return out;
    }
    out.reserve(2 * buckets + 4);
    const double width = (x1 - x0) / buckets;
    auto bucketOf = [&](double v) {
        if (v < x0)
            return -1L;
        if (v > x1 || width <= 0)
            return static_cast<long>(buckets);
        return std::min(static_cast<long>((v - x0) / width), static_cast<long>(buckets - 1));
    };
    std::size_t i = first;
    while (i < last) {
        const long bucket = bucketOf(x[i]);
        std::size_t lo = i, hi = i;
        std::size_t j = i + 1;
        for (; j < last && bucketOf(x[j]) == bucket; ++j) {
            if (y[j] < y[lo])
                lo = j;
            if (y[j] > y[hi])
                hi = j;
        }
        const std::size_t a = std::min(lo, hi), b = std::max(lo, hi);
        out.append(QPointF(x[a], y[a]));
        if (b != a)
            out.append(QPointF(x[b], y[b]));
        i = j;
    }
    return out;
}

} // namespace gcscope::ui
