// Colours and fonts of the dashboard's charts. Series colours are the only fixed colours in the
// application: mid-tone hues that stay readable on a dark and on a light palette. Everything else
// (background, axes, grid, text) comes from the widget's palette and font, so the charts follow
// the system theme and scale on HiDPI screens.
#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>

class QChart;

namespace gcscope::ui {

QColor generationColour(int generation); // gen 0 blue, gen 1 amber, gen 2 red
QColor rssColour();
QColor trackedObjectsColour();
QColor pythonPauseColour(); // CPython's own timing of a collection (3.15+), beside ours
QColor collectedColour();
QColor uncollectableColour();

// Background, plot area, axes, grid lines, titles and legend from the palette and font.
void applyChartStyle(QChart* chart, const QPalette& palette, const QFont& font);

} // namespace gcscope::ui
