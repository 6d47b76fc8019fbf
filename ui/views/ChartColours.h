// Colours of the views' charts and graphs. Everything follows the system palette except the data
// series, whose colours are chosen to read on light and dark backgrounds alike.
#pragma once

#include <QColor>
#include <QPalette>

class QChart;

namespace gcscope::ui {

QColor chartColour(int series); // a fixed, distinguishable sequence
void applyChartPalette(QChart* chart, const QPalette& palette); // background, text, grid and axes

} // namespace gcscope::ui
