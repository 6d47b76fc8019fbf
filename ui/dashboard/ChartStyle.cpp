#include "dashboard/ChartStyle.h"

#include <QAbstractAxis>
#include <QChart>
#include <QLegend>

namespace gcscope::ui {

QColor generationColour(int generation)
{
    switch (generation) {
    case 0:
        return QColor(0x3b, 0x82, 0xf6);
    case 1:
        return QColor(0xf5, 0x9e, 0x0b);
    default:
        return QColor(0xef, 0x44, 0x44);
    }
}

QColor rssColour()
{
    return QColor(0x10, 0xb9, 0x81);
}
QColor trackedObjectsColour()
{
    return QColor(0x8b, 0x5c, 0xf6);
}
QColor pythonPauseColour()
{
    return QColor(0x14, 0xb8, 0xa6); // teal: apart from the three generations' blue, amber and red
}
QColor collectedColour()
{
    return QColor(0x14, 0xb8, 0xa6);
}
QColor uncollectableColour()
{
    return QColor(0xec, 0x48, 0x99);
}

void applyChartStyle(QChart* chart, const QPalette& palette, const QFont& font)
{
    const QColor text = palette.color(QPalette::WindowText);
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlpha(90);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundPen(QPen(palette.color(QPalette::Mid)));
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    QFont title = font;
    title.setBold(true);
    chart->setTitleFont(title);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    chart->legend()->setFont(font);
    QFont small = font;
    if (small.pointSizeF() > 0)
        small.setPointSizeF(small.pointSizeF() * 0.9);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsBrush(text);
        axis->setLabelsFont(small);
        axis->setTitleBrush(text);
        axis->setTitleFont(small);
        axis->setLinePenColor(palette.color(QPalette::Mid));
        axis->setGridLineColor(grid);
        axis->setMinorGridLineColor(grid);
    }
}

} // namespace gcscope::ui
