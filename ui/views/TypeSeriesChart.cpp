#include "views/TypeSeriesChart.h"

#include "views/ChartColours.h"
#include "views/TypeGrowthTable.h"

#include <QChart>
#include <QEvent>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace gcscope::ui {
namespace {

// The unit that keeps the axis labels short, and its divisor.
std::pair<QString, double> sizeUnit(double maxBytes)
{
    if (maxBytes >= 1024.0 * 1024 * 1024)
        return { QStringLiteral("GiB"), 1024.0 * 1024 * 1024 };
    if (maxBytes >= 1024.0 * 1024)
        return { QStringLiteral("MiB"), 1024.0 * 1024 };
    if (maxBytes >= 1024.0)
        return { QStringLiteral("KiB"), 1024.0 };
    return { QStringLiteral("B"), 1.0 };
}

} // namespace

TypeSeriesChart::TypeSeriesChart(QWidget* parent)
    : QChartView(new QChart, parent) // (QChartView(parent) makes a chart that setChart() would orphan)
    , count_(new QLineSeries)
    , size_(new QLineSeries)
    , time_(new QValueAxis)
    , countAxis_(new QValueAxis)
    , sizeAxis_(new QValueAxis)
{
    QChart* chart = QChartView::chart();
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(4, 4, 4, 4));
    count_->setName(tr("objects"));
    size_->setName(tr("size"));
    count_->setPen(QPen(chartColour(0), 2));
    size_->setPen(QPen(chartColour(1), 2));
    count_->setPointsVisible(true);
    size_->setPointsVisible(true);
    chart->addSeries(count_);
    chart->addSeries(size_);
    time_->setTitleText(tr("seconds since the recording started"));
    time_->setLabelFormat(QStringLiteral("%.0f"));
    countAxis_->setTitleText(tr("objects"));
    countAxis_->setLabelFormat(QStringLiteral("%.0f"));
    sizeAxis_->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(time_, Qt::AlignBottom);
    chart->addAxis(countAxis_, Qt::AlignLeft);
    chart->addAxis(sizeAxis_, Qt::AlignRight);
    count_->attachAxis(time_);
    count_->attachAxis(countAxis_);
    size_->attachAxis(time_);
    size_->attachAxis(sizeAxis_);
    countAxis_->setLinePenColor(chartColour(0));
    sizeAxis_->setLinePenColor(chartColour(1));
    setRenderHint(QPainter::Antialiasing);
    applyPalette();
    showRow(nullptr, {}, 0);
}

void TypeSeriesChart::showRow(const TypeGrowthRow* row, const QList<qint64>& timesNs, std::int64_t startNs)
{
    QList<QPointF> counts, sizes;
    double maxCount = 0, maxSize = 0, maxT = 0;
    if (row) {
        for (qsizetype i = 0; i < timesNs.size() && i < row->counts.size(); ++i) {
            maxSize = std::max(maxSize, row->sizes[i]);
            maxCount = std::max(maxCount, row->counts[i]);
        }
    }
    const auto [unit, divisor] = sizeUnit(maxSize);
    if (row) {
        for (qsizetype i = 0; i < timesNs.size() && i < row->counts.size(); ++i) {
            const double t = static_cast<double>(timesNs[i] - startNs) / 1e9;
            maxT = std::max(maxT, t);
            counts.append({ t, row->counts[i] });
            sizes.append({ t, row->sizes[i] / divisor });
        }
    }
    count_->replace(counts);
    size_->replace(sizes);
    time_->setRange(0, std::max(1.0, std::ceil(maxT)));
    countAxis_->setRange(0, std::max(1.0, maxCount * 1.05));
    sizeAxis_->setRange(0, std::max(1.0, maxSize / divisor * 1.05));
    sizeAxis_->setTitleText(tr("size (%1)").arg(unit));
    time_->applyNiceNumbers();
    countAxis_->applyNiceNumbers();
    sizeAxis_->applyNiceNumbers();
    chart()->setTitle(row ? row->type : tr("Select a type to chart its count and size over time"));
}

void TypeSeriesChart::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void TypeSeriesChart::applyPalette()
{
    applyChartPalette(chart(), palette());
}

} // namespace gcscope::ui
