#include "views/ChartColours.h"

#include <QAbstractAxis>
#include <QChart>
#include <QLegend>

#include <iterator>

namespace gcscope::ui {

QColor chartColour(int series)
{
    // Mid-lightness hues: enough contrast against both white and a dark grey.
    static const QColor colours[] = { QColor(0x3d, 0x8e, 0xd9), QColor(0xe8, 0x7f, 0x24), QColor(0x4c, 0xaf, 0x50),
        QColor(0xd9, 0x4b, 0x8c), QColor(0x9c, 0x6a, 0xde), QColor(0x8d, 0x99, 0x2a) };
    return colours[static_cast<unsigned>(series) % std::size(colours)];
}

void applyChartPalette(QChart* chart, const QPalette& palette)
{
    // Not QChart::setTheme: it would also replace the series colours.
    chart->setBackgroundBrush(palette.brush(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setTitleBrush(palette.brush(QPalette::Text));
    chart->legend()->setLabelColor(palette.color(QPalette::Text));
    QColor grid = palette.color(QPalette::Text);
    grid.setAlphaF(0.15f);
    for (auto* axis : chart->axes()) {
        axis->setLabelsColor(palette.color(QPalette::Text));
        axis->setTitleBrush(palette.brush(QPalette::Text));
        axis->setGridLineColor(grid);
    }
}

} // namespace gcscope::ui
