// The one time axis of the dashboard: every chart shows the same visible range and the same
// cursor (crosshair). Zooming or panning one chart moves them all. Until the user zooms, the range
// follows the data, so a live recording scrolls by itself; reset() returns to that.
#pragma once

#include <QObject>

#include <optional>

namespace gcscope::ui {

class SharedTimeAxis : public QObject {
    Q_OBJECT
public:
    explicit SharedTimeAxis(QObject* parent = nullptr);

    // Seconds of data available: [0, extent].
    void setExtent(double seconds);
    double extent() const { return extent_; }

    double from() const;
    double to() const;
    bool zoomed() const { return zoom_.has_value(); }

    void zoomTo(double from, double to);
    void zoomBy(double factor, double anchor); // factor < 1 zooms in around anchor (seconds)
    void panBy(double seconds);
    void reset();

    // The time under the mouse in any chart, or none when the mouse left them.
    void setCursor(std::optional<double> seconds);
    std::optional<double> cursor() const { return cursor_; }

    static constexpr double kMinimumSpan = 0.05; // s: below that, points are just far apart

Q_SIGNALS:
    void rangeChanged(double from, double to);
    void cursorChanged();

private:
    double fullTo() const;
    void setZoom(double from, double to);

    double extent_ = 0;
    std::optional<std::pair<double, double>> zoom_;
    std::optional<double> cursor_;
};

} // namespace gcscope::ui
