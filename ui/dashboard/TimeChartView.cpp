#include "dashboard/TimeChartView.h"

#include "core/Format.h"
#include "dashboard/ChartStyle.h"
#include "dashboard/Decimation.h"
#include "dashboard/SharedTimeAxis.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QRubberBand>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace gcscope::ui {

namespace {

constexpr int kMinimumDragPixels = 4; // a shorter drag is a click, not a zoom
constexpr int kPointHoverPixels = 8; // how close the pointer must be to a pause point to name it

QString wholeNumber(double v)
{
    return display::count(std::llround(v));
}

// The index of the point nearest to t in a sorted series, or none when it is empty.
std::optional<std::size_t> nearest(const std::vector<double>& x, double t)
{
    if (x.empty())
        return std::nullopt;
    auto it = std::lower_bound(x.begin(), x.end(), t);
    if (it == x.end())
        return x.size() - 1;
    auto i = static_cast<std::size_t>(it - x.begin());
    if (i > 0 && t - x[i - 1] < x[i] - t)
        --i;
    return i;
}

// A round step (1, 2 or 5 times a power of ten) giving about `wanted` ticks over `span`.
double niceStep(double span, int wanted)
{
    const double raw = span / std::max(1, wanted);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double norm = raw / magnitude;
    return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * magnitude;
}

const char* timeFormat(double step)
{
    if (step >= 1)
        return "%.0f s";
    if (step >= 0.1)
        return "%.1f s";
    return "%.2f s";
}

} // namespace

TimeChartView::TimeChartView(const QString& title, SharedTimeAxis* axis, QWidget* parent)
    : QChartView(new QChart, parent) // (QChartView(parent) makes a chart that setChart() would orphan)
    , axis_(axis)
{
    QChart* chart = QChartView::chart();
    chart->setTitle(title);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setAnimationOptions(QChart::NoAnimation); // live data: animations would lag behind
    timeAxis_ = new QValueAxis;
    leftAxis_ = new QValueAxis;
    chart->addAxis(timeAxis_, Qt::AlignBottom);
    chart->addAxis(leftAxis_, Qt::AlignLeft);
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand); // we zoom all charts together ourselves
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumHeight(fontMetrics().height() * 11);

    crosshair_ = new QGraphicsLineItem(chart);
    crosshair_->setZValue(1000);
    crosshair_->hide();
    applyStyle();

    connect(axis_, &SharedTimeAxis::rangeChanged, this, &TimeChartView::scheduleRefresh);
    connect(axis_, &SharedTimeAxis::cursorChanged, this, &TimeChartView::updateCrosshair);
}

void TimeChartView::setTitle(const QString& title)
{
    chart()->setTitle(title);
}

QString TimeChartView::title() const
{
    return chart()->title();
}

void TimeChartView::setAxisTitles(const QString& left, const QString& right)
{
    leftAxis_->setTitleText(left);
    if (!right.isEmpty() && !rightAxis_) {
        rightAxis_ = new QValueAxis;
        chart()->addAxis(rightAxis_, Qt::AlignRight);
        applyStyle();
    }
    if (rightAxis_)
        rightAxis_->setTitleText(right);
}

void TimeChartView::setTrackName(Track track, const QString& name)
{
    for (auto& entry : entries_)
        if (entry.style.track == track) {
            entry.style.name = name;
            entry.series->setName(name);
        }
}

void TimeChartView::setTrackAvailable(Track track, bool available)
{
    for (auto& entry : entries_)
        if (entry.style.track == track && entry.available != available) {
            entry.available = available;
            entry.series->setVisible(available);
            for (QLegendMarker* marker : chart()->legend()->markers(entry.series))
                marker->setVisible(available);
        }
}

QString TimeChartView::trackName(Track track) const
{
    for (const auto& entry : entries_)
        if (entry.style.track == track)
            return entry.style.name;
    return {};
}

bool TimeChartView::trackAvailable(Track track) const
{
    for (const auto& entry : entries_)
        if (entry.style.track == track)
            return entry.available;
    return false;
}

void TimeChartView::addTrack(TrackStyle style)
{
    if (!style.format)
        style.format = wholeNumber;
    QXYSeries* series = nullptr;
    if (style.shape == TrackStyle::Shape::Points || style.shape == TrackStyle::Shape::Rings) {
        auto* points = new QScatterSeries;
        points->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        const double size = std::max(5.0, fontMetrics().height() * 0.45);
        if (style.shape == TrackStyle::Shape::Rings) { // around another track's dots, which stay visible
            points->setMarkerSize(size * 1.9);
            points->setColor(Qt::transparent);
            QPen ring(style.colour);
            ring.setWidthF(1.5);
            points->setPen(ring);
        } else {
            points->setMarkerSize(size);
            points->setColor(style.colour);
            points->setBorderColor(Qt::transparent);
        }
        series = points;
    } else {
        auto* line = new QLineSeries;
        QPen pen(style.colour);
        pen.setWidthF(style.shape == TrackStyle::Shape::Dashed ? 1.2 : 1.6);
        pen.setStyle(style.shape == TrackStyle::Shape::Dashed ? Qt::DashLine : Qt::SolidLine);
        line->setPen(pen);
        series = line;
    }
    series->setName(style.name);
    chart()->addSeries(series);
    series->attachAxis(timeAxis_);
    if (style.rightAxis && !rightAxis_)
        setAxisTitles(leftAxis_->titleText(), QStringLiteral(" "));
    series->attachAxis(style.rightAxis ? rightAxis_ : leftAxis_);
    for (QLegendMarker* marker : chart()->legend()->markers(series))
        connect(marker, &QLegendMarker::clicked, this, [this, series] { toggleTrack(series); });
    entries_.push_back({ std::move(style), series });
}

void TimeChartView::toggleTrack(QXYSeries* series)
{
    series->setVisible(!series->isVisible());
    for (QLegendMarker* marker : chart()->legend()->markers(series)) {
        marker->setVisible(true); // keep the entry so the track can be shown again
        QColor label = palette().color(QPalette::WindowText);
        label.setAlphaF(series->isVisible() ? 1.0 : 0.4);
        marker->setLabelBrush(label);
    }
    refresh();
}

void TimeChartView::setData(const DashboardSeries* data)
{
    data_ = data;
    refresh();
}

void TimeChartView::scheduleRefresh()
{
    if (refreshPending_)
        return;
    refreshPending_ = true;
    QMetaObject::invokeMethod(this, &TimeChartView::refresh, Qt::QueuedConnection);
}

void TimeChartView::refresh()
{
    refreshPending_ = false;
    const double from = axis_->from(), to = axis_->to();
    timeAxis_->setRange(from, to);
    const int width = std::max(50, static_cast<int>(plotRect().width()));
    // Ticks on round seconds (anchored at the session start), as many as the labels have room for.
    const double step = niceStep(to - from, std::clamp(width / (fontMetrics().averageCharWidth() * 9), 2, 12));
    timeAxis_->setTickType(QValueAxis::TicksDynamic);
    timeAxis_->setTickAnchor(0);
    timeAxis_->setTickInterval(step);
    timeAxis_->setLabelFormat(QLatin1String(timeFormat(step)));
    for (auto& e : entries_) {
        if (!data_) {
            e.series->clear();
            continue;
        }
        const auto& points = data_->track(e.style.track);
        e.series->replace(decimateMinMax(points.x, points.y, from, to, width));
    }
    rescale(leftAxis_, false);
    if (rightAxis_)
        rescale(rightAxis_, true);
    updateCrosshair();
}

void TimeChartView::rescale(QValueAxis* axis, bool right)
{
    double lo = 0, hi = 0;
    const double from = axis_->from(), to = axis_->to();
    for (const auto& e : entries_) {
        if (e.style.rightAxis != right || !e.series->isVisible())
            continue;
        for (const QPointF& p : e.series->points()) {
            if (p.x() < from || p.x() > to)
                continue;
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
    }
    if (hi <= lo)
        hi = lo + 1;
    axis->setRange(lo, hi + (hi - lo) * 0.05);
    axis->applyNiceNumbers();
    axis->setLabelFormat(axis->max() - axis->min() < 10 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}

QList<QPointF> TimeChartView::shownPoints(Track track) const
{
    for (const auto& e : entries_)
        if (e.style.track == track)
            return e.series->points();
    return {};
}

QString TimeChartView::valuesAt(double seconds, std::optional<double> pixelsPerSecond) const
{
    QString html = QStringLiteral("<b>%1 s</b>").arg(seconds, 0, 'f', 3);
    if (!data_)
        return html;
    for (const auto& e : entries_) {
        if (!e.series->isVisible())
            continue;
        const auto& points = data_->track(e.style.track);
        const auto i = nearest(points.x, seconds);
        if (!i)
            continue;
        const bool isPoint
            = e.style.shape == TrackStyle::Shape::Points || e.style.shape == TrackStyle::Shape::Rings;
        if (isPoint && pixelsPerSecond && std::abs(points.x[*i] - seconds) * *pixelsPerSecond > kPointHoverPixels)
            continue;
        html += QStringLiteral("<br/><span style=\"color:%1\">&#9632;</span> %2: <b>%3</b>")
                    .arg(e.style.colour.name(), e.style.name.toHtmlEscaped(), e.style.format(points.y[*i]));
        if (isPoint)
            html += QStringLiteral(" at %1 s").arg(points.x[*i], 0, 'f', 3);
    }
    return html;
}

QRectF TimeChartView::plotRect() const
{
    return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
}

double TimeChartView::secondsAt(double viewportX) const
{
    const QRectF plot = plotRect();
    const double from = axis_->from(), to = axis_->to();
    if (plot.width() <= 0)
        return from;
    return from + (viewportX - plot.left()) / plot.width() * (to - from);
}

void TimeChartView::updateCrosshair()
{
    const auto cursor = axis_->cursor();
    if (!cursor || *cursor < axis_->from() || *cursor > axis_->to()) {
        crosshair_->hide();
        return;
    }
    const QRectF plot = chart()->plotArea();
    const double x = plot.left() + (*cursor - axis_->from()) / (axis_->to() - axis_->from()) * plot.width();
    crosshair_->setLine(x, plot.top(), x, plot.bottom());
    crosshair_->show();
}

void TimeChartView::resizeEvent(QResizeEvent* event)
{
    QChartView::resizeEvent(event);
    scheduleRefresh(); // more or fewer pixel columns: decimate again
}

void TimeChartView::mousePressEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::MiddleButton
        || (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier))) {
        panning_ = true;
        panLastX_ = event->position().x();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton && plotRect().contains(pos)) {
        dragStart_ = pos;
        if (!rubberBand_)
            rubberBand_ = new QRubberBand(QRubberBand::Rectangle, viewport());
        rubberBand_->setGeometry(QRect(pos, QSize()));
        rubberBand_->show();
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event); // legend clicks
}

void TimeChartView::mouseMoveEvent(QMouseEvent* event)
{
    const double x = event->position().x();
    const QRectF plot = plotRect();
    if (panning_) {
        const double secondsPerPixel = (axis_->to() - axis_->from()) / std::max(1.0, plot.width());
        axis_->panBy(-(x - panLastX_) * secondsPerPixel);
        panLastX_ = x;
    } else if (dragStart_ && rubberBand_) {
        const int left = static_cast<int>(std::clamp(std::min<double>(dragStart_->x(), x), plot.left(), plot.right()));
        const int right = static_cast<int>(std::clamp(std::max<double>(dragStart_->x(), x), plot.left(), plot.right()));
        rubberBand_->setGeometry(
            QRect(QPoint(left, static_cast<int>(plot.top())), QPoint(right, static_cast<int>(plot.bottom()))));
    }
    if (plot.contains(event->position())) {
        const double t = secondsAt(x);
        axis_->setCursor(t);
        const double pixelsPerSecond = plot.width() / std::max(1e-9, axis_->to() - axis_->from());
        QToolTip::showText(event->globalPosition().toPoint(), valuesAt(t, pixelsPerSecond), this);
    } else {
        axis_->setCursor(std::nullopt);
        QToolTip::hideText();
    }
    QChartView::mouseMoveEvent(event);
}

void TimeChartView::mouseReleaseEvent(QMouseEvent* event)
{
    if (panning_) {
        panning_ = false;
        unsetCursor();
        event->accept();
        return;
    }
    if (dragStart_) {
        const double x0 = dragStart_->x(), x1 = event->position().x();
        dragStart_.reset();
        if (rubberBand_)
            rubberBand_->hide();
        if (std::abs(x1 - x0) >= kMinimumDragPixels)
            axis_->zoomTo(secondsAt(std::min(x0, x1)), secondsAt(std::max(x0, x1)));
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void TimeChartView::mouseDoubleClickEvent(QMouseEvent* event)
{
    axis_->reset();
    event->accept();
}

void TimeChartView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        QChartView::wheelEvent(event);
        return;
    }
    axis_->zoomBy(std::pow(0.8, steps), secondsAt(event->position().x()));
    event->accept();
}

void TimeChartView::keyPressEvent(QKeyEvent* event)
{
    const double span = axis_->to() - axis_->from();
    const double centre = axis_->from() + span / 2;
    switch (event->key()) {
    case Qt::Key_Left:
        axis_->panBy(-span * 0.1);
        break;
    case Qt::Key_Right:
        axis_->panBy(span * 0.1);
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        axis_->zoomBy(0.8, centre);
        break;
    case Qt::Key_Minus:
        axis_->zoomBy(1.25, centre);
        break;
    case Qt::Key_0:
    case Qt::Key_Home:
        axis_->reset();
        break;
    default:
        QChartView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void TimeChartView::leaveEvent(QEvent* event)
{
    axis_->setCursor(std::nullopt);
    QChartView::leaveEvent(event);
}

void TimeChartView::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        applyStyle();
}

void TimeChartView::applyStyle()
{
    applyChartStyle(chart(), palette(), font());
    QColor line = palette().color(QPalette::WindowText);
    line.setAlpha(140);
    crosshair_->setPen(QPen(line, 1, Qt::DotLine));
}

} // namespace gcscope::ui
