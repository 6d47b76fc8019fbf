// Thinning a long series down to what a chart can show: per pixel column (bucket), the smallest
// and the largest value, in time order. An hour at 10 samples/s is 36,000 points; a 1,000 px chart
// then draws at most ~2,000, and every peak and trough still shows.
#pragma once

#include <QList>
#include <QPointF>

#include <span>

namespace gcscope::ui {

// The points of (x, y) with x in [x0, x1] (x sorted ascending), at most two per bucket: the one with
// the smallest and the one with the largest y, in x order. The nearest point outside the range on
// either side is kept too, so lines run to the edges. Fewer points than 2 * buckets come back as
// they are.
QList<QPointF> decimateMinMax(std::span<const double> x, std::span<const double> y, double x0, double x1, int buckets);

} // namespace gcscope::ui
