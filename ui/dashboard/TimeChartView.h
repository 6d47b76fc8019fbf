// One dashboard chart over the shared time axis: tracks of a DashboardSeries drawn as lines,
// dashed lines (thresholds) or points (pauses), on a left and an optional right value axis. It
// draws only what is visible, decimated to two points per pixel column, and rescales its value
// axes to the visible data.
//
// Mouse and keys (every chart moves them all): drag to zoom into a time range, Shift+drag or the
// middle button to pan, the wheel to zoom around the pointer, double-click or 0 to reset; Left and
// Right pan, + and - zoom. Hovering shows a crosshair in every chart and the exact values here.
// Clicking a legend entry hides or shows that track.
#pragma once

#include "dashboard/DashboardData.h"

#include <QChartView>
#include <QList>
#include <QPointF>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

class QGraphicsLineItem;
class QRubberBand;
class QValueAxis;
class QXYSeries;

namespace gcscope::ui {

class SharedTimeAxis;

struct TrackStyle {
    enum class Shape { Line, Dashed, Points, Rings }; // Rings: hollow, around another track's points
    Track track = Track::Count0;
    QString name;
    QColor colour;
    Shape shape = Shape::Line;
    bool rightAxis = false;
    std::function<QString(double)> format; // a value as the tooltip shows it; default: a whole number
};

class TimeChartView : public QChartView {
    Q_OBJECT
public:
    TimeChartView(const QString& title, SharedTimeAxis* axis, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    void setAxisTitles(const QString& left, const QString& right = {});
    void addTrack(TrackStyle style);
    // Renames a track (legend and tooltip), e.g. when the recorded collector names its generations otherwise.
    void setTrackName(Track track, const QString& name);
    // Shows or hides a track together with its legend entry (a track the recording cannot have).
    void setTrackAvailable(Track track, bool available);
    QString trackName(Track track) const; // "" when the chart has no such track
    bool trackAvailable(Track track) const;
    // The data to draw; not owned, must outlive the view (or be replaced). Redraws.
    void setData(const DashboardSeries* data);
    // Redraw after the data grew; coalesced to one redraw per event loop turn.
    void scheduleRefresh();
    void refresh();

    // What is drawn for a track now (decimated, visible range only); for tests.
    QList<QPointF> shownPoints(Track track) const;
    // The tooltip text for a time (seconds), from the full-resolution data.
    QString valuesAt(double seconds, std::optional<double> pixelsPerSecond = std::nullopt) const;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Entry {
        TrackStyle style;
        QXYSeries* series = nullptr;
        bool available = true;
    };

    QRectF plotRect() const; // the plot area in viewport coordinates
    double secondsAt(double viewportX) const;
    void updateCrosshair();
    void rescale(QValueAxis* axis, bool right);
    void applyStyle();
    void toggleTrack(QXYSeries* series);

    SharedTimeAxis* axis_;
    const DashboardSeries* data_ = nullptr;
    std::vector<Entry> entries_;
    QValueAxis* timeAxis_;
    QValueAxis* leftAxis_;
    QValueAxis* rightAxis_ = nullptr;
    QGraphicsLineItem* crosshair_;
    QRubberBand* rubberBand_ = nullptr;
    std::optional<QPoint> dragStart_;
    bool panning_ = false;
    double panLastX_ = 0;
    bool refreshPending_ = false;
};

} // namespace gcscope::ui
