#include "dashboard/SharedTimeAxis.h"

#include <algorithm>

namespace gcscope::ui {

SharedTimeAxis::SharedTimeAxis(QObject* parent)
    : QObject(parent)
{
}

double SharedTimeAxis::fullTo() const
{
    return std::max(extent_, 1.0);
}

double SharedTimeAxis::from() const
{
    return zoom_ ? zoom_->first : 0.0;
}

double SharedTimeAxis::to() const
{
    return zoom_ ? zoom_->second : fullTo();
}

void SharedTimeAxis::setExtent(double seconds)
{
    if (seconds == extent_)
        return;
    extent_ = std::max(0.0, seconds);
    Q_EMIT rangeChanged(from(), to());
}

void SharedTimeAxis::setZoom(double a, double b)
{
    const double full = fullTo();
    double span = std::clamp(b - a, kMinimumSpan, full);
    a = std::clamp(a, 0.0, full - span);
    if (a <= 0 && span >= full)
        zoom_.reset(); // the whole range again: follow the data
    else
        zoom_ = std::make_pair(a, a + span);
    Q_EMIT rangeChanged(from(), to());
}

void SharedTimeAxis::zoomTo(double a, double b)
{
    if (b < a)
        std::swap(a, b);
    setZoom(a, b);
}

void SharedTimeAxis::zoomBy(double factor, double anchor)
{
    const double a = from(), b = to();
    anchor = std::clamp(anchor, a, b);
    setZoom(anchor - (anchor - a) * factor, anchor + (b - anchor) * factor);
}

void SharedTimeAxis::panBy(double seconds)
{
    if (!zoom_)
        return; // the whole session is visible: nowhere to pan to
    setZoom(from() + seconds, to() + seconds);
}

void SharedTimeAxis::reset()
{
    zoom_.reset();
    Q_EMIT rangeChanged(from(), to());
}

void SharedTimeAxis::setCursor(std::optional<double> seconds)
{
    if (seconds == cursor_)
        return;
    cursor_ = seconds;
    Q_EMIT cursorChanged();
}

} // namespace gcscope::ui
